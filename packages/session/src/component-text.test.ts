import { defineInterface, implementer } from '@dovetail/interfaces';
import { Registry } from '@dovetail/registry';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decode, encode } from './codec.js';
import { componentsTextOf } from './component-text.js';
import { kState } from './internal-symbols.js';
import { registerSessionClass } from './session-record.js';
import { Session } from './session.js';
import type { StoredComponent } from './session-record.js';

const ICount = defineInterface<unknown>('dovetail.test.text.ICount');
const IOther = defineInterface<unknown>('dovetail.test.text.IOther');
const IDollar = defineInterface<unknown>('$dovetail.test.text.IDollar');

@implementer(ICount)
class Count {}

@implementer(IOther)
class Other {}

@implementer(IOther)
class Hooked {
  toState(): number {
    return 1;
  }
}

class Kept {}
registerSessionClass(Kept);

class Stray {}

const registry = new Registry({ name: 'component-text.test' });
registry.registerAdapter(Count, Session, ICount);
registry.registerAdapter(Other, Session, IOther);

/** An instance of `cls` with `fields` as its own properties, in their order. */
function instance(cls: new () => object, fields: Record<string, unknown>): object {
  const o = Object.create(cls.prototype as object) as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

/** The fast text for a session holding `components`, and the long way's (the codec of the stored record, or its refusal). */
function bothWays(components: [Parameters<Session['setComponent']>[0], unknown][]): { fast: string | undefined; long: string | Error } {
  const session = new Session();
  for (const [iface, component] of components) session.setComponent(iface, component);
  const state = session[kState];
  let long: string | Error;
  try {
    long = encode(state.componentsRecord(registry));
  } catch (e) {
    long = e as Error;
  }
  return { fast: componentsTextOf(session, state.components, registry), long };
}

// Scalars the codec writes as they are, and values it tags, refuses or walks.
const PLAIN: unknown[] = [0, 1.5, -7, 2 ** 53, '', 'x', 'a"b\\c', 'é\u2028', '{"$undef":1}', true, false, null];
const plain = fc.constantFrom(...PLAIN);
const other = fc.constantFrom<unknown>(-0, NaN, Infinity, undefined, 0n, [1], { x: 1 }, new Date(0), new Map(), () => 0);
const key = fc.constantFrom('value', 'v', 'a b', '"q"', '$undef', '$date', '__proto__', '0', '10', 'session');
const fields = fc.dictionary(key, fc.oneof({ weight: 5, arbitrary: plain }, { weight: 1, arbitrary: other }), { maxKeys: 3 });
const SELF = Symbol('the session');

describe("the components' text written straight from the components", () => {
  it("is the codec's text of the stored record whenever it is written, and is written for every component of scalars (property)", () => {
    fc.assert(
      fc.property(fields, fc.subarray(['session', 'owner']), fc.boolean(), (drawn, refs, two) => {
        const withRefs: Record<string, unknown> = { ...drawn };
        for (const name of refs) withRefs[name] = SELF;
        const session = new Session();
        const resolve = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === SELF ? session : v]));
        const components: [typeof ICount, unknown][] = [[ICount, instance(Count, resolve(withRefs))]];
        if (two) components.push([IOther, instance(Other, { n: 1 })]);
        for (const [iface, component] of components) session.setComponent(iface, component);
        const state = session[kState];
        const fast = componentsTextOf(session, state.components, registry);
        if (fast !== undefined) expect(fast).toBe(encode(state.componentsRecord(registry)));
        // Asked for copies (a twin), the same text, and the components as decoding it gives them.
        const copies: Record<string, StoredComponent> = {};
        expect(componentsTextOf(session, state.components, registry, copies)).toBe(fast);
        if (fast !== undefined) {
          expect(JSON.stringify(copies)).toBe(fast);
          expect(copies).toEqual(decode(fast));
        }
        // Written straight exactly when every stored field is a scalar JSON carries as it is, and
        // the state is not one key the codec would read as a tag.
        const stored = Object.entries(resolve(withRefs)).filter(([, v]) => v !== session);
        const simple = stored.every(([k, v]) => k !== '__proto__' && PLAIN.some((p) => Object.is(p, v)));
        const tagLike = stored.length === 1 && stored[0]![0].startsWith('$');
        expect(fast !== undefined).toBe(simple && !tagLike);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves to the long way what it does not write: plain data, a toState hook, a class not found again, one interface named with a $', () => {
    expect(bothWays([[ICount, instance(Count, { value: 1 })]])).toEqual({ fast: '{"dovetail.test.text.ICount":{"c":"Count","s":{"value":1}}}', long: '{"dovetail.test.text.ICount":{"c":"Count","s":{"value":1}}}' });
    expect(bothWays([[ICount, { value: 1 }]]).fast).toBeUndefined();
    expect(bothWays([[IOther, new Hooked()]]).fast).toBeUndefined();
    const stray = bothWays([[ICount, instance(Stray, { x: 1 })]]);
    expect(stray.fast).toBeUndefined();
    expect(stray.long).toBeInstanceOf(Error); // the long way says what it refuses
    const kept = bothWays([[ICount, instance(Kept, { x: 1 })]]);
    expect(kept.fast).toBe(kept.long);
    expect(bothWays([[IDollar, instance(Kept, { x: 1 })]]).fast).toBeUndefined();
  });

  it('makes copies for a twin that share nothing with the components', () => {
    const session = new Session();
    const count = instance(Count, { value: 3, owner: session });
    session.setComponent(ICount, count);
    const copies: Record<string, StoredComponent> = {};
    expect(componentsTextOf(session, session[kState].components, registry, copies)).toBe('{"dovetail.test.text.ICount":{"c":"Count","s":{"value":3},"r":["owner"]}}');
    const stored = copies['dovetail.test.text.ICount']!;
    expect(stored).toEqual({ c: 'Count', s: { value: 3 }, r: ['owner'] });
    (count as { value: number }).value = 4;
    expect(stored.s).toEqual({ value: 3 });
  });

  it('leaves out temporary adapters, as the stored record does', () => {
    class Passing {
      static temporaryAdapter = true;
      n = 1;
    }
    const both = bothWays([[ICount, instance(Count, { value: 2 })], [IOther, new Passing()]]);
    expect(both.fast).toBe(both.long);
    expect(both.fast).toBe('{"dovetail.test.text.ICount":{"c":"Count","s":{"value":2}}}');
  });
});
