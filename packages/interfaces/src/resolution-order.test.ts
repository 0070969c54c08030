import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { c3, defineInterface, InconsistentResolutionOrderError, Interface, type InterfaceSpec } from './index.js';

interface Node {
  readonly name: string;
  readonly bases: readonly Node[];
  readonly mro: readonly Node[];
}

function node(name: string, ...bases: Node[]): Node {
  const n: { name: string; bases: readonly Node[]; mro: readonly Node[] } = { name, bases, mro: [] };
  n.mro = c3<Node>(n, bases, (b) => b.mro, (b) => b.name);
  return n;
}
const names = (ns: readonly Node[]): string[] => ns.map((n) => n.name);

describe('c3', () => {
  it('no bases → [subject]', () => {
    expect(names(node('O').mro)).toEqual(['O']);
  });

  it('one base → subject then the base order', () => {
    const O = node('O');
    const A = node('A', O);
    expect(names(node('B', A).mro)).toEqual(['B', 'A', 'O']);
  });

  it('python mro example (wikipedia) → the c3 order', () => {
    const O = node('O');
    const A = node('A', O);
    const B = node('B', O);
    const C = node('C', O);
    const D = node('D', O);
    const E = node('E', O);
    const K1 = node('K1', A, B, C);
    const K2 = node('K2', D, B, E);
    const K3 = node('K3', D, A);
    const Z = node('Z', K1, K2, K3);
    expect(names(Z.mro)).toEqual(['Z', 'K1', 'K2', 'K3', 'D', 'A', 'B', 'C', 'E', 'O']);
  });

  it('diamond → shared base after both sides', () => {
    const A = node('A');
    const B = node('B', A);
    const C = node('C', A);
    expect(names(node('D', B, C).mro)).toEqual(['D', 'B', 'C', 'A']);
  });

  it('a base listed before one that extends it → InconsistentResolutionOrderError naming the subject', () => {
    const A = node('A');
    const B = node('B', A);
    expect(() => node('C', A, B)).toThrow(InconsistentResolutionOrderError);
    expect(() => node('C', A, B)).toThrow(/for C:/);
  });

  it('crossed orders → InconsistentResolutionOrderError with a stable name and code', () => {
    const X = node('X');
    const Y = node('Y');
    const A = node('A', X, Y);
    const B = node('B', Y, X);
    let error: unknown;
    try {
      node('C', A, B);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InconsistentResolutionOrderError);
    expect((error as InconsistentResolutionOrderError).name).toBe('InconsistentResolutionOrderError');
    expect((error as InconsistentResolutionOrderError).code).toBe('DT_IFACE_INCONSISTENT_ORDER');
  });

  it('bases → compared by identity, not by label', () => {
    const A1 = node('A');
    const A2 = node('A');
    expect(node('C', A1, A2).mro).toEqual([expect.anything(), A1, A2]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties of the orders of random interface hierarchies

let run = 0;

/** Each new interface extends a random subset of the earlier ones, in a random order. */
const hierarchy = fc.array(
  fc.record({ picks: fc.array(fc.nat(), { maxLength: 4 }), seed: fc.nat() }),
  { minLength: 1, maxLength: 14 },
);

function build(plan: readonly { picks: readonly number[] }[]): InterfaceSpec[] {
  const prefix = `test.ro${++run}`;
  const made: InterfaceSpec[] = [];
  plan.forEach(({ picks }, i) => {
    const bases: InterfaceSpec[] = [];
    if (made.length > 0) for (const p of picks) {
      const b = made[p % made.length]!;
      if (!bases.includes(b)) bases.push(b);
    }
    try {
      made.push(defineInterface(`${prefix}.I${i}`, { extends: bases }));
    } catch (e) {
      // An inconsistent order is a legal outcome for a random order of bases: skip that one.
      if (!(e instanceof InconsistentResolutionOrderError)) throw e;
    }
  });
  return made;
}

function isSubsequence<T>(sub: readonly T[], seq: readonly T[]): boolean {
  let i = 0;
  for (const x of seq) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
}

describe('InterfaceSpec#iro (properties)', () => {
  it('random consistent hierarchies → itself first, Interface last, each interface once', () => {
    fc.assert(
      fc.property(hierarchy, (plan) => {
        for (const I of build(plan)) {
          expect(I.iro[0]).toBe(I);
          expect(I.iro[I.iro.length - 1]).toBe(Interface);
          expect(new Set(I.iro).size).toBe(I.iro.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('random consistent hierarchies → local precedence: the bases appear in declared order', () => {
    fc.assert(
      fc.property(hierarchy, (plan) => {
        for (const I of build(plan)) expect(isSubsequence(I.bases, I.iro)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('random consistent hierarchies → monotonic: each base iro is a subsequence of the derived iro', () => {
    fc.assert(
      fc.property(hierarchy, (plan) => {
        for (const I of build(plan)) for (const b of I.bases) expect(isSubsequence(b.iro, I.iro)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('random consistent hierarchies → every interface before all its bases, and iro = all it extends', () => {
    fc.assert(
      fc.property(hierarchy, (plan) => {
        for (const I of build(plan)) {
          for (const J of I.iro) {
            const at = I.iro.indexOf(J);
            for (const b of J.iro.slice(1)) expect(I.iro.indexOf(b)).toBeGreaterThan(at);
            expect(I.isOrExtends(J)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('random hierarchies → some consistent interfaces are built (the generator is not vacuous)', () => {
    const sizes: number[] = [];
    fc.assert(
      fc.property(hierarchy, (plan) => {
        sizes.push(build(plan).length);
      }),
      { numRuns: 50 },
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });
});
