import { describe, expect, it, jest } from '@jest/globals';
import { alsoProvides, classImplements, defineInterface, implementedBy, implementer, Interface, providedBy } from '@dovetail/interfaces';
import type { InterfaceSpec } from '@dovetail/interfaces';
import { AdapterRegistry } from './adapter-registry.js';

let counter = 0;
/** A fresh interface: names are global, so each one gets a unique prefix. */
const iface = (short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<unknown> =>
  defineInterface(`test.reg.ar${++counter}.${short}`, { extends: bases });

/** IA, IB(IA), IQ, IQ2(IQ), IP, IP1(IP), IP2(IP), IX. */
function hierarchy() {
  const IA = iface('IA');
  const IB = iface('IB', IA);
  const IQ = iface('IQ');
  const IQ2 = iface('IQ2', IQ);
  const IP = iface('IP');
  const IP1 = iface('IP1', IP);
  const IP2 = iface('IP2', IP);
  const IX = iface('IX');
  return { IA, IB, IQ, IQ2, IP, IP1, IP2, IX };
}

describe('AdapterRegistry#register', () => {
  it('a value for (required, provided, name) → registered() returns it at exactly those keys', () => {
    const { IA, IB, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    r.register([IA], IX, 'named', 'g');
    expect(r.registered([IA], IX)).toBe('f');
    expect(r.registered([IA], IX, 'named')).toBe('g');
    // Exact keys only: no inheritance.
    expect(r.registered([IB], IX)).toBeUndefined();
    expect([...r.allRegistrations()]).toEqual([
      [[IA], IX, '', 'f'],
      [[IA], IX, 'named', 'g'],
    ]);
  });

  it('the same value twice → no change, generation unchanged', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    const generation = r.generation;
    r.register([IA], IX, '', 'f');
    expect(r.generation).toBe(generation);
  });

  it('a different value → replaces it and bumps the generation', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    const generation = r.generation;
    r.register([IA], IX, '', 'g');
    expect(r.generation).toBeGreaterThan(generation);
    expect(r.lookup([IA], IX)).toBe('g');
  });

  it('undefined as value → unregisters', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    r.register([IA], IX, '', undefined);
    expect(r.registered([IA], IX)).toBeUndefined();
    expect(r.lookup([IA], IX)).toBeUndefined();
  });

  it('order 0 (no required specs) → a null adapter, found by lookup([])', () => {
    const { IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([], IX, '', 'utility');
    expect(r.lookup([], IX)).toBe('utility');
  });
});

describe('AdapterRegistry#unregister', () => {
  it('without a value → removes whatever is there', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    expect(r.unregister([IA], IX, '')).toBe(true);
    expect(r.lookup([IA], IX)).toBeUndefined();
    expect([...r.allRegistrations()]).toEqual([]);
  });

  it('with another value → nothing removed, false', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    expect(r.unregister([IA], IX, '', 'g')).toBe(false);
    expect(r.lookup([IA], IX)).toBe('f');
    expect(r.unregister([IA], IX, '', 'f')).toBe(true);
  });

  it('nothing registered → false', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    expect(r.unregister([IA], IX, '')).toBe(false);
    expect(r.unregister([IA, IA], IX, 'x')).toBe(false);
  });

  it('the last registration of a provided interface → no longer an extendor', () => {
    const { IA, IP, IP1 } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IP1, '', 'p1');
    expect(r.lookup([IA], IP)).toBe('p1');
    r.unregister([IA], IP1, '');
    expect(r.lookup([IA], IP)).toBeUndefined();
  });

  it('one of two names → the other stays', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    r.register([IA], IX, 'n', 'g');
    r.unregister([IA], IX, '');
    expect(r.lookup([IA], IX, 'n')).toBe('g');
    expect(r.lookup([IA], IX)).toBeUndefined();
  });
});

