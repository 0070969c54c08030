import { describe, expect, it } from '@jest/globals';
import {
  AdaptationError,
  alsoProvides,
  defineInterface,
  implementedBy,
  implementer,
  Interface,
  providedBy,
} from '@dovetail/interfaces';
import type { InterfaceSpec } from '@dovetail/interfaces';
import { Registry } from './components.js';
import {
  AdapterAlreadyRegisteredError,
  ComponentLookupError,
  InvalidNameError,
  InvalidRegistrationError,
} from './errors.js';
import {
  AdapterRegistration,
  HandlerRegistration,
  IAdapterRegistration,
  IObjectEvent,
  IRegistered,
  IRegistrationEvent,
  IUnregistered,
  Registered,
  SubscriptionRegistration,
  Unregistered,
  UtilityRegistration,
} from './events.js';
import type { ObjectEvent, RegistrationEvent } from './events.js';
import { withRegistry } from './site.js';

let counter = 0;
const iface = <T = unknown>(short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<T> =>
  defineInterface<T>(`test.reg.comp${++counter}.${short}`, { extends: bases });

function hierarchy() {
  const IA = iface('IA');
  const IB = iface('IB', IA);
  const IC = iface('IC');
  const IQ = iface('IQ');
  const IQ2 = iface('IQ2', IQ);
  const IP = iface('IP');
  const IP1 = iface('IP1', IP);
  const IP2 = iface('IP2', IP);
  const IX = iface('IX');
  return { IA, IB, IC, IQ, IQ2, IP, IP1, IP2, IX };
}

/** An object providing the given interfaces directly. */
function providing(...ifaces: InterfaceSpec<unknown>[]): object {
  const o = {};
  if (ifaces.length) alsoProvides(o, ...ifaces);
  return o;
}

/** Everything the registry notifies: registers a catch-all handler first. */
function recordEvents(registry: Registry): RegistrationEvent[] {
  const seen: RegistrationEvent[] = [];
  registry.registerHandler((e: RegistrationEvent) => void seen.push(e), [IRegistrationEvent]);
  seen.length = 0;
  return seen;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const tag = (label: string) => (obj: unknown) => ({ label, obj });

describe('Registry#registerAdapter', () => {
  it('a class factory → constructed with new and the adapted object', () => {
    const { IA, IX } = hierarchy();
    class XFromA {
      constructor(readonly context: unknown) {}
    }
    const r = new Registry();
    r.registerAdapter(XFromA, IA, IX);
    const a = providing(IA);
    const x = r.queryAdapter(a, IX) as XFromA;
    expect(x).toBeInstanceOf(XFromA);
    expect(x.context).toBe(a);
  });

  it('a function factory → called with the adapted object', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('fn'), [IA], IX);
    const a = providing(IA);
    expect(r.queryAdapter(a, IX)).toEqual({ label: 'fn', obj: a });
  });

  it('a class as required → instances of subclasses match, the most specific class wins', () => {
    const { IX } = hierarchy();
    class Host {}
    class SubHost extends Host {}
    class SubSubHost extends SubHost {}
    const r = new Registry();
    r.registerAdapter(tag('host'), Host, IX);
    expect((r.queryAdapter(new SubSubHost(), IX) as { label: string }).label).toBe('host');
    r.registerAdapter(tag('sub'), SubHost, IX);
    expect((r.queryAdapter(new SubSubHost(), IX) as { label: string }).label).toBe('sub');
    expect((r.queryAdapter(new Host(), IX) as { label: string }).label).toBe('host');
    expect(r.queryAdapter({}, IX)).toBeUndefined();
  });

  it('null or Interface as required → applies to anything', () => {
    const { IX, IC } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('null'), null, IX);
    r.registerAdapter(tag('root'), Interface, IC);
    for (const value of [{}, 3, 'text', [], new (class {})()]) {
      expect((r.queryAdapter(value, IX) as { label: string }).label).toBe('null');
      expect((r.queryAdapter(value, IC) as { label: string }).label).toBe('root');
    }
  });

  it('a declaration as required → used as is', () => {
    const { IX } = hierarchy();
    class Host {}
    const r = new Registry();
    r.registerAdapter(tag('decl'), implementedBy(Host), IX);
    expect(r.queryAdapter(new Host(), IX)).toBeDefined();
  });

  it('several provided interfaces → registered for each', () => {
    const { IA, IB, IC } = hierarchy();
    class Host {}
    const r = new Registry();
    r.registerAdapter(tag('ab'), Host, [IA, IC]);
    expect(r.queryAdapter(new Host(), IA)).toBeDefined();
    expect(r.queryAdapter(new Host(), IC)).toBeDefined();
    expect(r.queryAdapter(new Host(), IB)).toBeUndefined();
  });

  it('registerAdapter(AB, Host, [IC, IA]) with IA already registered → throws, IC stays unregistered', () => {
    const { IA, IC } = hierarchy();
    class Host {}
    class Existing {
      constructor(readonly o: unknown) {}
    }
    class AB {
      constructor(readonly o: unknown) {}
    }
    const r = new Registry();
    r.registerAdapter(Existing, Host, IA);
    const events = recordEvents(r);
    expect(() => r.registerAdapter(AB, Host, [IC, IA])).toThrow(AdapterAlreadyRegisteredError);
    expect(r.queryAdapter(new Host(), IC)).toBeUndefined();
    expect(r.queryAdapter(new Host(), IA)).toBeInstanceOf(Existing);
    expect(events).toEqual([]);
  });

  it('another factory for the same keys → AdapterAlreadyRegisteredError naming the existing factory', () => {
    const { IA, IX } = hierarchy();
    class FirstFactory {
      constructor(readonly o: unknown) {}
    }
    const r = new Registry();
    r.registerAdapter(FirstFactory, IA, IX, { name: 'n' });
    const error = caught(() => r.registerAdapter(tag('second'), IA, IX, { name: 'n' })) as AdapterAlreadyRegisteredError;
    expect(error).toBeInstanceOf(AdapterAlreadyRegisteredError);
    expect(error.code).toBe('DT_REG_ALREADY_REGISTERED');
    expect(error.existing).toBe(FirstFactory);
    expect(error.message).toContain('FirstFactory');
    expect(error.message).toContain(IX.name);
    expect(error.message).toContain('"n"');
    expect(error.message).toContain('replace: true');
  });

  it('a registration in a base for the same keys → no conflict, the local one shadows it', () => {
    const { IA, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerAdapter(tag('base'), IA, IX);
    local.registerAdapter(tag('local'), IA, IX);
    expect((local.queryAdapter(providing(IA), IX) as { label: string }).label).toBe('local');
  });

  it('replace: true → the new factory, events Unregistered(old) then Registered(new)', () => {
    const { IA, IX } = hierarchy();
    const first = tag('first');
    const second = tag('second');
    const r = new Registry();
    r.registerAdapter(first, IA, IX);
    const events = recordEvents(r);
    r.registerAdapter(second, IA, IX, { replace: true });
    expect((r.queryAdapter(providing(IA), IX) as { label: string }).label).toBe('second');
    expect(events.map((e) => e.constructor)).toEqual([Unregistered, Registered]);
    expect((events[0]!.object as AdapterRegistration).factory).toBe(first);
    expect((events[1]!.object as AdapterRegistration).factory).toBe(second);
  });

  it('the same factory twice → a no-op, no event', () => {
    const { IA, IX } = hierarchy();
    const f = tag('f');
    const r = new Registry();
    r.registerAdapter(f, IA, IX);
    const events = recordEvents(r);
    const generation = r.adapters.generation;
    r.registerAdapter(f, IA, IX);
    expect(events).toEqual([]);
    expect(r.adapters.generation).toBe(generation);
    expect(r.registeredAdapters()).toHaveLength(1);
  });

  it('a non-function factory → InvalidRegistrationError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    expect(() => r.registerAdapter({} as never, IA, IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerAdapter(null as never, IA, IX)).toThrow(InvalidRegistrationError);
  });

  it('a non-interface provided → InvalidRegistrationError, nothing registered', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    const error = caught(() => r.registerAdapter(tag('x'), IA, class NotAnInterface {} as never)) as InvalidRegistrationError;
    expect(error).toBeInstanceOf(InvalidRegistrationError);
    expect(error.code).toBe('DT_REG_INVALID_REGISTRATION');
    expect(() => r.registerAdapter(tag('x'), IA, [IX, 'IY' as never])).toThrow(InvalidRegistrationError);
    expect(() => r.registerAdapter(tag('x'), IA, [])).toThrow(InvalidRegistrationError);
    expect(r.registeredAdapters()).toEqual([]);
  });

  it('a non-spec required → InvalidRegistrationError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    expect(() => r.registerAdapter(tag('x'), 42 as never, IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerAdapter(tag('x'), [IA, {} as never], IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerAdapter(tag('x'), 'IA' as never, IX)).toThrow(InvalidRegistrationError);
    expect(r.registeredAdapters()).toEqual([]);
  });

  it('a non-string name → InvalidNameError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    const error = caught(() => r.registerAdapter(tag('x'), IA, IX, { name: 3 as never })) as InvalidNameError;
    expect(error).toBeInstanceOf(InvalidNameError);
    expect(error.code).toBe('DT_REG_INVALID_NAME');
    expect(() => r.registerAdapter(tag('x'), IA, IX, { name: null as never })).toThrow(InvalidNameError);
  });
});

