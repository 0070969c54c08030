/**
 * The manager-level conformance suite: every behaviour a program can observe through the
 * `Sessions` API, run unchanged against each store (`describeSessions(name, makeStore)`).
 *
 * A program that works on MemoryStore must work unchanged on every other store, so nothing here
 * depends on the store except where the contract itself says so (MemoryStore's exact expiry and
 * live objects; the cookie signing of server-side stores).
 */
import { Socket } from 'node:net';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { Adapter, Registry, withRegistry } from '@dovetail/registry';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { decode } from '../../src/codec.js';
import { ISessionCreated, ISessionDataContainer, ISessionExpired } from '../../src/contracts.js';
import { SessionBusyError, SessionClosedError, SessionDataError } from '../../src/errors.js';
import { MemoryStore } from '../../src/memory-store.js';
import { registerSessionClass } from '../../src/session-record.js';
import { Session } from '../../src/session.js';
import { Sessions } from '../../src/sessions.js';
import { isClientSide } from '../../src/store.js';
import type { SessionEvent } from '../../src/contracts.js';
import type { SessionsOptions } from '../../src/sessions-options.js';
import type { SessionStore } from '../../src/store.js';

// ------------------------------------------------------------------------------ the components

interface Counter {
  value: number;
}
export const ICounter = defineInterface<Counter>('dovetail.test.sessions.ICounter', {
  members: { value: Attribute('Counts up once per page view.') },
});

/** Twisted's counter (storing objects in the session): an adapter that keeps the session it adapts. */
@implementer(ICounter)
export class CounterAdapter implements Counter {
  value = 0;
  constructor(readonly session: Session) {}
}

interface Prefs {
  theme: string;
}
const IPrefs = defineInterface<Prefs>('dovetail.test.sessions.IPrefs');

/** A component that stores itself with toState() and comes back through fromState(). */
@implementer(IPrefs)
class PrefsAdapter implements Prefs {
  static restored = 0;
  theme = 'light';
  readonly cache = new Map<string, unknown>([['not', 'stored']]);
  constructor(readonly session: Session) {}
  toState(): unknown {
    return { theme: this.theme };
  }
  static fromState(state: unknown, session: Session): PrefsAdapter {
    PrefsAdapter.restored++;
    const p = new PrefsAdapter(session);
    p.theme = (state as { theme: string }).theme;
    return p;
  }
}

interface Scratch {
  hits: number;
}
const IScratch = defineInterface<Scratch>('dovetail.test.sessions.IScratch');

/** Built again on every adaptation, never kept, never saved. */
@implementer(IScratch)
class ScratchAdapter implements Scratch {
  static temporaryAdapter = true;
  hits = 0;
  constructor(readonly session: Session) {}
}

interface UserManagerApi {
  users: Record<string, string>;
}
const IUserManager = defineInterface<UserManagerApi>('dovetail.test.sessions.IUserManager');

/** Nevow's UserManager (components on the session): constructed on first IUserManager(session), disposed at expiry. */
@implementer(IUserManager)
class UserManager extends Adapter<Session> implements UserManagerApi {
  static disposed: string[] = [];
  users: Record<string, string> = {};
  [Symbol.dispose](): void {
    UserManager.disposed.push(Object.keys(this.users).join(','));
  }
}

const IPlain = defineInterface<{ items: string[] }>('dovetail.test.sessions.IPlain');
const IChat = defineInterface<{ room: string; socket?: unknown }>('dovetail.test.sessions.IChat');
const ICart = defineInterface<Cart>('dovetail.test.sessions.ICart');

/** A class known through registerSessionClass (not a registered adapter). */
class Cart {
  items: string[] = [];
  total(): number {
    return this.items.length;
  }
}
registerSessionClass(Cart);

const SECRET = 'conformance-secret-0123456789abcdef';
const OLD_SECRET = 'retired-secret-0123456789abcdefgh';

// ------------------------------------------------------------------------------ the harness

/** Extra knowledge about a store the suite cannot find out through the Sessions API. */
export interface StoreTraits {
  /** Another store instance over the same data, as a second process would open it. */
  twin?: (store: SessionStore) => SessionStore | Promise<SessionStore>;
}

interface Harness {
  readonly reg: Registry;
  readonly store: SessionStore;
  readonly sessions: Sessions;
  /** The lines every manager made by this harness wrote to its logger. */
  readonly errors: string[];
  /** Another manager over the same store (a restart: no live objects, same secrets). */
  manager(options?: Partial<SessionsOptions>): Sessions;
  /** Runs fn with this harness's registry current (what a Site does for each request). */
  run<R>(fn: () => R): R;
}

const open: (() => Promise<void>)[] = [];

/**
 * The clock every manager and store of the suite is given: real time until a test stops it
 * with `fakeTime()`, then moved by `setTime`. Nothing patches `Date`.
 */
const time = { fake: false, timers: false, now: 0 };
const clock = (): number => (time.timers ? jest.now() : time.fake ? time.now : Date.now());

/** Stops the suite's clock at `now` (returned). */
function fakeTime(now = Date.now()): number {
  time.fake = true;
  time.now = now;
  return now;
}

/** Moves the stopped clock to `now`. */
function setTime(now: number): void {
  time.now = now;
}

/**
 * Fakes timers (lock waits) but not `Date`, nor the I/O scheduling that stores need; the
 * suite's clock then follows the fake timers' time.
 */