describe('AdapterRegistry#lookup', () => {
  // zope.md §2.3, precedence rules 1–6, with the [verified] examples.

  it('rule 1: local registration for Interface, base registration for IB → the local one', () => {
    const { IB, IX } = hierarchy();
    const base = new AdapterRegistry<string>('base');
    const local = new AdapterRegistry<string>('local', [base]);
    base.register([IB], IX, '', 'base-IB');
    local.register([Interface], IX, '', 'local-any');
    expect(local.lookup([IB], IX)).toBe('local-any');
    expect(base.lookup([IB], IX)).toBe('base-IB');
  });

  it('rule 2: registrations (IA, IQ2) and (IB, IQ), lookup (IB, IQ2) → the (IB, IQ) one', () => {
    const { IA, IB, IQ, IQ2, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA, IQ2], IX, '', 'A-Q2');
    r.register([IB, IQ], IX, '', 'B-Q');
    expect(r.lookup([IB, IQ2], IX)).toBe('B-Q');
    expect(r.lookup([IA, IQ2], IX)).toBe('A-Q2');
    expect(r.lookup([IA, IQ], IX)).toBeUndefined();
  });

  it('rule 3: [IA]→IP and [IB]→IP1, lookup ([IB], IP) → the [IB]→IP1 one', () => {
    const { IA, IB, IP, IP1 } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IP, '', 'A-P');
    r.register([IB], IP1, '', 'B-P1');
    expect(r.lookup([IB], IP)).toBe('B-P1');
    expect(r.lookup([IA], IP)).toBe('A-P');
  });

  it('rule 4: exact provided and an extension of it, either order → the exact one', () => {
    const { IA, IP, IP1 } = hierarchy();
    const first = new AdapterRegistry<string>();
    first.register([IA], IP, '', 'P');
    first.register([IA], IP1, '', 'P1');
    expect(first.lookup([IA], IP)).toBe('P');
    const second = new AdapterRegistry<string>();
    second.register([IA], IP1, '', 'P1');
    second.register([IA], IP, '', 'P');
    expect(second.lookup([IA], IP)).toBe('P');
    expect(second.lookup([IA], IP1)).toBe('P1');
  });

  it('rule 5: unrelated siblings IP1(IP), IP2(IP) → the most recently registered', () => {
    const { IA, IP, IP1, IP2 } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IP1, '', 'P1');
    r.register([IA], IP2, '', 'P2');
    expect(r.lookup([IA], IP)).toBe('P2');
    const reversed = new AdapterRegistry<string>();
    reversed.register([IA], IP2, '', 'P2');
    reversed.register([IA], IP1, '', 'P1');
    expect(reversed.lookup([IA], IP)).toBe('P1');
  });

  it('rule 6: a named lookup with only an unnamed registration → nothing (no fallback)', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'unnamed');
    expect(r.lookup([IA], IX, 'other')).toBeUndefined();
    r.register([IA], IX, 'other', 'named');
    expect(r.lookup([IA], IX, 'other')).toBe('named');
    expect(r.lookup([IA], IX)).toBe('unnamed');
    expect(r.lookup([IA], IX, 'third')).toBeUndefined();
  });

  it('a class as required → instances of subclasses match, the most specific class wins', () => {
    const { IX } = hierarchy();
    class Base {}
    class Sub extends Base {}
    class SubSub extends Sub {}
    const r = new AdapterRegistry<string>();
    r.register([implementedBy(Base)], IX, '', 'base');
    expect(r.lookup1(providedBy(new SubSub()), IX)).toBe('base');
    r.register([implementedBy(Sub)], IX, '', 'sub');
    expect(r.lookup1(providedBy(new SubSub()), IX)).toBe('sub');
    expect(r.lookup1(providedBy(new Base()), IX)).toBe('base');
    expect(r.lookup1(providedBy({}), IX)).toBeUndefined();
  });

  it('a class and an interface it implements → the class registration is more specific', () => {
    const { IA, IX } = hierarchy();
    @implementer(IA)
    class Host {}
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'by-interface');
    r.register([implementedBy(Host)], IX, '', 'by-class');
    expect(r.lookup1(providedBy(new Host()), IX)).toBe('by-class');
  });

  it('the root Interface as required → matches every value, primitives and null included', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([Interface], IX, '', 'any');
    for (const value of [{}, 42, 'text', null, undefined, () => 1, new (class {})()]) {
      expect(r.lookup1(providedBy(value), IX)).toBe('any');
    }
    r.register([IA], IX, '', 'A');
    expect(r.lookup([IA], IX)).toBe('A');
  });

  it('a multi-adapter with Interface in the second position → matches any second object', () => {
    const { IA, IB, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA, Interface], IX, '', 'A-any');
    expect(r.lookup([IB, providedBy(7)], IX)).toBe('A-any');
    expect(r.lookup([providedBy(7), IB], IX)).toBeUndefined();
  });

  it('a lookup of another order than registered → nothing', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'one');
    expect(r.lookup([IA, IA], IX)).toBeUndefined();
    expect(r.lookup([], IX)).toBeUndefined();
  });
});

