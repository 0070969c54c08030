/**
 * Typed registration. jest runs these, but the real assertions are the types: `npm test` runs
 * the TypeScript checker over test files, so a registration marked `@ts-expect-error` that
 * starts to compile, or an `Equal<…>` that stops holding, fails the run.
 */
import 'reflect-metadata';
import { alsoProvides, Attribute, defineInterface, implementer, Interface, Method } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { inject, injectable } from 'inversify';
import { Registry } from './components.js';
import { InvalidRegistrationError } from './errors.js';
import { registerAdapter, registerUtility, withRegistry } from './site.js';
import type { RequiredSpec } from './registration.js';
import type { Adapted, AdaptedAll, AdapterFactoryFor, ProvidedType } from './typed-registration.js';

/** Fails to compile unless `A` and `B` are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

interface Counter {
  value: number;
}
const ICounter = defineInterface<Counter>('test.reg.typed.ICounter', { members: { value: Attribute('Page views.') } });
interface Clock {
  now(): number;
}
const IClock = defineInterface<Clock>('test.reg.typed.IClock', { members: { now: Method('The time.') } });
interface Named {
  readonly label: string;
}
const INamed = defineInterface<Named>('test.reg.typed.INamed', { members: { label: Attribute('A label.') } });
const IUntyped = defineInterface('test.reg.typed.IUntyped');

class Session {
  readonly uid: string = 's1';
}
class Request {
  readonly url = '/';
}
class Counted implements Counter {
  value = 0;
  constructor(readonly session: Session) {}
}
class Wrong {
  count = 0;
  constructor(readonly session: Session) {}
}
class FromRequest implements Counter {
  value = 0;
  constructor(readonly request: Request) {}
}
class Page implements Counter, Named {
  value = 1;
  label = 'page';
  constructor(
    readonly request: Request,
    readonly session: Session,
  ) {}
}

describe('registerAdapter (types)', () => {
  it('a factory making the provided type from the required class → compiles and adapts', () => {
    const r = new Registry();
    r.registerAdapter(Counted, Session, ICounter);
    const counter = r.queryAdapter(new Session(), ICounter);
    expectType<Equal<typeof counter, Counter | undefined>>();
    expect(counter?.value).toBe(0);
  });

  it('instances lacking the provided type, or a constructor refusing the required instances → does not compile', () => {
    const r = new Registry();
    const misuse = (): void => {
      // @ts-expect-error Wrong has no `value`: ICounter(session).value would be undefined
      r.registerAdapter(Wrong, Session, ICounter);
      // @ts-expect-error FromRequest's constructor takes a Request, not a Session
      r.registerAdapter(FromRequest, Session, ICounter);
      // @ts-expect-error a function factory must return a Counter (or null/undefined)
      r.registerAdapter((session: Session) => ({ count: session.uid.length }), Session, ICounter);
    };
    expect(typeof misuse).toBe('function');
    expect(r.registeredAdapters()).toEqual([]);
  });

  it('a function factory → its parameter typed from required; null means no adapter', () => {
    const r = new Registry();
    r.registerAdapter(
      (session) => {
        expectType<Equal<typeof session, Session>>();
        return session.uid === 'none' ? null : { value: session.uid.length };
      },
      Session,
      ICounter,
    );
    expect(r.queryAdapter(new Session(), ICounter)?.value).toBe(2);
  });

  it('a typed interface as required → the factory takes its type; untyped, Interface or null → anything', () => {
    const r = new Registry();
    r.registerAdapter((named) => ({ value: named.label.length }), INamed, ICounter);
    // @ts-expect-error an INamed provider is not a Session
    r.registerAdapter(Counted, INamed, ICounter, { name: 'x' });
    r.registerAdapter(Counted, IUntyped, ICounter);
    r.registerAdapter(Counted, Interface, ICounter, { name: 'root' });
    r.registerAdapter(Counted, null, ICounter, { name: 'null' });
    const named = { label: 'four' };
    alsoProvides(named, INamed);
    expect(r.queryAdapter(named, ICounter)?.value).toBe(4);
  });

  it('a spec typed only as RequiredSpec (generic code) → any factory parameter accepted', () => {
    const r = new Registry();
    const spec: RequiredSpec = Session;
    r.registerAdapter((session: Session) => ({ value: session.uid.length }), spec, ICounter);
    expect(r.queryAdapter(new Session(), ICounter)?.value).toBe(2);
  });

  it('a multi-adapter → each parameter typed by its required spec, in order', () => {
    const r = new Registry();
    r.registerAdapter(Page, [Request, Session], ICounter);
    r.registerAdapter((request, session) => ({ value: request.url.length + session.uid.length }), [Request, Session], ICounter, { name: 'f' });
    // @ts-expect-error the order is (Request, Session)
    r.registerAdapter(Page, [Session, Request], ICounter, { name: 'swapped' });
    expect(r.queryMultiAdapter([new Request(), new Session()], ICounter)).toBeInstanceOf(Page);
    expect(r.queryMultiAdapter([new Request(), new Session()], ICounter, 'f')?.value).toBe(3);
  });

  it('several provided interfaces → the instances must satisfy every one', () => {
    const r = new Registry();
    r.registerAdapter(Page, [Request, Session], [ICounter, INamed]);
    // @ts-expect-error a Counted has no `label`
    r.registerAdapter(Counted, Session, [ICounter, INamed]);
    expect(r.queryMultiAdapter([new Request(), new Session()], INamed)?.label).toBe('page');
  });

  it('an @injectable adapter → more parameters after the adapted object are fine', () => {
    @injectable()
    @implementer(ICounter)
    class Clocked implements Counter {
      value = 5;
      constructor(
        readonly session: Session,
        @inject(IClock.id) readonly clock: Clock,
      ) {}
    }
    const r = new Registry();
    r.registerUtility({ now: () => 1 }, IClock);
    r.registerAdapter(Clocked, Session, ICounter);
    expect(r.queryAdapter(new Session(), ICounter)?.value).toBe(5);
  });

  it('the module-level function → checked the same way', () => {
    withRegistry(new Registry(), () => {
      registerAdapter(Counted, Session, ICounter);
      // @ts-expect-error Wrong has no `value`
      registerAdapter(Wrong, Session, ICounter, { name: 'wrong' });
      expect(ICounter(new Session()).value).toBe(0);
    });
  });

  it('the factory alone → compiles (decorators say the rest; checked when registering)', () => {
    const r = new Registry();
    const bare = (): void => r.registerAdapter(Wrong);
    expect(bare).toThrow(/no required specs were given/);
  });
});

describe('registerUtility (types)', () => {
  it('a component of the provided type → compiles; another → does not', () => {
    const r = new Registry();
    r.registerUtility({ now: () => 3 }, IClock);
    // @ts-expect-error a Counted is not a Clock
    r.registerUtility(new Counted(new Session()), IClock, { name: 'wrong' });
    expect(() =>
      // @ts-expect-error the second argument is the provided interface, not options
      r.registerUtility({ now: () => 3 }, { name: 'x' }),
    ).toThrow(InvalidRegistrationError);
    withRegistry(r, () => {
      // @ts-expect-error the module-level function checks the same
      registerUtility({ then: 1 }, IClock, { name: 'other' });
    });
    const clock = r.getUtility(IClock);
    expectType<Equal<typeof clock, Clock>>();
    expect(clock.now()).toBe(3);
  });
});

describe('subscribers and handlers (types)', () => {
  it('a subscription adapter → typed as an adapter; a handler → its parameters typed by required', () => {
    const r = new Registry();
    r.registerSubscriptionAdapter((named) => ({ value: named.label.length }), [INamed], ICounter);
    // @ts-expect-error Wrong is not a Counter
    r.registerSubscriptionAdapter(Wrong, [Session], ICounter);
    const seen: string[] = [];
    r.registerHandler((session, request) => {
      expectType<Equal<typeof session, Session>>();
      seen.push(session.uid + request.url);
    }, [Session, Request]);
    // @ts-expect-error the handler's first parameter must take a Session
    r.registerHandler((request: Request) => seen.push(request.url), [Session]);
    r.handle(new Session(), new Request());
    expect(seen).toEqual(['s1/']);
  });
});

describe('the helper types', () => {
  it('Adapted, AdaptedAll, ProvidedType, AdapterFactoryFor → exactly these types', () => {
    expectType<Equal<Adapted<typeof Session>, Session>>();
    expectType<Equal<Adapted<typeof IClock>, Clock>>();
    expectType<Equal<Adapted<typeof IUntyped>, never>>();
    expectType<Equal<Adapted<typeof Interface>, never>>();
    expectType<Equal<Adapted<null>, never>>();
    expectType<Equal<Adapted<RequiredSpec>, never>>();
    expectType<Equal<AdaptedAll<typeof Session>, [Session]>>();
    expectType<Equal<AdaptedAll<readonly [typeof Request, typeof IClock]>, [Request, Clock]>>();
    expectType<Equal<AdaptedAll<readonly (typeof Session)[]>, never[]>>();
    expectType<Equal<ProvidedType<typeof ICounter>, Counter>>();
    expectType<Equal<ProvidedType<readonly [typeof ICounter, typeof INamed]>, Counter & Named>>();
    expectType<Equal<ProvidedType<typeof IUntyped>, unknown>>();
    const factory: AdapterFactoryFor<[Session], Counter> = Counted;
    expect(factory).toBe(Counted);
  });
});
