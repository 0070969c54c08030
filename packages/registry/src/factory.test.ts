import 'reflect-metadata';
import { alsoProvides, defineInterface, implementer } from '@dovetail/interfaces';
import { describe, expect, it, jest } from '@jest/globals';
import { inject, injectable, named, optional } from 'inversify';
import { Componentized } from './componentized.js';
import { Registry } from './components.js';
import { AdapterDependencyError } from './errors.js';
import { invokerFor, isClass } from './factory.js';
import { withRegistry } from './site.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

let counter = 0;
const iface = <T = unknown>(short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<T> =>
  defineInterface<T>(`test.reg.factory${++counter}.${short}`, { extends: bases });

interface Clock {
  now(): number;
}
const IClock = iface<Clock>('IClock');
const ICounter = iface<{ value: number; clock: Clock }>('ICounter');
const IStore = iface<{ name: string }>('IStore');
// Untyped: the adapters registered for it have shapes of their own.
const IHeld = iface('IHeld');
const IPage = iface<unknown>('IPage');
const IRequest = iface('IRequest');
const IView = iface('IView');

class Session extends Componentized {}

@injectable()
@implementer(ICounter)
class ClockedCounter {
  value = 0;
  constructor(
    readonly session: Session,
    @inject(IClock.id) readonly clock: Clock,
  ) {}
}

const clockAt = (t: number): Clock => ({ now: () => t });

describe('isClass', () => {
  it('classes, functions, arrows and non-functions → true only for classes', () => {
    class A {}
    function f(): void {}
    expect(isClass(A)).toBe(true);
    expect(isClass(class {})).toBe(true);
    expect(isClass(f)).toBe(false);
    expect(isClass(() => 1)).toBe(false);
    expect(isClass(async () => 1)).toBe(false);
    expect(isClass({})).toBe(false);
    expect(isClass(null)).toBe(false);
    // Asked again → the same answer (cached).
    expect(isClass(A)).toBe(true);
  });
});

describe('invokerFor', () => {
  const context = { container: new Registry().container, utilitiesGeneration: 0 };

  it('a function → called, not constructed, with the objects', () => {
    const f = jest.fn((...args: unknown[]) => args.length);
    const { call, call1 } = invokerFor(f, 2, context);
    expect(call([1, 2])).toBe(2);
    expect(call1(1)).toBe(1);
    expect(f).toHaveBeenCalledWith(1, 2);
  });

  it('a plain class → constructed with the objects', () => {
    class Pair {
      constructor(readonly a: unknown, readonly b: unknown) {}
    }
    const { call, call1 } = invokerFor(Pair, 2, context);
    expect(call([1, 2])).toEqual(new Pair(1, 2));
    expect(call1(1)).toEqual(new Pair(1, undefined));
  });
});

describe('Registry#registerAdapter (inversify bridge)', () => {
  it('an @injectable adapter → gets the adapted object and the clock registered as a utility', () => {
    const r = new Registry();
    const clock = clockAt(5);
    r.registerUtility(clock, IClock);
    r.registerAdapter(ClockedCounter, Session, ICounter);
    const session = new Session();
    const c = r.queryAdapter(session, ICounter) as ClockedCounter;
    expect(c).toBeInstanceOf(ClockedCounter);
    expect(c.session).toBe(session);
    expect(c.clock).toBe(clock);
  });

  it('through I(session) on a Componentized → built once, with its clock', () => {
    const r = new Registry();
    r.registerUtility(clockAt(1), IClock);
    r.registerAdapter(ClockedCounter, Session, ICounter);
    withRegistry(r, () => {
      const session = new Session();
      expect(ICounter(session)).toBe(ICounter(session));
      expect(ICounter(session).clock.now()).toBe(1);
    });
  });

  it('n adaptations → dependencies resolved once (one container.get)', () => {
    const r = new Registry();
    r.registerUtility(clockAt(1), IClock);
    r.registerAdapter(ClockedCounter, Session, ICounter);
    const get = jest.spyOn(r.container, 'get');
    for (let i = 0; i < 50; i++) r.queryAdapter(new Session(), ICounter);
    expect(get).toHaveBeenCalledTimes(1);
    get.mockRestore();
  });

  it('the utility replaced → the next adaptation gets the new one', () => {
    const r = new Registry();
    r.registerUtility(clockAt(1), IClock);
    r.registerAdapter(ClockedCounter, Session, ICounter);
    expect((r.queryAdapter(new Session(), ICounter) as ClockedCounter).clock.now()).toBe(1);
    r.registerUtility(clockAt(2), IClock);
    expect((r.queryAdapter(new Session(), ICounter) as ClockedCounter).clock.now()).toBe(2);
  });

  it('the utility registered only after the adapter → found at adaptation', () => {
    const r = new Registry();
    r.registerAdapter(ClockedCounter, Session, ICounter);
    r.registerUtility(clockAt(3), IClock);
    expect((r.queryAdapter(new Session(), ICounter) as ClockedCounter).clock.now()).toBe(3);
  });

  it('the utility in a base registry → found through the container hierarchy', () => {
    const base = new Registry({ name: 'base' });
    base.registerUtility(clockAt(4), IClock);
    const r = new Registry({ name: 'local', bases: [base] });
    r.registerAdapter(ClockedCounter, Session, ICounter);
    expect((r.queryAdapter(new Session(), ICounter) as ClockedCounter).clock.now()).toBe(4);
  });

  it('a missing dependency → AdapterDependencyError naming the class, parameter and service', () => {
    const r = new Registry();
    r.registerAdapter(ClockedCounter, Session, ICounter);
    let error: unknown;
    try {
      r.queryAdapter(new Session(), ICounter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdapterDependencyError);
    const e = error as AdapterDependencyError;
    expect(e.code).toBe('DT_REG_ADAPTER_DEPENDENCY');
    expect(e.factory).toBe('ClockedCounter');
    expect(e.parameter).toBe(1);
    expect(e.message).toContain(IClock.name);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('an @optional dependency missing → undefined', () => {
    @injectable()
    class MaybeClocked {
      constructor(
        readonly session: Session,
        @inject(IClock.id) @optional() readonly clock: Clock | undefined,
      ) {}
    }
    const r = new Registry();
    r.registerAdapter(MaybeClocked, Session, IHeld);
    const c = r.queryAdapter(new Session(), IHeld) as MaybeClocked;
    expect(c).toBeInstanceOf(MaybeClocked);
    expect(c.clock).toBeUndefined();
    r.registerUtility(clockAt(9), IClock);
    expect((r.queryAdapter(new Session(), IHeld) as MaybeClocked).clock?.now()).toBe(9);
  });

  it('an @optional @named dependency missing, then an unnamed utility registered → still undefined', () => {
    @injectable()
    class MaybeStore {
      constructor(
        readonly session: Session,
        @inject(IStore.id) @named('products.bar') @optional() readonly store: { name: string } | undefined,
      ) {}
    }
    const r = new Registry();
    r.registerAdapter(MaybeStore, Session, IHeld);
    expect((r.queryAdapter(new Session(), IHeld) as MaybeStore).store).toBeUndefined();
    r.registerUtility({ name: 'default' }, IStore);
    expect((r.queryAdapter(new Session(), IHeld) as MaybeStore).store).toBeUndefined();
    r.registerUtility({ name: 'bar' }, IStore, { name: 'products.bar' });
    expect((r.queryAdapter(new Session(), IHeld) as MaybeStore).store?.name).toBe('bar');
  });

  it('a @named dependency → the named utility', () => {
    @injectable()
    class UsesStore {
      constructor(
        readonly session: Session,
        @inject(IStore.id) @named('products.foo') readonly store: { name: string },
      ) {}
    }
    const r = new Registry();
    r.registerUtility({ name: 'default' }, IStore);
    r.registerUtility({ name: 'foo' }, IStore, { name: 'products.foo' });
    r.registerAdapter(UsesStore, Session, IHeld);
    expect((r.queryAdapter(new Session(), IHeld) as UsesStore).store.name).toBe('foo');
  });

  it('an @injectable multi-adapter → the adapted objects first, then the dependencies', () => {
    @injectable()
    class Page {
      constructor(
        readonly request: object,
        readonly view: object,
        @inject(IClock.id) readonly clock: Clock,
      ) {}
    }
    const r = new Registry();
    const clock = clockAt(7);
    r.registerUtility(clock, IClock);
    r.registerAdapter(Page, [IRequest, IView], IPage);
    const request = {};
    const view = {};
    alsoProvides(request, IRequest);
    alsoProvides(view, IView);
    const page = r.queryMultiAdapter([request, view], IPage) as Page;
    expect(page).toBeInstanceOf(Page);
    expect([page.request, page.view, page.clock]).toEqual([request, view, clock]);
  });

  it('an @injectable class with no extra parameters → constructed with the object only', () => {
    @injectable()
    class Bare {
      constructor(readonly session: Session) {}
    }
    const r = new Registry();
    r.registerAdapter(Bare, Session, IHeld);
    const get = jest.spyOn(r.container, 'get');
    expect(r.queryAdapter(new Session(), IHeld)).toBeInstanceOf(Bare);
    expect(get).not.toHaveBeenCalled();
  });
});
