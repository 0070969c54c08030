import { alsoProvides, implementedBy, implementer, Interface, provider } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { caught, fixtures, providing, recordEvents } from '../test/support/fixtures.js';
import { adaptedBy, adapter, named } from './adapts.js';
import { Registry } from './components.js';
import { CannotInferRegistrationError, InvalidNameError, InvalidRegistrationError } from './errors.js';
import { AdapterRegistration, Registered } from './events.js';
import { registerAdapter, registerUtility, withRegistry } from './site.js';

// zope.component's @adapter / adaptedBy and zope.interface's @named, and the registrations
// that read them (zope.interface's test_registry.py: registerAdapter_wo_explicit_required,
// _wo_explicit_provided, _no_provided_available; registerUtility without provided or name).

const { iface } = fixtures('test.reg.adapts');

describe('@adapter / adaptedBy', () => {
  it('on a class → adaptedBy(cls) is the specs; an instance carries none', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @adapter(IFoo, IBar)
    class Baz {}
    expect(adaptedBy(Baz)).toEqual([IFoo, IBar]);
    expect(adaptedBy(new Baz())).toBeUndefined();
  });

  it('on a function, and in the standard decorator form → declared as well', () => {
    const IFoo = iface('IFoo');
    function makeFoo(): object {
      return {};
    }
    adapter(IFoo)(makeFoo);
    class Std {}
    adapter(IFoo, null)(Std, { kind: 'class', name: 'Std' });
    expect(adaptedBy(makeFoo)).toEqual([IFoo]);
    expect(adaptedBy(Std)).toEqual([IFoo, null]);
  });

  it('a subclass → inherits its base class declaration, and may declare its own', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @adapter(IFoo)
    class Base {}
    class Child extends Base {}
    @adapter(IBar)
    class Other extends Base {}
    expect(adaptedBy(Child)).toEqual([IFoo]);
    expect(adaptedBy(Other)).toEqual([IBar]);
    expect(adaptedBy(Base)).toEqual([IFoo]);
  });

  it('nothing declared, or not a function → undefined', () => {
    expect(adaptedBy(class Plain {})).toBeUndefined();
    expect(adaptedBy({})).toBeUndefined();
    expect(adaptedBy(null)).toBeUndefined();
  });

  it('a bad spec, or a non-function target → InvalidRegistrationError at decoration', () => {
    expect(() => adapter('IFoo' as never)).toThrow(InvalidRegistrationError);
    expect(() => adapter(iface('IFoo'))({})).toThrow(InvalidRegistrationError);
  });
});

describe('@named', () => {
  it('on a class, a function, an instance → the default name (zope NamedTests)', () => {
    const IFoo = iface('IFoo');
    @named('foo')
    @implementer(IFoo)
    class Foo {}
    function doFoo(): object {
      return {};
    }
    named('foo')(doFoo);
    const foo = {};
    named('foo')(foo);
    alsoProvides(foo, IFoo);
    const r = new Registry();
    r.registerUtility(foo);
    r.registerAdapter(doFoo, [IFoo], IFoo);
    expect(r.queryUtility(IFoo, 'foo')).toBe(foo);
    expect(r.queryAdapter(new Foo(), IFoo, 'foo')).toEqual({});
  });

  it('a named class → its instances and subclasses share the name; an explicit name wins', () => {
    const IFoo = iface('IFoo');
    @named('store')
    @implementer(IFoo)
    class Store {}
    class SubStore extends Store {}
    const r = new Registry();
    const a = new Store();
    const b = new SubStore();
    r.registerUtility(a, IFoo);
    r.registerUtility(b, IFoo, { name: 'other' });
    expect(r.queryUtility(IFoo, 'store')).toBe(a);
    expect(r.queryUtility(IFoo, 'other')).toBe(b);
    expect(r.queryUtility(IFoo)).toBeUndefined();
    r.registerUtility(new SubStore(), IFoo, { name: '' });
    expect(r.queryUtility(IFoo)).toBeInstanceOf(SubStore);
  });

  it('a non-string name or a target that cannot take one → an error at decoration', () => {
    expect(() => named(7 as never)).toThrow(InvalidNameError);
    expect(() => named('x')(Object.freeze({}))).toThrow(InvalidRegistrationError);
  });
});

