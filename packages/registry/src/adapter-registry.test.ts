import { Interface } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { fixtures } from '../test/support/fixtures.js';
import { AdapterRegistry } from './adapter-registry.js';
import { InvalidNameError } from './errors.js';

// Registration and storage: register, unregister, bases, subscriptions.
// Lookup precedence and caching are in adapter-registry-lookup.test.ts.

const { hierarchy } = fixtures('test.reg.ar');

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

describe('AdapterRegistry names', () => {
  // zope's register, lookup and lookup1 raise ValueError('name is not a string').
  it('a non-string name to register, lookup, lookup1 or lookup2 → InvalidNameError, nothing stored or cached', () => {
    const { IA, IB, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    for (const name of [null, 3, {}, Symbol('n')] as never[]) {
      expect(() => r.register([IA], IX, name, 'f')).toThrow(InvalidNameError);
      expect(() => r.lookup([IA], IX, name)).toThrow(InvalidNameError);
      expect(() => r.lookup([IA, IB], IX, name)).toThrow(InvalidNameError);
      expect(() => r.lookup1(IA, IX, name)).toThrow(InvalidNameError);
      expect(() => r.lookup2(IA, IB, IX, name)).toThrow(InvalidNameError);
    }
    expect([...r.allRegistrations()]).toEqual([]);
    expect(r.cacheSize).toBe(0);
  });

  it('undefined as the name of a lookup → the unnamed registration, as a left-out argument', () => {
    const { IA, IX } = hierarchy();
    const r = new AdapterRegistry<string>();
    r.register([IA], IX, '', 'f');
    expect(r.lookup1(IA, IX, undefined)).toBe('f');
    expect(r.lookup([IA], IX, undefined)).toBe('f');
  });
});
