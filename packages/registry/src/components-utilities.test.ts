import { describe, expect, it } from '@jest/globals';
import { caught, fixtures, recordEvents } from '../test/support/fixtures.js';
import { Registry } from './components.js';
import { ComponentLookupError, InvalidNameError, InvalidRegistrationError } from './errors.js';
import { Registered, Unregistered } from './events.js';
import type { UtilityRegistration } from './events.js';

// Registry: utilities.

const { iface, hierarchy } = fixtures('test.reg.comput');

describe('Registry#registerUtility', () => {
  it('a component → getUtility, queryUtility and container.get(I.id) give it', () => {
    const IClock = iface<{ now(): number }>('IClock');
    const clock = { now: () => 1 };
    const r = new Registry();
    r.registerUtility(clock, IClock);
    expect(r.getUtility(IClock)).toBe(clock);
    expect(r.queryUtility(IClock)).toBe(clock);
    expect(r.container.get(IClock.id as symbol)).toBe(r.getUtility(IClock));
  });

  it('a named component → found by name only, bound whenNamed', () => {
    const IStore = iface<object>('IStore');
    const foo = { n: 'foo' };
    const r = new Registry();
    r.registerUtility(foo, IStore, { name: 'products.foo' });
    expect(r.queryUtility(IStore, 'products.foo')).toBe(foo);
    expect(r.queryUtility(IStore)).toBeUndefined();
    expect(r.container.get(IStore.id as symbol, { name: 'products.foo' })).toBe(foo);
  });

  it('exact provided and extensions registered → exact first, else the most recent extension', () => {
    const { IP, IP1, IP2 } = hierarchy();
    const r = new Registry();
    r.registerUtility('p1', IP1);
    r.registerUtility('p2', IP2);
    expect(r.queryUtility(IP)).toBe('p2');
    r.registerUtility('p', IP);
    expect(r.queryUtility(IP)).toBe('p');
    expect(r.queryUtility(IP1)).toBe('p1');
  });

  it('another component for the same keys → replaced, events Unregistered then Registered', () => {
    const IX = iface('IX');
    const r = new Registry();
    r.registerUtility('one', IX);
    const events = recordEvents(r);
    r.registerUtility('two', IX);
    expect(r.getUtility(IX)).toBe('two');
    expect(r.container.get(IX.id as symbol)).toBe('two');
    expect(events.map((e) => e.constructor)).toEqual([Unregistered, Registered]);
    expect((events[0]!.object as UtilityRegistration).component).toBe('one');
    expect((events[1]!.object as UtilityRegistration).component).toBe('two');
    expect(r.getAllUtilitiesRegisteredFor(IX)).toEqual(['two']);
  });

  it('the same component twice → a no-op, no event', () => {
    const IX = iface('IX');
    const r = new Registry();
    const c = {};
    r.registerUtility(c, IX);
    const events = recordEvents(r);
    r.registerUtility(c, IX);
    expect(events).toEqual([]);
    expect(r.registeredUtilities()).toHaveLength(1);
  });

  it('null, a non-interface or a non-string name → InvalidRegistrationError / InvalidNameError', () => {
    const IX = iface('IX');
    const r = new Registry();
    expect(() => r.registerUtility(null, IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerUtility(undefined, IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerUtility({}, {} as never)).toThrow(InvalidRegistrationError);
    expect(() => r.registerUtility({}, IX, { name: 7 as never })).toThrow(InvalidNameError);
  });
});

describe('Registry#unregisterUtility', () => {
  it('a registered utility → gone from lookups and from the container, Unregistered, true', () => {
    const IX = iface('IX');
    const r = new Registry();
    r.registerUtility('u', IX);
    r.registerUtility('n', IX, { name: 'n' });
    const events = recordEvents(r);
    expect(r.unregisterUtility(IX)).toBe(true);
    expect(r.queryUtility(IX)).toBeUndefined();
    expect(r.container.get(IX.id as symbol, { optional: true })).toBeUndefined();
    expect(r.queryUtility(IX, 'n')).toBe('n');
    expect(events.map((e) => e.constructor)).toEqual([Unregistered]);
    expect(r.unregisterUtility(IX)).toBe(false);
    expect(r.unregisterUtility(IX, { name: 'n' })).toBe(true);
    expect(r.container.get(IX.id as symbol, { name: 'n', optional: true })).toBeUndefined();
  });

  it('another component given → false, kept', () => {
    const IX = iface('IX');
    const r = new Registry();
    r.registerUtility('u', IX);
    expect(r.unregisterUtility(IX, { component: 'v' })).toBe(false);
    expect(r.getUtility(IX)).toBe('u');
    expect(r.unregisterUtility(IX, { component: 'u' })).toBe(true);
  });

  it('one component under two names, one unregistered → still in getAllUtilitiesRegisteredFor', () => {
    const IX = iface('IX');
    const r = new Registry();
    const c = { c: 1 };
    r.registerUtility(c, IX, { name: 'a' });
    r.registerUtility(c, IX, { name: 'b' });
    expect(r.getAllUtilitiesRegisteredFor(IX)).toEqual([c]);
    r.unregisterUtility(IX, { name: 'a' });
    expect(r.getAllUtilitiesRegisteredFor(IX)).toEqual([c]);
    r.unregisterUtility(IX, { name: 'b' });
    expect(r.getAllUtilitiesRegisteredFor(IX)).toEqual([]);
  });
});

describe('Registry#queryUtility', () => {
  it('a binding made directly in the container → found', () => {
    const IX = iface<string>('IX');
    const r = new Registry();
    r.container.bind(IX.id as symbol).toConstantValue('bound');
    expect(r.queryUtility(IX)).toBe('bound');
    expect(r.getUtility(IX)).toBe('bound');
  });

  it('a utility in a base → found from the local registry and its container', () => {
    const IX = iface<string>('IX');
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    expect(local.queryUtility(IX)).toBeUndefined();
    base.registerUtility('from-base', IX);
    expect(local.queryUtility(IX)).toBe('from-base');
    expect(local.container.get(IX.id as symbol)).toBe('from-base');
    local.registerUtility('local', IX);
    expect(local.queryUtility(IX)).toBe('local');
    expect(base.queryUtility(IX)).toBe('from-base');
  });

  it('a named miss, then an unnamed utility registered → the named lookup still misses', () => {
    // inversify 8.2.3 answers a remembered optional miss with a later whenDefault() binding.
    const IX = iface<string>('IX');
    const r = new Registry();
    expect(r.queryUtility(IX, 'b')).toBeUndefined();
    r.registerUtility('unnamed', IX);
    expect(r.queryUtility(IX, 'b')).toBeUndefined();
    expect(r.queryUtility(IX)).toBe('unnamed');
    r.registerUtility('named-b', IX, { name: 'b' });
    expect(r.queryUtility(IX, 'b')).toBe('named-b');
  });

  it('a miss → undefined or fallback; getUtility → ComponentLookupError', () => {
    const IX = iface('IX');
    const r = new Registry();
    expect(r.queryUtility(IX)).toBeUndefined();
    expect(r.queryUtility(IX, 'n', 'fb')).toBe('fb');
    const error = caught(() => r.getUtility(IX, 'n')) as ComponentLookupError;
    expect(error).toBeInstanceOf(ComponentLookupError);
    expect(error.message).toContain(IX.name);
  });

  it('a non-string name → InvalidNameError', () => {
    const IX = iface('IX');
    expect(() => new Registry().queryUtility(IX, 1 as never)).toThrow(InvalidNameError);
  });
});

describe('Registry#getUtilitiesFor', () => {
  it('utilities for the interface and its extensions, here and in bases → one per name, local win', () => {
    const { IP, IP1, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerUtility('base-unnamed', IP);
    base.registerUtility('base-a', IP, { name: 'a' });
    local.registerUtility('local-a', IP, { name: 'a' });
    local.registerUtility('sub-b', IP1, { name: 'b' });
    local.registerUtility('other', IX, { name: 'c' });
    expect(new Map(local.getUtilitiesFor(IP))).toEqual(
      new Map([
        ['', 'base-unnamed'],
        ['a', 'local-a'],
        ['b', 'sub-b'],
      ]),
    );
  });
});

describe('Registry#getAllUtilitiesRegisteredFor', () => {
  it('shadowed, named, base and extension utilities → all of them', () => {
    const { IP, IP1 } = hierarchy();
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerUtility('u1', IP);
    local.registerUtility('u2', IP);
    local.registerUtility('u3', IP, { name: 'n' });
    local.registerUtility('u4', IP1);
    expect(local.getAllUtilitiesRegisteredFor(IP).sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(local.queryUtility(IP)).toBe('u2');
  });
});