describe('AdapterRegistry#lookup2', () => {
  it('two specs → the same as lookup, cached, and fresh after a change', () => {
    const { IA, IB, IQ, IQ2, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA, IQ2], IX, '', 'A-Q2');
    r.register([IB, IQ], IX, '', 'B-Q');
    const spy = jest.spyOn(r, 'uncachedLookup');
    expect(r.lookup2(IB, IQ2, IX)).toBe('B-Q');
    expect(r.lookup2(IB, IQ2, IX)).toBe('B-Q');
    expect(r.lookup([IB, IQ2], IX)).toBe('B-Q');
    expect(r.lookup2(IA, IQ, IX)).toBeUndefined();
    expect(r.lookup2(IA, IQ, IX)).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(2);
    r.register([IB, IQ2], IX, '', 'B-Q2');
    expect(r.lookup2(IB, IQ2, IX)).toBe('B-Q2');
    expect(r.lookup2(IB, IQ2, IX, 'named')).toBeUndefined();
  });
});

describe('AdapterRegistry#bases', () => {
  it('r4(r2, r3), r2(r1), r3(r1) → ro is [r4, r2, r3, r1]', () => {
    const r1 = new AdapterRegistry<string>('r1');
    const r2 = new AdapterRegistry<string>('r2', [r1]);
    const r3 = new AdapterRegistry<string>('r3', [r1]);
    const r4 = new AdapterRegistry<string>('r4', [r2, r3]);
    expect(r4.ro).toEqual([r4, r2, r3, r1]);
    expect(r4.bases).toEqual([r2, r3]);
  });

  it('the same keys in r1 and r3 → r4 finds r3’s; then in r2 → r2’s', () => {
    const { IA, IX } = hierarchy();
    const r1 = new AdapterRegistry<string>('r1');
    const r2 = new AdapterRegistry<string>('r2', [r1]);
    const r3 = new AdapterRegistry<string>('r3', [r1]);
    const r4 = new AdapterRegistry<string>('r4', [r2, r3]);
    r1.register([IA], IX, '', 'r1');
    expect(r4.lookup([IA], IX)).toBe('r1');
    r3.register([IA], IX, '', 'r3');
    expect(r4.lookup([IA], IX)).toBe('r3');
    r2.register([IA], IX, '', 'r2');
    expect(r4.lookup([IA], IX)).toBe('r2');
  });

  it('a change in a base after a cached miss → the child sees it (grandchild too)', () => {
    const { IA, IX } = hierarchy();
    const base = new AdapterRegistry<string>('base');
    const child = new AdapterRegistry<string>('child', [base]);
    const grandchild = new AdapterRegistry<string>('grandchild', [child]);
    expect(child.lookup([IA], IX)).toBeUndefined();
    expect(grandchild.lookup([IA], IX)).toBeUndefined();
    const generation = grandchild.generation;
    base.register([IA], IX, '', 'from-base');
    expect(child.lookup([IA], IX)).toBe('from-base');
    expect(grandchild.lookup([IA], IX)).toBe('from-base');
    expect(grandchild.generation).toBeGreaterThan(generation);
    base.unregister([IA], IX, '');
    expect(grandchild.lookup([IA], IX)).toBeUndefined();
  });

  it('bases replaced → the old base no longer consulted', () => {
    const { IA, IX } = hierarchy();
    const a = new AdapterRegistry<string>('a');
    const b = new AdapterRegistry<string>('b');
    a.register([IA], IX, '', 'a');
    b.register([IA], IX, '', 'b');
    const child = new AdapterRegistry<string>('child', [a]);
    expect(child.lookup([IA], IX)).toBe('a');
    child.bases = [b];
    expect(child.lookup([IA], IX)).toBe('b');
    expect(child.ro).toEqual([child, b]);
    // The old base's changes no longer reach the child.
    const generation = child.generation;
    a.register([IA], IX, 'x', 'a2');
    expect(child.generation).toBe(generation);
  });
});