describe('Registry#unregisterAdapter', () => {
  it('without a factory → removes the registration, Unregistered event, true', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    const events = recordEvents(r);
    expect(r.unregisterAdapter(IA, IX)).toBe(true);
    expect(r.queryAdapter(providing(IA), IX)).toBeUndefined();
    expect(events.map((e) => e.constructor)).toEqual([Unregistered]);
    expect(r.unregisterAdapter(IA, IX)).toBe(false);
  });

  it('with the registered factory → removed; with another → false, kept', () => {
    const { IA, IX } = hierarchy();
    const f = tag('f');
    const r = new Registry();
    r.registerAdapter(f, [IA], IX, { name: 'n' });
    expect(r.unregisterAdapter([IA], IX, { name: 'n', factory: tag('g') })).toBe(false);
    expect(r.queryAdapter(providing(IA), IX, 'n')).toBeDefined();
    expect(r.unregisterAdapter([IA], IX, { name: 'n', factory: f })).toBe(true);
    expect(r.queryAdapter(providing(IA), IX, 'n')).toBeUndefined();
  });

  it('a class required → the registration made for that class', () => {
    const { IX } = hierarchy();
    class Host {}
    const r = new Registry();
    r.registerAdapter(tag('h'), Host, IX);
    expect(r.unregisterAdapter(Host, IX)).toBe(true);
    expect(r.queryAdapter(new Host(), IX)).toBeUndefined();
  });

  it('a non-string name → InvalidNameError', () => {
    const { IA, IX } = hierarchy();
    expect(() => new Registry().unregisterAdapter(IA, IX, { name: 1 as never })).toThrow(InvalidNameError);
  });
});

