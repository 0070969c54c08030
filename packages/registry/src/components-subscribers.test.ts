import { implementer } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { fixtures, providing, recordEvents, tag } from '../test/support/fixtures.js';
import { Registry } from './components.js';
import { InvalidRegistrationError } from './errors.js';
import {
  AdapterRegistration,
  HandlerRegistration,
  IAdapterRegistration,
  IObjectEvent,
  IRegistered,
  IUnregistered,
  Registered,
  SubscriptionRegistration,
  UtilityRegistration,
} from './events.js';
import type { ObjectEvent, RegistrationEvent } from './events.js';

// Registry: subscription adapters, handlers, notify, registration events and introspection.

const { iface, hierarchy } = fixtures('test.reg.compsub');

describe('Registry#subscribers', () => {
  it('subscription adapters for [IB] → called in zope order (any, A, B, B2), null results skipped', () => {
    const { IA, IB, IX } = hierarchy();
    const r = new Registry();
    const made = (label: string) => (o: unknown) => ({ label, o });
    r.registerSubscriptionAdapter(made('sub-B'), [IB], IX);
    r.registerSubscriptionAdapter(made('sub-A'), [IA], IX);
    r.registerSubscriptionAdapter(() => null, [IA], IX);
    r.registerSubscriptionAdapter(made('sub-B2'), [IB], IX);
    r.registerSubscriptionAdapter(made('sub-any'), [null], IX);
    const b = providing(IB);
    const got = r.subscribers([b], IX) as { label: string; o: unknown }[];
    expect(got.map((s) => s.label)).toEqual(['sub-any', 'sub-A', 'sub-B', 'sub-B2']);
    expect(got.every((s) => s.o === b)).toBe(true);
  });

  it('class factories and two objects → constructed with both', () => {
    const { IA, IQ, IX } = hierarchy();
    class Check {
      constructor(readonly a: unknown, readonly b: unknown) {}
    }
    const r = new Registry();
    r.registerSubscriptionAdapter(Check, [IA, IQ], IX);
    const [check] = r.subscribers([providing(IA), providing(IQ)], IX) as Check[];
    expect(check).toBeInstanceOf(Check);
  });

  it('bad arguments → InvalidRegistrationError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    expect(() => r.registerSubscriptionAdapter('f' as never, [IA], IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerSubscriptionAdapter(tag('f'), [IA], {} as never)).toThrow(InvalidRegistrationError);
    expect(() => r.registerSubscriptionAdapter(tag('f'), [1 as never], IX)).toThrow(InvalidRegistrationError);
  });
});

describe('Registry#unregisterSubscriptionAdapter', () => {
  it('one factory given → only it goes; none given → all for those exact keys', () => {
    const { IA, IB, IX } = hierarchy();
    const f = tag('f');
    const g = tag('g');
    const h = tag('h');
    const r = new Registry();
    r.registerSubscriptionAdapter(f, [IA], IX);
    r.registerSubscriptionAdapter(g, [IA], IX);
    r.registerSubscriptionAdapter(h, [IB], IX);
    const events = recordEvents(r);
    expect(r.unregisterSubscriptionAdapter([IA], IX, f)).toBe(true);
    expect(events).toHaveLength(1);
    expect((r.subscribers([providing(IB)], IX) as { label: string }[]).map((s) => s.label)).toEqual(['g', 'h']);
    // [IB] → only the registration made for IB, not those for IA that also apply.
    expect(r.unregisterSubscriptionAdapter([IB], IX)).toBe(true);
    expect((r.subscribers([providing(IB)], IX) as { label: string }[]).map((s) => s.label)).toEqual(['g']);
    expect(r.unregisterSubscriptionAdapter([IA], IX, f)).toBe(false);
  });

  it('subscribers for an extension of the provided interface → left alone, no event for them', () => {
    const { IA, IP, IP1 } = hierarchy();
    const onP = tag('P');
    const onP1 = tag('P1');
    const r = new Registry();
    r.registerSubscriptionAdapter(onP, [IA], IP);
    r.registerSubscriptionAdapter(onP1, [IA], IP1);
    const events = recordEvents(r);
    expect(r.unregisterSubscriptionAdapter([IA], IP)).toBe(true);
    expect(events).toHaveLength(1);
    expect((events[0]!.object as SubscriptionRegistration).factory).toBe(onP);
    expect((r.subscribers([providing(IA)], IP1) as { label: string }[]).map((s) => s.label)).toEqual(['P1']);
    expect(r.unregisterSubscriptionAdapter([IA], IP, onP1)).toBe(false);
  });
});

describe('Registry#handle', () => {
  it('handlers for what the objects provide → called with the objects, results ignored', () => {
    const { IA, IB, IQ } = hierarchy();
    const calls: string[] = [];
    const r = new Registry();
    r.registerHandler((a: unknown) => void calls.push(`A:${a === obj}`), [IA]);
    r.registerHandler(() => calls.push('B'), [IB]);
    r.registerHandler(() => calls.push('any'), [null]);
    r.registerHandler((a: unknown, q: unknown) => void calls.push(`AQ:${a === obj && q === other}`), [IA, IQ]);
    const obj = providing(IB);
    const other = providing(IQ);
    // The handler for anything also saw the Registered events of the later registrations.
    calls.length = 0;
    expect(r.handle(obj)).toBeUndefined();
    expect(calls).toEqual(['any', 'A:true', 'B']);
    calls.length = 0;
    r.handle(obj, other);
    expect(calls).toEqual(['AQ:true']);
  });

  it('unregisterHandler with and without the handler → removed', () => {
    const { IA } = hierarchy();
    const calls: string[] = [];
    const one = (): void => void calls.push('one');
    const two = (): void => void calls.push('two');
    const r = new Registry();
    r.registerHandler(one, [IA]);
    r.registerHandler(two, [IA]);
    expect(r.unregisterHandler([IA], one)).toBe(true);
    r.handle(providing(IA));
    expect(calls).toEqual(['two']);
    expect(r.unregisterHandler([IA])).toBe(true);
    r.handle(providing(IA));
    expect(calls).toEqual(['two']);
    expect(r.unregisterHandler([IA])).toBe(false);
  });

  it('a non-function handler → InvalidRegistrationError', () => {
    const { IA } = hierarchy();
    expect(() => new Registry().registerHandler({} as never, [IA])).toThrow(InvalidRegistrationError);
  });
});