describe('AdapterRegistry#lookupAll', () => {
  it('names in several places → one per name, the most specific and local winning', () => {
    const { IA, IB, IP, IP1, IX } = hierarchy();
    const base = new AdapterRegistry<string>('base');
    const local = new AdapterRegistry<string>('local', [base]);
    base.register([IB], IP, 'a', 'base-B-a');
    base.register([IA], IP, 'b', 'base-A-b');
    local.register([IA], IP, 'a', 'local-A-a');
    local.register([IA], IP1, 'c', 'local-A-P1-c');
    local.register([IA], IX, 'd', 'unrelated');
    const all = new Map(local.lookupAll([IB], IP));
    expect(all).toEqual(
      new Map([
        ['a', 'local-A-a'],
        ['b', 'base-A-b'],
        ['c', 'local-A-P1-c'],
      ]),
    );
    expect(local.names([IB], IP).sort()).toEqual(['a', 'b', 'c']);
    expect(new Map(base.lookupAll([IB], IP)).get('a')).toBe('base-B-a');
  });

  it('an exact provided and an extension under one name → the exact one', () => {
    const { IA, IP, IP1 } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IP, 'n', 'P');
    r.register([IA], IP1, 'n', 'P1');
    expect(r.lookupAll([IA], IP)).toEqual([['n', 'P']]);
  });

  it('nothing registered → empty', () => {
    const { IA, IX } = hierarchy();
    expect(new AdapterRegistry<string>().lookupAll([IA], IX)).toEqual([]);
  });
});

describe('AdapterRegistry#subscriptions', () => {
  it('subscriptions([IB], IX) → sub-any, sub-A, sub-B, sub-B2 whatever the registration order', () => {
    const { IA, IB, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.subscribe([IB], IX, 'sub-B');
    r.subscribe([IA], IX, 'sub-A');
    r.subscribe([IB], IX, 'sub-B2');
    r.subscribe([Interface], IX, 'sub-any');
    expect(r.subscriptions([IB], IX)).toEqual(['sub-any', 'sub-A', 'sub-B', 'sub-B2']);
    expect(r.subscriptions([IA], IX)).toEqual(['sub-any', 'sub-A']);
  });

  it('base and local subscribers → base ones first, all of them', () => {
    const { IA, IX } = hierarchy();
    const base = new AdapterRegistry<string>('base');
    const local = new AdapterRegistry<string>('local', [base]);
    local.subscribe([IA], IX, 'local');
    base.subscribe([IA], IX, 'base');
    expect(local.subscriptions([IA], IX)).toEqual(['base', 'local']);
  });

  it('subscribers for an extension of the provided interface → included', () => {
    const { IA, IP, IP1 } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.subscribe([IA], IP, 'P');
    r.subscribe([IA], IP1, 'P1');
    expect(r.subscriptions([IA], IP).sort()).toEqual(['P', 'P1']);
    expect(r.subscriptions([IA], IP1)).toEqual(['P1']);
  });

  it('provided null → handlers only', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.subscribe([IA], null, 'handler');
    r.subscribe([IA], IX, 'subscriber');
    expect(r.subscriptions([IA], null)).toEqual(['handler']);
    expect(r.subscriptions([IA], IX)).toEqual(['subscriber']);
  });

  it('duplicates → kept; unsubscribe(value) removes each copy, unsubscribe() all', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.subscribe([IA], IX, 's');
    r.subscribe([IA], IX, 's');
    r.subscribe([IA], IX, 't');
    expect(r.subscriptions([IA], IX)).toEqual(['s', 's', 't']);
    expect(r.unsubscribe([IA], IX, 's')).toBe(true);
    expect(r.subscriptions([IA], IX)).toEqual(['t']);
    expect(r.unsubscribe([IA], IX, 's')).toBe(false);
    expect(r.unsubscribe([IA], IX)).toBe(true);
    expect(r.subscriptions([IA], IX)).toEqual([]);
    expect([...r.allSubscriptions()]).toEqual([]);
  });
});

