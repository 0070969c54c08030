import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SessionStoreConfigError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { Session } from './session.js';
import { Sessions } from './sessions.js';
import type { SessionStore } from './store.js';

const SECRET = 'unit-secret-0123456789abcdef-0123456';

describe('new Sessions', () => {
  it('defaults: MemoryStore, 900 s timeout, 60 s resolution, the DOVETAIL_SESSION cookie (HttpOnly, SameSite=Lax, Path=/)', async () => {
    const sessions = new Sessions({ sweepInterval: 0 });
    expect(sessions.store).toBeInstanceOf(MemoryStore);
    expect(sessions.timeout).toBe(900);
    expect(sessions.resolution).toBe(60);
    expect(sessions.cookie).toMatchObject({ name: 'DOVETAIL_SESSION', secureName: 'DOVETAIL_SECURE_SESSION', path: '/', sameSite: 'lax', httpOnly: true, secure: false });
    expect(Object.isFrozen(sessions.cookie)).toBe(true);
    expect(sessions.cookieName(false)).toBe('DOVETAIL_SESSION');
    expect(sessions.cookieName(true)).toBe('DOVETAIL_SECURE_SESSION');
    await sessions.close();
    await sessions.close(); // idempotent
  });

  it('cookie settings override the defaults one by one', async () => {
    const sessions = new Sessions({ sweepInterval: 0, cookie: { name: 'sid', sameSite: 'strict', maxAge: 3600 } });
    expect(sessions.cookie).toMatchObject({ name: 'sid', secureName: 'DOVETAIL_SECURE_SESSION', sameSite: 'strict', maxAge: 3600, httpOnly: true });
    await sessions.close();
  });

  it('bad numbers or secrets → SessionStoreConfigError naming the option', () => {
    for (const options of [{ timeout: -1 }, { resolution: NaN }, { lockWait: Infinity }, { sweepInterval: -5 }, { timeout: '900' as unknown as number }]) {
      expect(() => new Sessions(options)).toThrow(SessionStoreConfigError);
    }
    expect(() => new Sessions({ timeout: -1 })).toThrow(/option timeout is -1/);
    expect(() => new Sessions({ secrets: [] })).toThrow(SessionStoreConfigError);
    expect(() => new Sessions({ secrets: ['too short'] })).toThrow(SessionStoreConfigError);
  });

  it('clock: sessions are dated, aged and swept by the injected clock, not by Date.now', async () => {
    let now = Date.UTC(2001, 0, 1);
    const sessions = new Sessions({ sweepInterval: 0, secrets: [SECRET], timeout: 60, clock: () => now });
    const s = sessions.create();
    s.set('a', 1);
    expect(s.created).toBe(now);
    await sessions.commit(s);
    const cookie = sessions.cookieValue(s);
    now += 59_000;
    const again = (await sessions.load(cookie))!;
    expect(again.lastAccessed).toBe(now);
    await sessions.commit(again);
    now += 61_000;
    expect(await sessions.sweep()).toBe(1);
    expect(await sessions.load(cookie)).toBeUndefined();
    await sessions.close();
  });

  it('sessionClass: the sessions made are instances of the subclass', async () => {
    class MySession extends Session {}
    const sessions = new Sessions({ sweepInterval: 0, sessionClass: MySession, timeout: 120 });
    const s = sessions.create();
    expect(s).toBeInstanceOf(MySession);
    expect(s.timeout).toBe(120);
    s.set('a', 1);
    await sessions.commit(s);
    const again = await sessions.load(sessions.cookieValue(s));
    expect(again).toBeInstanceOf(MySession);
    expect(again).not.toBe(s); // a handle per request
    expect(again?.get('a')).toBe(1);
    await sessions.close();
  });
});

describe('Sessions#sign and #cookieValue', () => {
  it('the cookie value of a server-side session is its signed uid', async () => {
    const sessions = new Sessions({ sweepInterval: 0, secrets: [SECRET] });
    const s = sessions.create();
    expect(sessions.cookieValue(s)).toBe(''); // nothing stored yet
    s.set('a', 1);
    await sessions.commit(s);
    expect(sessions.cookieValue(s)).toBe(sessions.sign(s.uid));
    expect(sessions.sign(s.uid)).toBe(new Sessions({ sweepInterval: 0, secrets: [SECRET] }).sign(s.uid));
    await sessions.close();
  });
});

describe('Sessions#load', () => {
  it('a non-string or empty cookie value → undefined', async () => {
    const sessions = new Sessions({ sweepInterval: 0 });
    expect(await sessions.load(undefined as unknown as string)).toBeUndefined();
    expect(await sessions.load('')).toBeUndefined();
    await sessions.close();
  });
});