describe('Registry#queryAdapter', () => {
  it('rules 1–6 through the Registry → zope’s choices', () => {
    const { IA, IB, IP, IP1, IP2, IX } = hierarchy();
    // Rule 1: a local registration for Interface shadows a base one for IB.
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerAdapter(tag('base-IB'), IB, IX);
    local.registerAdapter(tag('local-any'), null, IX);
    expect((local.queryAdapter(providing(IB), IX) as { label: string }).label).toBe('local-any');
    // Rule 3: required specificity beats provided closeness.
    const r = new Registry();
    r.registerAdapter(tag('A-P'), IA, IP);
    r.registerAdapter(tag('B-P1'), IB, IP1);
    expect((r.queryAdapter(providing(IB), IP) as { label: string }).label).toBe('B-P1');
    // Rule 4: exact provided beats an extension.
    r.registerAdapter(tag('B-P'), IB, IP);
    expect((r.queryAdapter(providing(IB), IP) as { label: string }).label).toBe('B-P');
    // Rule 5: unrelated siblings → the most recent.
    const s = new Registry();
    s.registerAdapter(tag('P1'), IA, IP1);
    s.registerAdapter(tag('P2'), IA, IP2);
    expect((s.queryAdapter(providing(IA), IP) as { label: string }).label).toBe('P2');
    // Rule 6: names exact.
    expect(s.queryAdapter(providing(IA), IP, 'named')).toBeUndefined();
  });

  it('a miss → undefined, or the fallback', () => {
    const { IX } = hierarchy();
    const r = new Registry();
    expect(r.queryAdapter({}, IX)).toBeUndefined();
    expect(r.queryAdapter({}, IX, '', 'default')).toBe('default');
  });

  it('a factory returning null → no adapter: undefined or the fallback; I(obj) → AdaptationError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(() => null, IA, IX);
    r.registerAdapter(() => undefined, IA, IX, { name: 'u' });
    const a = providing(IA);
    expect(r.queryAdapter(a, IX)).toBeUndefined();
    expect(r.queryAdapter(a, IX, '', 'fallback')).toBe('fallback');
    expect(r.queryAdapter(a, IX, 'u', 'fallback')).toBe('fallback');
    withRegistry(r, () => {
      expect(() => IX(a)).toThrow(AdaptationError);
      expect(IX(a, 'alt')).toBe('alt');
    });
  });

  it('a throwing factory → its error propagates unchanged', () => {
    const { IA, IX } = hierarchy();
    const boom = new RangeError('boom');
    const r = new Registry();
    r.registerAdapter(() => {
      throw boom;
    }, IA, IX);
    expect(caught(() => r.queryAdapter(providing(IA), IX))).toBe(boom);
    expect(caught(() => withRegistry(r, () => IX(providing(IA))))).toBe(boom);
  });

  it('a named lookup → the named adapter', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('unnamed'), IA, IX);
    r.registerAdapter(tag('named'), IA, IX, { name: 'n' });
    expect((r.queryAdapter(providing(IA), IX, 'n') as { label: string }).label).toBe('named');
  });

  it('a non-string name → InvalidNameError', () => {
    const { IX } = hierarchy();
    const r = new Registry();
    expect(() => r.queryAdapter({}, IX, 5 as never)).toThrow(InvalidNameError);
    expect(() => r.lookup([null], IX, {} as never)).toThrow(InvalidNameError);
  });
});

