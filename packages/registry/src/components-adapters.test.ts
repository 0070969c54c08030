import { implementedBy, Interface } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { caught, fixtures, providing, recordEvents, tag } from '../test/support/fixtures.js';
import { Registry } from './components.js';
import { AdapterAlreadyRegisteredError, InvalidNameError, InvalidRegistrationError } from './errors.js';
import { Registered, Unregistered } from './events.js';
import type { AdapterRegistration} from './events.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

// Registry: registering and unregistering adapters.
// Adapter lookups are in components-adapter-lookup.test.ts.

const { hierarchy } = fixtures('test.reg.comp');

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
    const error = caught(() => r.registerAdapter(tag('x'), IA, class NotAnInterface {} as unknown as InterfaceSpec)) as InvalidRegistrationError;
    expect(error).toBeInstanceOf(InvalidRegistrationError);
    expect(error.code).toBe('DT_REG_INVALID_REGISTRATION');
    expect(() => r.registerAdapter(tag('x'), IA, [IX, 'IY' as unknown as InterfaceSpec])).toThrow(InvalidRegistrationError);
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

  it('undefined as required → a TypeError, nothing registered: only null means anything', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    class Plain {}
    // zope raises TypeError when required can be neither taken from the call nor inferred.
    const error = caught(() => r.registerAdapter(Plain, undefined as never, IX));
    expect(error).toBeInstanceOf(TypeError);
    expect(() => r.registerAdapter(tag('x'), [IA, undefined as never], IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerSubscriptionAdapter(tag('x'), [undefined as never], IX)).toThrow(InvalidRegistrationError);
    expect(() => r.registerHandler(() => undefined, [undefined as never])).toThrow(InvalidRegistrationError);
    expect(r.registeredAdapters()).toEqual([]);
    expect(r.registeredSubscriptionAdapters()).toEqual([]);
    expect(r.queryAdapter(new Plain(), IX)).toBeUndefined();
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