function fakeTimers(): void {
  jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
  time.timers = true;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Defines the suite for one store. `makeStore(clock)` gives a fresh, empty store each call, on
 * the suite's clock (it is called once per test, after the clock is stopped where a test stops it).
 *
 * @example
 * ```ts
 * describeSessions('MemoryStore', (clock) => new MemoryStore({ clock }));
 * ```
 */
/** Spies on the store's payload writes: `commit` on a shared store (the manager holds its lease), else `set`. */
function writes(store: SessionStore) {
  return shared(store) ? jest.spyOn(store, 'commit') : jest.spyOn(store, 'set');
}

/**
 * Spies on the store's last-access writes: `touch`, and on a shared store also `release` with an
 * expiry (the calls without one are filtered out); a session whose lease this process keeps for
 * its next request is touched, one given back is released with the expiry.
 */
function touches(store: SessionStore): { mock: { calls: unknown[][] } } {
  const touch = jest.spyOn(store, 'touch');
  if (!shared(store)) return touch;
  const release = jest.spyOn(store, 'release');
  // (RedisStore's touch is its release with no owner: counted once, as the touch.)
  return { mock: { get calls() { return [...touch.mock.calls, ...release.mock.calls.filter((c) => c[2] !== undefined && c[1] !== '')]; } } };
}

const shared = (store: SessionStore): boolean => !store.inProcess && !isClientSide(store);

export function describeSessions(name: string, makeStore: (clock: () => number) => SessionStore | Promise<SessionStore>, traits: StoreTraits = {}): void {
  describe(`Sessions over ${name}`, () => {
    let clientSide = false;

    async function setup(options: Partial<SessionsOptions> = {}): Promise<Harness> {
      const reg = new Registry({ name: `sessions-${name}` });
      reg.registerAdapter(CounterAdapter, Session, ICounter);
      reg.registerAdapter(PrefsAdapter, Session, IPrefs);
      reg.registerAdapter(ScratchAdapter, Session, IScratch);
      reg.registerAdapter(UserManager, Session, IUserManager);
      const store = await makeStore(clock);
      clientSide = isClientSide(store);
      const errors: string[] = [];
      const managers: Sessions[] = [];
      const manager = (more: Partial<SessionsOptions> = {}): Sessions => {
        const m = new Sessions({
          store,
          registry: reg,
          sweepInterval: 0,
          clock,
          secrets: [SECRET],
          logger: { error: (message) => errors.push(message), warn: (message) => errors.push(message), info: () => undefined },
          ...options,
          ...more,
        });
        managers.push(m);
        return m;
      };
      const sessions = manager();
      open.push(async () => {
        for (const m of managers) await m.close();
        await store.close();
      });
      return { reg, store, sessions, errors, manager, run: (fn) => withRegistry(reg, fn) };
    }

    afterEach(async () => {
      jest.useRealTimers();
      time.fake = false;
      time.timers = false;
      while (open.length) await open.pop()!();
    });

    /** A committed session with `fill` applied; returns its cookie value and uid. */
    async function committed(h: Harness, fill: (s: Session) => void = () => undefined, sessions = h.sessions) {
      const s = sessions.create();
      h.run(() => fill(s));
      await sessions.commit(s);
      return { cookie: sessions.cookieValue(s), uid: s.uid, session: s };
    }

    /** load → fn → commit, with the registry current. */
    async function request<R>(h: Harness, cookie: string, fn: (s: Session) => R, sessions = h.sessions): Promise<R> {
      const s = await sessions.load(cookie);
      expect(s).toBeDefined();
      const out = h.run(() => fn(s!));
      await sessions.commit(s!);
      return out;
    }

    describe('Sessions#create and Sessions#load', () => {
      it('a new session committed then loaded by its cookie value has the same uid and data', async () => {
        const h = await setup();
        const s = h.sessions.create();
        expect(s.isNew).toBe(true);
        s.set('greeting', 'hi');
        s.set('when', new Date(0));
        await h.sessions.commit(s);
        expect(s.isNew).toBe(false);
        const cookie = h.sessions.cookieValue(s);
        expect(cookie).not.toBe('');

        const again = await h.sessions.load(cookie);
        expect(again?.uid).toBe(s.uid);
        expect(again?.isNew).toBe(false);
        expect(again?.get('greeting')).toBe('hi');
        expect(again?.get('when')).toEqual(new Date(0));
        await h.sessions.commit(again!);

        const restarted = await h.manager().load(cookie);
        expect(restarted?.uid).toBe(s.uid);
        expect(restarted?.get('greeting')).toBe('hi');
        expect(restarted?.created).toBe(s.created);
      });

      it('ISessionCreated is notified once, when the session is first stored', async () => {
        const h = await setup();
        const created: string[] = [];
        h.reg.registerHandler((e: SessionEvent) => created.push(e.object.uid), [ISessionCreated]);
        const s = h.sessions.create();
        expect(created).toEqual([]);
        s.set('a', 1);
        await h.sessions.commit(s);
        await request(h, h.sessions.cookieValue(s), (x) => x.set('a', 2));
        expect(created).toEqual([s.uid]);
      });

      it('an unknown, empty or never-committed id → undefined', async () => {
        const h = await setup();
        const s = h.sessions.create();
        await h.sessions.abort(s);
        if (!clientSide) expect(await h.sessions.load(h.sessions.sign(s.uid))).toBeUndefined();
        expect(await h.sessions.load('')).toBeUndefined();
      });
    });

    describe('components', () => {
      it('ICounter(session).value += 1 → the next load sees it, as an instance of the adapter class', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => (ICounter(s).value += 1));
        for (let i = 2; i <= 3; i++) {
          const seen = await request(h, cookie, (s) => {
            const c = ICounter(s);
            c.value += 1;
            expect(ICounter(s)).toBe(c);
            return c;
          });
          expect(seen.value).toBe(i);
          expect(seen).toBeInstanceOf(CounterAdapter);
        }
        const restarted = h.manager();
        const s = (await restarted.load(cookie))!;
        const c = h.run(() => ICounter(s));
        expect(c).toBeInstanceOf(CounterAdapter);
        expect(c.value).toBe(3);
        // The property that pointed at the session points at the loaded session again.
        expect((c as CounterAdapter).session).toBe(s);
        await restarted.commit(s);
      });

      it('a class with a static fromState rebuilds the component from its toState()', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => (IPrefs(s).theme = 'dark'));
        const before = PrefsAdapter.restored;
        const restarted = h.manager();
        const s = (await restarted.load(cookie))!;
        const p = h.run(() => IPrefs(s)) as PrefsAdapter;
        expect(p).toBeInstanceOf(PrefsAdapter);
        expect(p.theme).toBe('dark');
        expect(p.session).toBe(s);
        expect(p.cache.get('not')).toBe('stored'); // built by the constructor, not from the store
        expect(PrefsAdapter.restored).toBe(before + 1);
        await restarted.commit(s);
      });

      it('a temporaryAdapter is never saved', async () => {
        const h = await setup();
        const { cookie, uid } = await committed(h, (s) => {
          IScratch(s).hits += 1;
          s.setComponent(IScratch, Object.assign(new ScratchAdapter(s), { hits: 5 }));
          s.set('x', 1);
        });
        const entry = await h.store.get(uid, clock());
        if (entry && !clientSide) expect(Object.keys((decode(entry.payload) as { components: object }).components)).not.toContain(IScratch.name);
        const restarted = h.manager();
        const s = (await restarted.load(cookie))!;
        expect(s.getComponent(IScratch, null)).toBeNull();
        expect(h.run(() => IScratch(s)).hits).toBe(0);
        await restarted.commit(s);
      });

      it('setComponent with a plain object persists, and with an instance of a registerSessionClass class', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          s.setComponent(IPlain, { items: ['a', 'b'] });
          const cart = new Cart();
          cart.items.push('book');
          s.setComponent(ICart, cart);
        });
        const restarted = h.manager();
        const s = (await restarted.load(cookie))!;
        expect(s.getComponent(IPlain)).toEqual({ items: ['a', 'b'] });
        expect(h.run(() => IPlain(s)).items).toEqual(['a', 'b']);
        const cart = s.getComponent(ICart)!;
        expect(cart).toBeInstanceOf(Cart);
        expect(cart.total()).toBe(1);
        await restarted.commit(s);
      });

      it('Nevow: IUserManager(session) is constructed on first use and kept across requests', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          const m = IUserManager(s);
          expect(IUserManager(s)).toBe(m);
          m.users.alice = 'admin';
        });
        const users = await request(h, cookie, (s) => ({ ...IUserManager(s).users }));
        expect(users).toEqual({ alice: 'admin' });
        const restarted = h.manager();
        const s = (await restarted.load(cookie))!;
        const m = h.run(() => IUserManager(s));
        expect(m).toBeInstanceOf(UserManager);
        expect((m as UserManager).original).toBe(s);
        await restarted.commit(s);
      });
    });

    describe('the dictionary view and package data', () => {
      it('the dictionary view persists: set, has, delete, keys, entries, clear', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          s.set('a', 1).set('b', { deep: [1, 2] }).set('c', new Map([['k', 'v']]));
          expect(s.delete('a')).toBe(true);
        });
        await request(h, cookie, (s) => {
          expect(s.has('a')).toBe(false);
          expect([...s.keys()].sort()).toEqual(['b', 'c']);
          expect(Object.fromEntries(s.entries())).toEqual({ b: { deep: [1, 2] }, c: new Map([['k', 'v']]) });
          expect(s.get('missing', 'fallback')).toBe('fallback');
          s.clear();
          s.namespace('products.foo').set('kept', true);
        });
        const s = (await h.manager().load(cookie))!;
        expect(s.size).toBe(0);
        expect(s.namespace('products.foo').get('kept')).toBe(true);
      });

      it("zope.session: namespaces persist and are separate (products.foo's color vs products.bar's)", async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          s.namespace('products.foo').set('color', 'red');
          s.namespace('products.bar').set('color', 'blue');
          s.set('color', 'green');
        });
        const s = (await h.manager().load(cookie))!;
        expect(s.namespace('products.foo').get('color')).toBe('red');
        expect(s.namespace('products.bar').get('color')).toBe('blue');
        expect(s.get('color')).toBe('green');
        expect(s.namespaces().sort()).toEqual(['products.bar', 'products.foo']);
      });
    });

    describe('flash messages and CSRF tokens', () => {
      it('Pyramid: a flash message is shown once (popFlash empties the queue), peekFlash leaves it', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          s.flash('Your item was added.');
          s.flash('Saved', 'admin');
        });
        expect(await request(h, cookie, (s) => s.peekFlash())).toEqual(['Your item was added.']);
        expect(await request(h, cookie, (s) => s.popFlash())).toEqual(['Your item was added.']);
        expect(await request(h, cookie, (s) => s.popFlash())).toEqual([]);
        expect(await request(h, cookie, (s) => s.popFlash('admin'))).toEqual(['Saved']);
      });

      it('the CSRF token is stable across loads until newCsrfToken()', async () => {
        const h = await setup();
        const { cookie, session } = await committed(h, (s) => s.getCsrfToken());
        const token = session.getCsrfToken();
        expect(token).toMatch(/^[0-9a-f]{40}$/);
        expect(await request(h, cookie, (s) => s.getCsrfToken())).toBe(token);
        const fresh = await request(h, cookie, (s) => s.newCsrfToken());
        expect(fresh).not.toBe(token);
        expect((await h.manager().load(cookie))?.getCsrfToken()).toBe(fresh);
      });
    });

    describe('a handle per request, closed when its commit starts', () => {
      it('a change after the commit throws SessionClosedError; nothing reaches the store or the next request', async () => {
        const h = await setup();
        const s = h.sessions.create();
        s.set('x', 1);
        await h.sessions.commit(s);
        const cookie = h.sessions.cookieValue(s);
        const changes: (() => unknown)[] = [
          () => s.set('x', 2),
          () => s.delete('x'),
          () => s.clear(),
          () => s.namespace('products.foo').set('color', 'red'),
          () => s.setComponent(IPlain, { items: [] }),
          () => s.regenerate(),
          () => s.expire(),
          () => s.flash('late'),
          () => h.run(() => ICounter(s)),
        ];
        for (const change of changes) expect(change).toThrow(SessionClosedError);
        await h.sessions.commit(s); // unchanged since its commit: nothing to say
        const again = (await h.sessions.load(cookie))!;
        expect(again.get('x')).toBe(1);
        expect(again.namespace('products.foo').size).toBe(0);
        expect(again.getComponent(IPlain, null)).toBeNull();
        expect(again.peekFlash()).toEqual([]);
        await h.sessions.commit(again);
        expect((await h.manager().load(cookie))?.get('x')).toBe(1);
      });

      it("an old handle cannot reach the next request's session, and components follow the open handle", async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => (IUserManager(s).users.alice = 'admin'));
        const first = (await h.sessions.load(cookie))!;
        await h.sessions.commit(first);
        const second = (await h.sessions.load(cookie))!;
        expect(second).not.toBe(first);
        expect(() => first.set('x', 'from the old handle')).toThrow(SessionClosedError);
        expect(() => h.run(() => IUserManager(first))).toThrow(SessionClosedError);
        const manager = h.run(() => IUserManager(second)) as UserManager;
        expect(manager.original).toBe(second);
        second.set('x', 'from the open one');
        await h.sessions.commit(second);
        const third = (await h.manager().load(cookie))!;
        expect(third.get('x')).toBe('from the open one');
      });

      it('a component kept past the commit and changed: commit() of the closed handle throws; the stores keep the committed value', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => (ICounter(s).value = 1));
        const s = (await h.sessions.load(cookie))!;
        const counter = h.run(() => ICounter(s));
        counter.value = 2;
        await h.sessions.commit(s);
        counter.value = 99; // a plain object cannot refuse this
        await expect(h.sessions.commit(s)).rejects.toBeInstanceOf(SessionClosedError);
        const next = (await h.sessions.load(cookie))!;
        // MemoryStore keeps live components (documented): the next request sees the stray change;
        // every other store gives the last committed state.
        expect(h.run(() => ICounter(next).value)).toBe(h.store.inProcess ? 99 : 2);
        await h.sessions.abort(next); // rolls the live state back to what was committed
        const restarted = (await h.manager().load(cookie))!;
        expect(h.run(() => ICounter(restarted).value)).toBe(2);
      });

      it('an aborted handle refuses changes too', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => s.set('a', 1));
        const s = (await h.sessions.load(cookie))!;
        await h.sessions.abort(s);
        expect(() => s.set('a', 2)).toThrow(/changes were dropped/);
        const again = (await h.sessions.load(cookie))!;
        expect(again.get('a')).toBe(1);
        await h.sessions.commit(again);
      });
    });

    describe('a new session is stored only when something changed it or its uid was read', () => {
      it('reading values and adapting without a change stores nothing and gives no cookie value', async () => {
        const h = await setup();
        const created: unknown[] = [];
        h.reg.registerHandler((e: SessionEvent) => created.push(e), [ISessionCreated]);
        const set = jest.spyOn(h.store, 'set');
        const s = h.sessions.create();
        expect(s.get('anything')).toBeUndefined();
        expect(s.peekFlash()).toEqual([]);
        expect(s.namespace('products.foo').get('color')).toBeUndefined();
        expect(h.run(() => ICounter(s).value)).toBe(0);
        h.run(() => (ICounter(s).value += 1) && (ICounter(s).value -= 1)); // changed, and back
        expect(h.run(() => [IPrefs(s).theme, Object.keys(IUserManager(s).users)])).toEqual(['light', []]);
        await h.sessions.commit(s);
        expect(h.sessions.cookieValue(s)).toBe('');
        expect(s.isNew).toBe(true);
        expect(set).not.toHaveBeenCalled();
        expect(created).toEqual([]);
      });

      it('a change, changed(), or reading the uid stores it and gives a cookie value', async () => {
        const h = await setup();
        const fills: ((s: Session) => unknown)[] = [
          (s) => s.set('a', 1),
          (s) => s.changed(),
          (s) => s.uid,
          (s) => h.run(() => (ICounter(s).value += 1)),
          (s) => h.run(() => (IPrefs(s).theme = 'dark')), // stored through toState()
          (s) => h.run(() => (IUserManager(s).users['alice'] = 'admin')), // changed in place, below the component's own fields
          (s) => s.flash('hi'),
        ];
        for (const fill of fills) {
          const s = h.sessions.create();
          fill(s);
          await h.sessions.commit(s);
          const cookie = h.sessions.cookieValue(s);
          expect(cookie).not.toBe('');
          const again = await h.sessions.load(cookie);
          expect(again).toBeDefined();
          await h.sessions.commit(again!);
        }
      });
    });

    describe('Sessions#commit', () => {
      it('an unchanged session is not written', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => (ICounter(s).value = 1));
        const set = writes(h.store);
        await request(h, cookie, (s) => ICounter(s).value);
        await request(h, cookie, (s) => s.get('nothing'));
        expect(set).not.toHaveBeenCalled();
        await request(h, cookie, (s) => (ICounter(s).value += 1));
        expect(set).toHaveBeenCalledTimes(1);
      });

      it('what a request uses is encoded again, the rest kept as committed: a component changed alone, a value changed in place', async () => {
        const h = await setup();
        const { cookie, uid } = await committed(h, (s) => {
          ICounter(s).value = 1;
          s.setComponent(IPlain, { items: ['a'] });
          s.set('cart', ['book']);
          s.namespace('products.foo').set('color', 'red');
          s.cookieMaxAge = 3600;
        });
        const stored = async (): Promise<string | undefined> => (await h.store.get(uid, clock()))?.payload;
        const first = await stored();
        await request(h, cookie, (s) => s.uid); // nothing of the session used
        expect(await stored()).toBe(first);
        await request(h, cookie, (s) => (ICounter(s).value += 1)); // a component alone
        await request(h, cookie, (s) => (s.get('cart') as string[]).push('pen')); // a value changed in place
        await request(h, cookie, (s) => (s.getComponent(IPlain) as { items: string[] }).items.push('b'));
        const other = h.manager();
        const restarted = (await other.load(cookie))!;
        expect(h.run(() => ICounter(restarted).value)).toBe(2);
        expect(restarted.getComponent(IPlain)).toEqual({ items: ['a', 'b'] });
        expect(restarted.get('cart')).toEqual(['book', 'pen']);
        expect(restarted.namespace('products.foo').get('color')).toBe('red');
        expect(restarted.cookieMaxAge).toBe(3600);
        await other.commit(restarted);
      });

      it('changed() writes a session whose data looks the same', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => s.set('a', 1));
        const set = writes(h.store);
        await request(h, cookie, (s) => s.changed());
        expect(set).toHaveBeenCalledTimes(1);
      });

      it('the last access is written at most once per resolution (every time, exactly, with an in-process store)', async () => {
        const t0 = fakeTime();
        const h = await setup({ timeout: 900, resolution: 60 });
        const { cookie } = await committed(h, (s) => s.set('a', 1));
        const touch = touches(h.store);
        const set = writes(h.store);
        const at = async (seconds: number): Promise<void> => {
          setTime(t0 + seconds * 1000);
          await request(h, cookie, (s) => s.get('a'));
        };
        await at(10);
        await at(30);
        await at(50);
        const early = touch.mock.calls.length;
        await at(61);
        await at(90);
        await at(100);
        const written = touch.mock.calls.length + (clientSide ? 0 : set.mock.calls.length);
        if (h.store.inProcess) {
          expect(written).toBe(6);
        } else {
          expect(early).toBe(0);
          expect(written).toBe(1);
          expect(set).not.toHaveBeenCalled();
        }
      });

      it('a changed session is written with the expiry it has until a touch is due (with an in-process store, always a new one)', async () => {
        const t0 = fakeTime();
        const h = await setup({ timeout: 900, resolution: 60 });
        const { cookie } = await committed(h, (s) => s.set('n', 0));
        const set = writes(h.store);
        const seconds = [10, 30, 61, 90];
        for (const at of seconds) {
          setTime(t0 + at * 1000);
          await request(h, cookie, (s) => s.set('n', at));
        }
        const expiries = set.mock.calls.map((call) => call[shared(h.store) ? 3 : 2]);
        if (h.store.inProcess) expect(expiries).toEqual(seconds.map((at) => t0 + (at + 900) * 1000));
        // Written at 0 and touched again at 61: each time until the session's end plus the resolution.
        else expect(expiries).toEqual([0, 0, 61, 61].map((at) => t0 + (at + 900 + 60) * 1000));
      });

      it('data the codec cannot carry → SessionDataError naming the path, store unchanged', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          ICounter(s).value = 1;
          s.set('x', 'ok');
        });

        const s1 = (await h.sessions.load(cookie))!;
        h.run(() => (ICounter(s1).value = 2));
        s1.setComponent(IChat, { room: 'lobby', socket: new Socket() });
        const e1 = await h.sessions.commit(s1).then(() => undefined, (e: unknown) => e);
        expect(e1).toBeInstanceOf(SessionDataError);
        expect((e1 as SessionDataError).path).toBe(`components['${IChat.name}'].socket`);
        expect((e1 as SessionDataError).message).toContain(`components['${IChat.name}'].socket`);

        const s2 = (await h.sessions.load(cookie))!;
        s2.set('x', () => 'a function');
        const e2 = await h.sessions.commit(s2).then(() => undefined, (e: unknown) => e);
        expect(e2).toBeInstanceOf(SessionDataError);
        expect((e2 as SessionDataError).path).toBe('data.x');

        // The next load sees the last committed state (for MemoryStore: the live object rolled back).
        const s3 = (await h.sessions.load(cookie))!;
        expect(s3).not.toBe(s1); // each request its own handle
        expect(h.run(() => ICounter(s3).value)).toBe(1);
        expect(s3.get('x')).toBe('ok');
        expect(s3.getComponent(IChat, null)).toBeNull();
        await h.sessions.commit(s3);
        const restarted = (await h.manager().load(cookie))!;
        expect(h.run(() => ICounter(restarted).value)).toBe(1);
        expect(restarted.get('x')).toBe('ok');
      });

      it('a new session whose data the codec cannot carry is not stored', async () => {
        const h = await setup();
        const s = h.sessions.create();
        s.set('cycle', ((o: Record<string, unknown>) => ((o.self = o), o))({}));
        await expect(h.sessions.commit(s)).rejects.toMatchObject({ name: 'SessionDataError', path: 'data.cycle.self' });
        expect(await h.store.get(s.uid, clock())).toBeUndefined();
      });
    });

    describe('Sessions#abort', () => {
      it("abort drops the request's changes", async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          ICounter(s).value = 1;
          s.set('a', 1);
        });
        const s = (await h.sessions.load(cookie))!;
        h.run(() => (ICounter(s).value = 99));
        s.set('a', 2);
        s.namespace('products.foo').set('color', 'red');
        s.expire();
        await h.sessions.abort(s);
        const again = (await h.sessions.load(cookie))!;
        expect(again).toBeDefined();
        expect(h.run(() => ICounter(again).value)).toBe(1);
        expect(again.get('a')).toBe(1);
        expect(again.namespace('products.foo').size).toBe(0);
        expect(again.expired).toBe(false);
        await h.sessions.commit(again);
      });
    });

    describe('Session#expire', () => {
      it('expire(): deleted, every callback runs even when one throws, ISessionExpired once with the data readable, later load → undefined', async () => {
        const h = await setup();
        const seen: { uid: string; color: unknown; count: number }[] = [];
        h.reg.registerHandler(
          (e: SessionEvent) => seen.push({ uid: e.object.uid, color: e.object.get('color'), count: withRegistry(h.reg, () => ICounter(e.object).value) }),
          [ISessionExpired],
        );
        const { cookie, uid } = await committed(h, (s) => {
          s.set('color', 'red');
          ICounter(s).value = 7;
        });
        const s = (await h.sessions.load(cookie))!;
        const calls: string[] = [];
        s.notifyOnExpire(() => calls.push('first'));
        s.notifyOnExpire(() => {
          calls.push('second');
          throw new Error('callback failed');
        });
        s.notifyOnExpire(() => calls.push('third'));
        s.expire();
        s.invalidate(); // idempotent
        expect(s.expired).toBe(true);
        await h.sessions.commit(s);
        expect(calls).toEqual(['first', 'second', 'third']);
        expect(h.errors.some((m) => m.includes('callback failed'))).toBe(true);
        expect(seen).toEqual([{ uid, color: 'red', count: 7 }]);
        expect(await h.store.get(uid, clock())).toBeUndefined();
        expect(await h.sessions.load(cookie)).toBeUndefined();
        expect(await h.manager().load(cookie)).toBeUndefined();
        await h.sessions.sweep();
        expect(seen).toHaveLength(1);
      });

      it('expire() through a handle whose commit has started throws SessionClosedError; the session lives on until a request expires it', async () => {
        const h = await setup();
        const ended: string[] = [];
        h.reg.registerHandler((e: SessionEvent) => ended.push(e.object.uid), [ISessionExpired]);
        const { cookie, uid, session } = await committed(h, (s) => s.set('a', 1));
        expect(() => session.expire()).toThrow(SessionClosedError);
        expect(() => session.notifyOnExpire(() => undefined)).toThrow(SessionClosedError);
        const again = (await h.sessions.load(cookie))!;
        expect(again.get('a')).toBe(1);
        again.expire();
        await h.sessions.commit(again);
        expect(ended).toEqual([uid]);
        expect(await h.sessions.load(cookie)).toBeUndefined();
      });
    });

    describe('timeout and Sessions#sweep', () => {
      it('a session idle past its timeout ends at sweep: ISessionExpired once, components disposed, load → undefined', async () => {
        const t0 = fakeTime();
        const h = await setup({ timeout: 600, resolution: 60 });
        const ended: { uid: string; users: unknown }[] = [];
        h.reg.registerHandler(
          (e: SessionEvent) => ended.push({ uid: e.object.uid, users: withRegistry(h.reg, () => ({ ...IUserManager(e.object).users })) }),
          [ISessionExpired],
        );
        UserManager.disposed = [];
        const idle = await committed(h, (s) => (IUserManager(s).users.bob = 'user'));
        const busy = await committed(h, (s) => s.set('n', 0));

        // busy is used at 300 s: its last access moves, idle's does not.
        setTime(t0 + 300_000);
        await request(h, busy.cookie, (s) => s.set('n', 1));
        setTime(t0 + 590_000);
        expect(await h.sessions.sweep()).toBe(0);

        setTime(t0 + (600 + 60 + 1) * 1000);
        expect(await h.sessions.sweep()).toBe(1);
        expect(await h.sessions.sweep()).toBe(0);
        expect(ended).toEqual([{ uid: idle.uid, users: { bob: 'user' } }]);
        expect(UserManager.disposed).toEqual(['bob']);
        expect(await h.sessions.load(idle.cookie)).toBeUndefined();
        expect(await h.manager().load(idle.cookie)).toBeUndefined();

        // busy ends timeout (+ resolution) after its last access, not after its creation.
        setTime(t0 + (300 + 600 + 60 + 1) * 1000);
        expect(await h.sessions.sweep()).toBe(1);
        expect(ended.map((e) => e.uid)).toEqual([idle.uid, busy.uid]);
      });

      it('a session ends between timeout and timeout + resolution after its last access (exactly at timeout in memory)', async () => {
        const t0 = fakeTime();
        const h = await setup({ timeout: 600, resolution: 60 });
        const a = await committed(h, (s) => s.set('a', 1));
        const b = await committed(h, (s) => s.set('b', 1));
        setTime(t0 + 599_000);
        const early = await h.sessions.load(a.cookie);
        expect(early?.get('a')).toBe(1);
        await h.sessions.commit(early!);
        setTime(t0 + 601_000);
        const mid = await h.sessions.load(b.cookie);
        if (h.store.inProcess) expect(mid).toBeUndefined();
        // Durable stores: may still be there (the window is `resolution` wide); abort writes nothing.
        else if (mid) await h.sessions.abort(mid);
        setTime(t0 + (599 + 600 + 60 + 1) * 1000);
        expect(await h.sessions.load(a.cookie)).toBeUndefined();
        expect(await h.sessions.load(b.cookie)).toBeUndefined();
      });
    });

    describe('Session#regenerate', () => {
      it('regenerate(): new uid, same data; the old cookie → undefined after commit', async () => {
        const h = await setup();
        const { cookie, uid } = await committed(h, (s) => {
          s.set('user', 'anonymous');
          ICounter(s).value = 4;
          s.namespace('products.foo').set('color', 'red');
        });
        const s = (await h.sessions.load(cookie))!;
        s.regenerate();
        s.set('user', 'alice');
        expect(s.uid).not.toBe(uid);
        await h.sessions.commit(s);
        const fresh = h.sessions.cookieValue(s);
        expect(fresh).not.toBe(cookie);
        expect(await h.sessions.load(cookie)).toBeUndefined();
        expect(await h.manager().load(cookie)).toBeUndefined();
        const again = (await h.manager().load(fresh))!;
        expect(again.uid).toBe(s.uid);
        expect(again.get('user')).toBe('alice');
        expect(h.run(() => ICounter(again).value)).toBe(4);
        expect(again.namespace('products.foo').get('color')).toBe('red');
      });

      it('a regenerate() that is aborted keeps the old id working', async () => {
        const h = await setup();
        const { cookie, uid } = await committed(h, (s) => s.set('a', 1));
        const s = (await h.sessions.load(cookie))!;
        s.regenerate();
        await h.sessions.abort(s);
        expect(s.uid).toBe(uid);
        const again = await h.sessions.load(cookie);
        expect(again?.get('a')).toBe(1);
        await h.sessions.commit(again!);
      });
    });

    describe('secure sessions', () => {
      it('a secure session is not loadable with {secure:false}, nor a plain one with {secure:true}', async () => {
        const h = await setup();
        const secure = h.sessions.create({ secure: true });
        secure.set('a', 1);
        await h.sessions.commit(secure);
        const plain = await committed(h, (s) => s.set('b', 1));
        const secureCookie = h.sessions.cookieValue(secure);
        expect(await h.sessions.load(secureCookie)).toBeUndefined();
        expect(await h.sessions.load(secureCookie, { secure: false })).toBeUndefined();
        expect(await h.sessions.load(plain.cookie, { secure: true })).toBeUndefined();
        const ok = await h.sessions.load(secureCookie, { secure: true });
        expect(ok?.secure).toBe(true);
        await h.sessions.commit(ok!);
        expect(h.sessions.cookieName(true)).not.toBe(h.sessions.cookieName(false));
      });
    });

    describe('signed cookie values', () => {
      it('forged, truncated, malformed and foreign cookie values → undefined, never an error', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => s.set('a', 1));
        // Another site: other secrets (server-side stores), another sealing store (the cookie store).
        const foreign = clientSide ? h.manager({ store: await makeStore(clock) }) : h.manager({ secrets: ['another-site-secret-0123456789ab'] });
        const theirs = await committed(h, (s) => s.set('a', 1), foreign);
        const flip = (v: string, i: number): string => v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1);
        const bad = [
          cookie.slice(0, -1),
          cookie.slice(0, cookie.length >> 1),
          cookie + 'A',
          flip(cookie, cookie.length - 5),
          flip(cookie, 3),
          theirs.cookie,
          '.',
          'x',
          `${cookie}.${cookie}`,
          'x'.repeat(10_000),
          'é'.repeat(60),
          '\u0000'.repeat(80),
        ];
        for (const value of bad) expect(await h.sessions.load(value)).toBeUndefined();
        const still = await h.sessions.load(cookie);
        expect(still?.get('a')).toBe(1);
        await h.sessions.commit(still!);
      });

      it('a value signed with a retired secret still verifies while the secret is in `secrets`; the newest signs', async () => {
        const h = await setup();
        if (clientSide) return; // the cookie store seals its cookie itself
        const before = h.manager({ secrets: [OLD_SECRET] });
        const { cookie, uid } = await committed(h, (s) => s.set('a', 1), before);
        const rotated = h.manager({ secrets: [SECRET, OLD_SECRET] });
        const s = await rotated.load(cookie);
        expect(s?.uid).toBe(uid);
        await rotated.commit(s!);
        const resigned = rotated.cookieValue(s!);
        expect(resigned).not.toBe(cookie);
        expect(resigned).toBe(rotated.sign(uid));
        const newestOnly = h.manager({ secrets: [SECRET] });
        expect(await newestOnly.load(cookie)).toBeUndefined();
        const ok = await newestOnly.load(resigned);
        expect(ok?.get('a')).toBe(1);
        await newestOnly.commit(ok!);
      });
    });

    describe('concurrency', () => {
      it('200 concurrent increments on one session end at exactly 200', async () => {
        const h = await setup();
        const { cookie } = await committed(h, (s) => {
          ICounter(s).value = 0;
          s.changed(); // 0 is what a new counter holds anyway: without this nothing would be stored
        });
        const unit = async (): Promise<void> => {
          const s = (await h.sessions.load(cookie))!;
          h.run(() => (ICounter(s).value += 1));
          await macrotask();
          await h.sessions.commit(s);
        };
        await Promise.all(Array.from({ length: 200 }, unit));
        const s = (await h.manager().load(cookie))!;
        expect(h.run(() => ICounter(s).value)).toBe(200);
      });

      it('a lock held longer than lockWait → SessionBusyError (503) for the waiter, nothing overwritten', async () => {
        fakeTimers();
        const h = await setup({ lockWait: 1000 });
        const { cookie } = await committed(h, (s) => (ICounter(s).value = 1));
        const holder = (await h.sessions.load(cookie))!;
        const waiter = h.sessions.load(cookie).then(
          () => 'loaded',
          (e: unknown) => e,
        );
        await jest.advanceTimersByTimeAsync(999);
        h.run(() => (ICounter(holder).value += 1));
        await jest.advanceTimersByTimeAsync(2);
        const error = await waiter;
        expect(error).toBeInstanceOf(SessionBusyError);
        expect((error as SessionBusyError).code).toBe('DT_SESSION_BUSY');
        expect((error as SessionBusyError).message).not.toContain(holder.uid);
        await h.sessions.commit(holder);
        const s = (await h.sessions.load(cookie))!;
        expect(h.run(() => ICounter(s).value)).toBe(2);
        await h.sessions.commit(s);
      });

      it('a waiter gets the session as soon as the holder commits, with the holder\'s changes', async () => {
        fakeTimers();
        const h = await setup({ lockWait: 1000 });
        const { cookie } = await committed(h, (s) => (ICounter(s).value = 1));
        const holder = (await h.sessions.load(cookie))!;
        const waiter = h.sessions.load(cookie);
        await jest.advanceTimersByTimeAsync(500);
        h.run(() => (ICounter(holder).value += 1));
        await h.sessions.commit(holder);
        const s = (await waiter)!;
        expect(h.run(() => ICounter(s).value)).toBe(2);
        await h.sessions.commit(s);
      });

      if (traits.twin) {
        it('two managers on one store (two processes): increments interleave without a lost update', async () => {
          const h = await setup({ lockWait: 10_000 });
          const other = new Sessions({ store: await traits.twin!(h.store), registry: h.reg, sweepInterval: 0, secrets: [SECRET] });
          open.push(() => other.close());
          const { cookie } = await committed(h, (s) => {
          ICounter(s).value = 0;
          s.changed(); // 0 is what a new counter holds anyway: without this nothing would be stored
        });
          const unit = (m: Sessions) => async (): Promise<void> => {
            const s = (await m.load(cookie))!;
            h.run(() => (ICounter(s).value += 1));
            await macrotask();
            await m.commit(s);
          };
          await Promise.all([...Array.from({ length: 40 }, unit(h.sessions)), ...Array.from({ length: 40 }, unit(other))]);
          const s = (await h.manager().load(cookie))!;
          expect(h.run(() => ICounter(s).value)).toBe(80);
        });

        it("another process's lock held longer than lockWait → SessionBusyError, nothing overwritten", async () => {
          const h = await setup();
          const other = new Sessions({ store: await traits.twin!(h.store), registry: h.reg, sweepInterval: 0, secrets: [SECRET], lockWait: 50 });
          open.push(() => other.close());
          const { cookie } = await committed(h, (s) => (ICounter(s).value = 1));
          const holder = (await h.sessions.load(cookie))!;
          await expect(other.load(cookie)).rejects.toBeInstanceOf(SessionBusyError);
          h.run(() => (ICounter(holder).value += 1));
          await h.sessions.commit(holder);
          const s = (await other.load(cookie))!;
          expect(h.run(() => ICounter(s).value)).toBe(2);
          await other.commit(s);
        });
      }
    });

    describe('corrupt stored data', () => {
      it('a corrupted stored payload → load treats it as no session, the logger is told, other sessions are fine', async () => {
        const h = await setup();
        const bad = await committed(h, (s) => s.set('a', 1));
        const good = await committed(h, (s) => s.set('b', 2));
        const entry = (await h.store.get(bad.uid, clock()))!;
        expect(entry).toBeDefined();
        expect(await h.store.set(bad.uid, '{"not a session', entry.expires, entry.version)).toBe(entry.version + 1);
        const restarted = h.manager();
        expect(await restarted.load(bad.cookie)).toBeUndefined();
        expect(h.errors.some((m) => /corrupt/.test(m))).toBe(true);
        const other = await restarted.load(good.cookie);
        expect(other?.get('b')).toBe(2);
        await restarted.commit(other!);
      });
    });

    describe('namespace routing (named ISessionDataContainer utilities)', () => {
      it('a namespace with a named container is stored there and loads back; others fall back to the default store', async () => {
        const h = await setup();
        const side = clientSide ? new MemoryStore({ clock }) : await makeStore(clock);
        open.push(async () => {
          await side.close();
        });
        h.reg.registerUtility(side, ISessionDataContainer, { name: 'products.foo' });
        const { cookie, uid } = await committed(h, (s) => {
          s.namespace('products.foo').set('color', 'red');
          s.namespace('products.bar').set('color', 'blue');
          s.set('top', 1);
        });
        const routed = await side.get(`${uid}/products.foo`, clock());
        expect(routed && decode(routed.payload)).toEqual({ color: 'red' });
        expect(await side.get(uid, clock())).toBeUndefined();
        const main = await h.store.get(uid, clock());
        if (main && !clientSide) {
          const namespaces = (decode(main.payload) as { namespaces: Record<string, unknown> }).namespaces;
          expect(namespaces).toEqual({ 'products.bar': { color: 'blue' } });
        }

        await request(h, cookie, (s) => s.namespace('products.foo').set('size', 'L'));
        const restarted = h.manager();
        const s = (await restarted.load(cookie))!;
        expect(s.namespace('products.foo').toJSON()).toEqual({ color: 'red', size: 'L' });
        expect(s.namespace('products.bar').get('color')).toBe('blue');
        expect(s.get('top')).toBe(1);
        s.expire();
        await restarted.commit(s);
        expect(await side.get(`${uid}/products.foo`, clock())).toBeUndefined();
      });
    });
  });
}