describe('AdapterRegistry#cache', () => {
  it('the same lookup three times → computed once', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    const spy = jest.spyOn(r, 'uncachedLookup');
    expect(r.lookup1(IA, IX)).toBe('f');
    expect(r.lookup1(IA, IX)).toBe('f');
    expect(r.lookup([IA], IX)).toBe('f');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('a miss → cached too', () => {
    const { IA, IQ, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    const spy = jest.spyOn(r, 'uncachedLookup');
    expect(r.lookup1(IA, IX)).toBeUndefined();
    expect(r.lookup1(IA, IX)).toBeUndefined();
    expect(r.lookup([IA, IQ], IX, 'n')).toBeUndefined();
    expect(r.lookup([IA, IQ], IX, 'n')).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('register or unregister after a cached lookup → the new result', () => {
    const { IA, IB, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    expect(r.lookup1(IB, IX)).toBeUndefined();
    expect(r.lookup([IB, IA], IX, 'n')).toBeUndefined();
    r.register([IA], IX, '', 'A');
    r.register([IA, IA], IX, 'n', 'AA');
    expect(r.lookup1(IB, IX)).toBe('A');
    expect(r.lookup([IB, IA], IX, 'n')).toBe('AA');
    r.register([IB], IX, '', 'B');
    expect(r.lookup1(IB, IX)).toBe('B');
    r.unregister([IB], IX, '');
    expect(r.lookup1(IB, IX)).toBe('A');
  });

  it('classImplements on a class used in a cached lookup → the new result', () => {
    const { IA, IX } = hierarchy();
    class Thing {}
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'A');
    const spec = providedBy(new Thing());
    expect(r.lookup1(spec, IX)).toBeUndefined();
    expect(r.lookupAll([spec], IX)).toEqual([]);
    classImplements(Thing, IA);
    expect(r.lookup1(providedBy(new Thing()), IX)).toBe('A');
    expect(r.lookupAll([spec], IX)).toEqual([['', 'A']]);
  });

  it('classImplements on a base class of a cached subclass → the new result', () => {
    const { IA, IX } = hierarchy();
    class Base {}
    class Derived extends Base {}
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'A');
    r.subscribe([IA], IX, 'sub');
    expect(r.lookup1(providedBy(new Derived()), IX)).toBeUndefined();
    expect(r.subscriptions([providedBy(new Derived())], IX)).toEqual([]);
    classImplements(Base, IA);
    expect(r.lookup1(providedBy(new Derived()), IX)).toBe('A');
    expect(r.subscriptions([providedBy(new Derived())], IX)).toEqual(['sub']);
  });

  it('alsoProvides after a cached lookup → the object’s new declaration finds the adapter', () => {
    const { IA, IX } = hierarchy();
    class Thing {}
    const thing = new Thing();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'A');
    expect(r.lookup1(providedBy(thing), IX)).toBeUndefined();
    alsoProvides(thing, IA);
    expect(r.lookup1(providedBy(thing), IX)).toBe('A');
    expect(r.lookup1(providedBy(new Thing()), IX)).toBeUndefined();
  });

  it('objects with identical alsoProvides → one declaration, one cache entry', () => {
    const { IA, IX } = hierarchy();
    class Thing {}
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'A');
    const spy = jest.spyOn(r, 'uncachedLookup');
    for (let i = 0; i < 100; i++) {
      const t = new Thing();
      alsoProvides(t, IA);
      expect(r.lookup1(providedBy(t), IX)).toBe('A');
    }
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('50,000 objects each with its own declaration → cache size stays bounded, results right', () => {
    const { IX } = hierarchy();
    const pool = Array.from({ length: 320 }, (_, i) => iface(`M${i}`));
    class Thing {}
    const r = new AdapterRegistry<string>();
    r.register([implementedBy(Thing)], IX, '', 'thing');
    let n = 0;
    let maxSize = 0;
    for (let i = 0; i < pool.length && n < 50_000; i++) {
      for (let j = i + 1; j < pool.length && n < 50_000; j++, n++) {
        const t = new Thing();
        alsoProvides(t, pool[i]!, pool[j]!);
        if (r.lookup1(providedBy(t), IX) !== 'thing') throw new Error(`wrong result at ${n}`);
        if (r.lookup([providedBy(t), providedBy(t)], IX, 'x') !== undefined) throw new Error(`wrong multi result at ${n}`);
        maxSize = Math.max(maxSize, r.cacheSize);
      }
    }
    expect(n).toBe(50_000);
    expect(maxSize).toBeLessThanOrEqual(10_000);
    expect(r.cacheSize).toBeLessThanOrEqual(10_000);
  });
});