describe('Sessions#commit and #abort', () => {
  it('a session this manager does not hold (already committed, or foreign) is left alone', async () => {
    const sessions = new Sessions({ sweepInterval: 0 });
    const s = sessions.create();
    await sessions.commit(s);
    await expect(sessions.commit(s)).resolves.toBeUndefined();
    await expect(sessions.abort(s)).resolves.toBeUndefined();
    await expect(sessions.commit(new Session())).resolves.toBeUndefined();
    await sessions.close();
  });
});

describe('a store that answers synchronously (MemoryStore, SqliteStore)', () => {
  it('the commit is written when commit() returns, before any await; its errors still come as a rejection', async () => {
    const store = new MemoryStore();
    const sessions = new Sessions({ sweepInterval: 0, store, secrets: [SECRET] });
    await sessions.ready();
    const s = sessions.create();
    s.set('a', 1);
    const first = sessions.commit(s);
    expect(store.size).toBe(1);
    await first;
    const cookie = sessions.cookieValue(s);
    const again = (await sessions.load(cookie))!;
    again.set('a', 2);
    const second = sessions.commit(again);
    expect(store.get(again.uid, Date.now())?.version).toBe(2);
    await second;
    const bad = (await sessions.load(cookie))!;
    bad.set('f', () => 1);
    let refused: Promise<void> | undefined;
    expect(() => (refused = sessions.commit(bad))).not.toThrow();
    await expect(refused).rejects.toMatchObject({ name: 'SessionDataError', path: 'data.f' });
    expect((await sessions.load(cookie))?.get('a')).toBe(2);
    await sessions.close();
  });
});

describe('MemoryStore keeps a session live from its second request', () => {
  it("a value changed in place after a new session's first commit reaches nothing; after its second, the live value is the one kept", async () => {
    const sessions = new Sessions({ sweepInterval: 0, secrets: [SECRET] });
    const first = sessions.create();
    const cart = { items: 1 };
    first.set('cart', cart);
    await sessions.commit(first);
    const cookie = sessions.cookieValue(first);
    cart.items = 99; // after the commit: a plain object cannot refuse it
    const second = (await sessions.load(cookie))!;
    const kept = second.get('cart') as { items: number };
    expect(kept).toEqual({ items: 1 }); // decoded from the store, as on every store
    await sessions.commit(second);
    kept.items = 2;
    const third = (await sessions.load(cookie))!;
    expect(third.get('cart')).toEqual({ items: 2 }); // the live object (see "Components and values kept past the commit")
    await sessions.abort(third);
    await sessions.close();
  });

  it('a new session with expiry callbacks is kept live at once: they run when it ends without coming back', async () => {
    let now = Date.UTC(2001, 0, 1);
    const sessions = new Sessions({ sweepInterval: 0, secrets: [SECRET], timeout: 60, clock: () => now });
    const s = sessions.create();
    const calls: string[] = [];
    s.notifyOnExpire(() => calls.push('ended'));
    s.set('a', 1);
    await sessions.commit(s);
    now += 61_000;
    expect(await sessions.sweep()).toBe(1);
    expect(calls).toEqual(['ended']);
    await sessions.close();
  });
});

describe('the sweep timer', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** A manager sweeping every 60 s, with the random first point given; returns when each sweep started (fake ms). */
  function sweepsWith(random: number): { sessions: Sessions; started: number[] } {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
    jest.spyOn(Math, 'random').mockReturnValue(random);
    const store = new MemoryStore();
    const started: number[] = [];
    const t0 = Date.now();
    const sweep = store.sweep.bind(store);
    store.sweep = (now, limit) => {
      started.push(Date.now() - t0);
      return sweep(now, limit);
    };
    return { sessions: new Sessions({ store, sweepInterval: 60 }), started };
  }

  it('sweeps first at a random point of the first interval (processes started together take turns), then every interval', async () => {
    const { sessions, started } = sweepsWith(0.25);
    await jest.advanceTimersByTimeAsync(14_999);
    expect(started).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toEqual([15_000]);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(started).toEqual([15_000, 75_000, 135_000]);
    await sessions.close();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(started).toHaveLength(3); // close() stops it
  });

  it('another manager started at the same moment sweeps at its own point', async () => {
    const { sessions, started } = sweepsWith(0.9);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(started).toEqual([54_000]);
    await sessions.close();
  });

  it('a sweep still running when the next is due: that turn is skipped, never two at once', async () => {
    const { sessions, started } = sweepsWith(0);
    const store: SessionStore = sessions.store;
    const sweep = store.sweep.bind(store);
    let finish: () => void = () => undefined;
    store.sweep = (now, limit) => {
      void sweep(now, limit);
      return new Promise((resolve) => (finish = () => resolve([])));
    };
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(180_000);
    expect(started).toEqual([0]);
    finish();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(started).toEqual([0, 240_000]);
    finish();
    await sessions.close();
  });

  it('close() before the first sweep: none ever runs', async () => {
    const { sessions, started } = sweepsWith(0.5);
    await sessions.close();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(started).toEqual([]);
  });
});