describe('Registry#notify', () => {
  it('an event → handlers for what it provides', () => {
    const IEvent = iface('IEvent');
    @implementer(IEvent)
    class Happened {}
    const seen: unknown[] = [];
    const r = new Registry();
    r.registerHandler((e: unknown) => void seen.push(e), [IEvent]);
    const e = new Happened();
    r.notify(e);
    expect(seen).toEqual([e]);
  });

  it('an object event → also handlers for (event.object, event)', () => {
    const IContent = iface('IContent');
    const IModified = iface<ObjectEvent>('IModified', IObjectEvent);
    @implementer(IModified)
    class Modified implements ObjectEvent {
      constructor(readonly object: unknown) {}
    }
    const calls: unknown[][] = [];
    const r = new Registry();
    r.registerHandler((...args: unknown[]) => void calls.push(['event', ...args]), [IModified]);
    r.registerHandler((...args: unknown[]) => void calls.push(['pair', ...args]), [IContent, IModified]);
    const content = providing(IContent);
    const event = new Modified(content);
    r.notify(event);
    expect(calls).toEqual([
      ['event', event],
      ['pair', content, event],
    ]);
    calls.length = 0;
    r.notify(new Modified({}));
    expect(calls.map((c) => c[0])).toEqual(['event']);
  });

  it('registration events → Registered/Unregistered also reach handlers for (registration, event)', () => {
    const IX = iface('IX');
    const r = new Registry();
    const byKind: string[] = [];
    r.registerHandler((reg: AdapterRegistration, e: RegistrationEvent) => void byKind.push(`${e.constructor.name}:${reg.name}`), [IAdapterRegistration, IRegistered]);
    r.registerHandler((reg: AdapterRegistration) => void byKind.push(`un:${reg.name}`), [IAdapterRegistration, IUnregistered]);
    r.registerAdapter(tag('f'), null, IX, { name: 'n' });
    r.unregisterAdapter(null, IX, { name: 'n' });
    r.registerUtility('u', IX);
    expect(byKind).toEqual(['Registered:n', 'un:n']);
  });
});

describe('Registry#events', () => {
  it('each kind of registration → Registered with its record, in this registry', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry({ name: 'app' });
    const events = recordEvents(r);
    const f = tag('f');
    const handler = (): void => {};
    r.registerAdapter(f, IA, IX, { name: 'n' });
    r.registerUtility('u', IX);
    r.registerSubscriptionAdapter(f, [IA], IX);
    r.registerHandler(handler, [IA]);
    expect(events.every((e) => e instanceof Registered)).toBe(true);
    const [adapter, utility, subscription, handlerRecord] = events.map((e) => e.object);
    expect(adapter).toBeInstanceOf(AdapterRegistration);
    expect(adapter).toMatchObject({ registry: r, required: [IA], provided: IX, name: 'n', factory: f });
    expect(utility).toBeInstanceOf(UtilityRegistration);
    expect(utility).toMatchObject({ registry: r, provided: IX, name: '', component: 'u' });
    expect(subscription).toBeInstanceOf(SubscriptionRegistration);
    expect(subscription).toMatchObject({ required: [IA], provided: IX, factory: f, name: '' });
    expect(handlerRecord).toBeInstanceOf(HandlerRegistration);
    expect(handlerRecord).toMatchObject({ required: [IA], provided: null, handler });
    expect(IRegistered.providedBy(events[0])).toBe(true);
    expect(IObjectEvent.providedBy(events[0])).toBe(true);
  });
});

describe('Registry#registeredAdapters', () => {
  it('registrations of every kind → each list has this registry’s own records', () => {
    const { IA, IC, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    base.registerAdapter(tag('base'), IA, IX, { name: 'base' });
    const r = new Registry({ name: 'local', bases: [base] });
    const f = tag('f');
    const handler = (): void => {};
    r.registerAdapter(f, IA, [IX, IC]);
    r.registerUtility('u', IX);
    r.registerUtility('v', IX, { name: 'v' });
    r.registerSubscriptionAdapter(f, [IA], IX);
    r.registerHandler(handler, [IA]);
    expect(r.registeredAdapters().map((a) => [a.provided, a.factory]).sort()).toEqual([[IX, f], [IC, f]].sort());
    expect(r.registeredUtilities().map((u) => u.component).sort()).toEqual(['u', 'v']);
    expect(r.registeredSubscriptionAdapters().map((s) => s.factory)).toEqual([f]);
    expect(r.registeredHandlers().map((h) => h.handler)).toEqual([handler]);
    r.unregisterAdapter(IA, IC);
    expect(r.registeredAdapters().map((a) => a.provided)).toEqual([IX]);
  });
});
