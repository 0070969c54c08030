import { alsoProvides, classImplements, implementedBy, implementer, Interface, providedBy } from '@dovetail/interfaces';
import { describe, expect, it, jest } from '@jest/globals';
import { fixtures } from '../test/support/fixtures.js';
import { AdapterRegistry } from './adapter-registry.js';

// Lookups: zope's precedence rules, lookup2, lookupAll, and the lookup cache.
// Registration and storage are in adapter-registry.test.ts.

const { iface, hierarchy } = fixtures('test.reg.arlookup');

describe('AdapterRegistry#lookup', () => {
  // zope's precedence rules 1–6 (docs/guide/interfaces-and-adapters.md, "Which adapter wins"),
  // each with an example checked against zope.interface itself.

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