describe('Registry#getAdapter', () => {
  it('a hit → the adapter', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    expect(r.getAdapter(providing(IA), IX)).toBeDefined();
  });

  it('a miss → ComponentLookupError naming provided, name, required and registry', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry({ name: 'app' });
    const error = caught(() => r.getAdapter(providing(IA), IX, 'page')) as ComponentLookupError;
    expect(error).toBeInstanceOf(ComponentLookupError);
    expect(error.code).toBe('DT_REG_COMPONENT_NOT_FOUND');
    expect(error.provided).toBe(IX.name);
    expect(error.lookupName).toBe('page');
    expect(error.registry).toBe('app');
    expect(error.message).toContain(IX.name);
    expect(error.message).toContain('"page"');
  });

  it('a factory returning null → ComponentLookupError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(() => null, IA, IX);
    expect(() => r.getAdapter(providing(IA), IX)).toThrow(ComponentLookupError);
  });
});

describe('Registry#queryMultiAdapter', () => {
  it('registrations (IA, IQ2) and (IB, IQ), objects (IB, IQ2) → the (IB, IQ) adapter', () => {
    const { IA, IB, IQ, IQ2, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter((a: unknown, b: unknown) => ({ label: 'A-Q2', a, b }), [IA, IQ2], IX);
    r.registerAdapter((a: unknown, b: unknown) => ({ label: 'B-Q', a, b }), [IB, IQ], IX);
    const b = providing(IB);
    const q2 = providing(IQ2);
    expect(r.queryMultiAdapter([b, q2], IX)).toEqual({ label: 'B-Q', a: b, b: q2 });
    expect((r.queryMultiAdapter([providing(IA), q2], IX) as { label: string }).label).toBe('A-Q2');
  });

  it('a class factory with two objects → constructed with both', () => {
    const { IA, IQ, IX } = hierarchy();
    class Page {
      constructor(readonly request: unknown, readonly view: unknown) {}
    }
    const r = new Registry();
    r.registerAdapter(Page, [IA, IQ], IX, { name: 'index' });
    const request = providing(IA);
    const view = providing(IQ);
    const page = r.queryMultiAdapter([request, view], IX, 'index') as Page;
    expect(page).toBeInstanceOf(Page);
    expect([page.request, page.view]).toEqual([request, view]);
    expect(r.queryMultiAdapter([request, view], IX)).toBeUndefined();
  });

  it('one and three objects → adapters of that order', () => {
    const { IA, IQ, IC, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter((...objs: unknown[]) => ({ n: objs.length }), [IA], IX);
    r.registerAdapter((...objs: unknown[]) => ({ n: objs.length }), [IA, IQ, IC], IX);
    expect(r.queryMultiAdapter([providing(IA)], IX)).toEqual({ n: 1 });
    expect(r.queryMultiAdapter([providing(IA), providing(IQ), providing(IC)], IX)).toEqual({ n: 3 });
    expect(r.queryMultiAdapter([providing(IA), providing(IQ)], IX, '', 'none')).toBe('none');
  });

  it('a factory returning null → the fallback; getMultiAdapter → ComponentLookupError', () => {
    const { IA, IQ, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(() => null, [IA, IQ], IX);
    const objs = [providing(IA), providing(IQ)];
    expect(r.queryMultiAdapter(objs, IX, '', 'fb')).toBe('fb');
    const error = caught(() => r.getMultiAdapter(objs, IX)) as ComponentLookupError;
    expect(error).toBeInstanceOf(ComponentLookupError);
    expect(error.required).toHaveLength(2);
  });

  it('a non-string name → InvalidNameError', () => {
    const { IX } = hierarchy();
    expect(() => new Registry().queryMultiAdapter([{}, {}], IX, null as never)).toThrow(InvalidNameError);
  });
});

describe('Registry#getAdapters', () => {
  it('names registered here, in a base and for less specific specs → one per name, local/specific win, null skipped', () => {
    const { IA, IB, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerAdapter(tag('base-a'), IB, IX, { name: 'a' });
    base.registerAdapter(tag('base-b'), IA, IX, { name: 'b' });
    local.registerAdapter(tag('local-a'), IA, IX, { name: 'a' });
    local.registerAdapter(tag('local-B'), IB, IX, { name: 'b' });
    local.registerAdapter(() => null, IB, IX, { name: 'none' });
    local.registerAdapter(tag('unnamed'), IA, IX);
    const b = providing(IB);
    const got = new Map(local.getAdapters([b], IX).map(([n, v]) => [n, (v as { label: string }).label]));
    expect(got).toEqual(
      new Map([
        ['a', 'local-a'],
        ['b', 'local-B'],
        ['', 'unnamed'],
      ]),
    );
  });
});

describe('Registry#lookup', () => {
  it('registered specs → the factory that would be used', () => {
    const { IA, IB, IX } = hierarchy();
    const f = tag('f');
    const r = new Registry();
    r.registerAdapter(f, IA, IX);
    expect(r.lookup([IB], IX)).toBe(f);
    expect(r.lookup([IB], IX, 'n')).toBeUndefined();
    class Host {}
    r.registerAdapter(f, Host, IX, { name: 'h' });
    expect(r.lookup([Host], IX, 'h')).toBe(f);
  });
});

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

describe('Registry#bases', () => {
  it('r4(r2, r3), r2(r1), r3(r1) → adapters and utilities consulted in order r4, r2, r3, r1', () => {
    const IX = iface('IX');
    const r1 = new Registry({ name: 'r1' });
    const r2 = new Registry({ name: 'r2', bases: [r1] });
    const r3 = new Registry({ name: 'r3', bases: [r1] });
    const r4 = new Registry({ name: 'r4', bases: [r2, r3] });
    expect(r4.adapters.ro).toEqual([r4.adapters, r2.adapters, r3.adapters, r1.adapters]);
    expect(r4.utilities.ro).toEqual([r4.utilities, r2.utilities, r3.utilities, r1.utilities]);
    r1.registerUtility('r1', IX);
    r3.registerUtility('r3', IX);
    expect(r4.queryUtility(IX)).toBe('r3');
    r2.registerUtility('r2', IX);
    expect(r4.queryUtility(IX)).toBe('r2');
    expect(r4.bases).toEqual([r2, r3]);
  });

  it('a change in a base after a cached lookup → seen by the child', () => {
    const { IA, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    const child = new Registry({ name: 'child', bases: [base] });
    const a = providing(IA);
    expect(child.queryAdapter(a, IX)).toBeUndefined();
    base.registerAdapter(tag('base'), IA, IX);
    expect((child.queryAdapter(a, IX) as { label: string }).label).toBe('base');
    base.unregisterAdapter(IA, IX);
    expect(child.queryAdapter(a, IX)).toBeUndefined();
  });

  it('bases set later → lookups follow them', () => {
    const { IA, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    base.registerAdapter(tag('base'), IA, IX);
    const r = new Registry({ name: 'late' });
    expect(r.queryAdapter(providing(IA), IX)).toBeUndefined();
    r.bases = [base];
    expect(r.bases).toEqual([base]);
    expect(r.queryAdapter(providing(IA), IX)).toBeDefined();
  });

  it('a base that is not a Registry → InvalidRegistrationError', () => {
    expect(() => new Registry({ bases: [{} as never] })).toThrow(InvalidRegistrationError);
  });

  it('toString → names the registry', () => {
    expect(String(new Registry({ name: 'app' }))).toBe('<Registry app>');
  });
});

describe('Registry#cache', () => {
  it('a queryAdapter hit repeated → one uncached lookup', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    let uncached = 0;
    const original = r.adapters.uncachedLookup.bind(r.adapters);
    r.adapters.uncachedLookup = (...args) => {
      uncached++;
      return original(...args);
    };
    const a = providing(IA);
    for (let i = 0; i < 10; i++) r.queryAdapter(a, IX);
    expect(uncached).toBe(1);
  });

  it('the provided interface a declaration extends → providedBy(obj) used as the key', () => {
    const { IA, IX } = hierarchy();
    @implementer(IA)
    class Thing {}
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    expect(r.adapters.lookup1(providedBy(new Thing()), IX)).toBeDefined();
  });
});