describe('registerAdapter(factory) with the rest declared', () => {
  it('@adapter and @implementer → required and provided inferred, Registered fired', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @adapter(IBar)
    @implementer(IFoo)
    class Factory {
      constructor(readonly context: unknown) {}
    }
    const r = new Registry();
    const events = recordEvents(r);
    r.registerAdapter(Factory);
    const bar = providing(IBar);
    expect((r.queryAdapter(bar, IFoo) as Factory).context).toBe(bar);
    expect(events).toHaveLength(1);
    expect(events[0]).toBeInstanceOf(Registered);
    const record = events[0]!.object as AdapterRegistration;
    expect(record).toBeInstanceOf(AdapterRegistration);
    expect(record.required).toEqual([IBar]);
    expect(record.provided).toBe(IFoo);
    expect(record.factory).toBe(Factory);
  });

  it('explicit provided, required from @adapter (zope test_registerAdapter_wo_explicit_required)', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @adapter(IBar)
    class Factory {}
    const r = new Registry();
    r.registerAdapter(Factory, { provided: IFoo, name: 'name' });
    expect(r.registeredAdapters().map((a) => [a.required, a.provided, a.name])).toEqual([[[IBar], IFoo, 'name']]);
  });

  it('explicit required, provided from @implementer (zope test_registerAdapter_wo_explicit_provided)', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @implementer(IFoo)
    class Factory {}
    const r = new Registry();
    r.registerAdapter(Factory, { required: [IBar] });
    r.registerAdapter(Factory, { required: null, name: 'any' });
    expect(r.registeredAdapters().map((a) => [a.required, a.provided, a.name])).toEqual([
      [[IBar], IFoo, ''],
      [[Interface], IFoo, 'any'],
    ]);
  });

  it('a multi-adapter declared with @adapter → called with every adapted object', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    const IPage = iface('IPage');
    const page = (foo: object, bar: object) => ({ foo, bar });
    adapter(IFoo, IBar)(page);
    implementer(IPage)(page);
    const r = new Registry();
    r.registerAdapter(page);
    const [foo, bar] = [providing(IFoo), providing(IBar)];
    expect(r.queryMultiAdapter([foo, bar], IPage)).toEqual({ foo, bar });
  });

  it('no @adapter and no required → CannotInferRegistrationError saying what to do; nothing registered', () => {
    const IFoo = iface('IFoo');
    @implementer(IFoo)
    class Counter {}
    const r = new Registry();
    const error = caught(() => r.registerAdapter(Counter)) as CannotInferRegistrationError;
    expect(error).toBeInstanceOf(CannotInferRegistrationError);
    expect(error.code).toBe('DT_REG_CANNOT_INFER');
    expect(error.missing).toBe('required');
    expect(error.message).toBe(
      'registerAdapter(class Counter): no required specs were given, and the factory declares none ' +
        '(no @adapter(...) on it or a base class). Pass them — registerAdapter(Factory, Session, ICounter) — ' +
        'or decorate the factory with @adapter(Session). Nothing was registered.',
    );
    expect(r.registeredAdapters()).toEqual([]);
  });

  it('no provided and not exactly one interface implemented → CannotInferRegistrationError (zope test_registerAdapter_no_provided_available)', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @adapter(IBar)
    class None {}
    @adapter(IBar)
    @implementer(IFoo, IBar)
    class Two {}
    const r = new Registry();
    const none = caught(() => r.registerAdapter(None)) as CannotInferRegistrationError;
    expect(none.missing).toBe('provided');
    expect(none.message).toContain('it implements no interface');
    const two = caught(() => r.registerAdapter(Two)) as CannotInferRegistrationError;
    expect(two.message).toContain(`it implements 2 (${IFoo.name}, ${IBar.name}), so which one is meant is ambiguous`);
    expect(two.message).toContain('registerAdapter(Factory, { provided: ICounter })');
    expect(r.registeredAdapters()).toEqual([]);
  });

  it('@named on the factory → the default name; the module-level function reads the same', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @named('index')
    @adapter(IBar)
    @implementer(IFoo)
    class View {}
    const r = new Registry();
    withRegistry(r, () => registerAdapter(View));
    r.registerAdapter(View, IBar, IFoo, { name: 'explicit' });
    expect(r.registeredAdapters().map((a) => a.name)).toEqual(['index', 'explicit']);
  });

  it('a non-function factory → InvalidRegistrationError before anything is inferred', () => {
    expect(() => new Registry().registerAdapter({} as never)).toThrow(InvalidRegistrationError);
  });
});

describe('registerUtility(component) with provided declared', () => {
  it('an object providing one interface → registered for it', () => {
    const IClock = iface('IClock');
    const clock = providing(IClock);
    const r = new Registry();
    withRegistry(r, () => registerUtility(clock));
    expect(r.getUtility(IClock)).toBe(clock);
  });

  it('a class with @provider → the class itself is the utility (its instances provide nothing)', () => {
    const IFactory = iface('IFactory');
    @provider(IFactory)
    class Maker {}
    const r = new Registry();
    r.registerUtility(Maker);
    expect(r.getUtility(IFactory)).toBe(Maker);
    expect(implementedBy(Maker).interfaces()).toEqual([]);
  });

  it('providing none or several → CannotInferRegistrationError naming them', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const r = new Registry();
    const none = caught(() => r.registerUtility({})) as CannotInferRegistrationError;
    expect(none.code).toBe('DT_REG_CANNOT_INFER');
    expect(none.message).toMatch(/^registerUtility\(a plain object\): no provided interface was given, and it provides no interface\. Pass it/);
    const two = caught(() => r.registerUtility(providing(IA, IB))) as CannotInferRegistrationError;
    expect(two.message).toContain(`it provides 2 (${IA.name}, ${IB.name})`);
    expect(r.registeredUtilities()).toEqual([]);
  });
});
