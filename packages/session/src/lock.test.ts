import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SessionBusyError, SessionStoreError } from './errors.js';
import { SessionLocks } from './lock.js';
import { MemoryStore } from './memory-store.js';
import type { Acquired, SessionStore } from './store.js';

afterEach(() => {
  jest.useRealTimers();
});

/**
 * A shared store (not in-process) whose `acquire` answers from a script (true: held); every
 * lease call is recorded.
 */
function leasingStore(answers: (id: string, owner: string) => boolean | Promise<boolean>) {
  const calls = { acquire: [] as [string, string, number][], release: [] as [string, string][], renew: [] as string[][] };
  const store = Object.assign(new MemoryStore(), {
    inProcess: false,
    acquire: async (id: string, owner: string, lease: number): Promise<Acquired> => {
      calls.acquire.push([id, owner, lease]);
      return (await answers(id, owner)) ? { state: 'held', entry: { payload: 'p', version: 1, expires: Infinity } } : { state: 'busy' };
    },
    release: (id: string, owner: string) => {
      calls.release.push([id, owner]);
    },
    renew: (ids: readonly string[]) => {
      calls.renew.push([...ids]);
      return [];
    },
  }) as SessionStore;
  return { store, calls };
}

describe('SessionLocks#acquire', () => {
  it('a free lock is taken at once; waiters get it in arrival order (FIFO)', async () => {
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, lease: 30_000, clock: Date.now });
    await locks.acquire('a', 0);
    expect(locks.isHeld('a')).toBe(true);
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => locks.acquire('a', 0).then(() => order.push(n)));
    await Promise.resolve();
    expect(order).toEqual([]);
    for (let i = 0; i < 3; i++) {
      locks.release('a');
      await new Promise((r) => setImmediate(r));
      expect(order).toEqual([1, 2, 3].slice(0, i + 1));
    }
    await Promise.all(waiters);
    locks.release('a');
    expect(locks.isHeld('a')).toBe(false);
  });

  it('locks of different sessions do not wait for each other', async () => {
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, lease: 30_000, clock: Date.now });
    await locks.acquire('a', 0);
    await locks.acquire('b', 0);
    expect(locks.isHeld('a') && locks.isHeld('b')).toBe(true);
  });

  it('a wait longer than `wait` → SessionBusyError (503, Retry-After); the queue behind it still moves', async () => {
    jest.useFakeTimers();
    const locks = new SessionLocks(new MemoryStore(), { wait: 2500, lease: 30_000, clock: Date.now });
    await locks.acquire('session-id-123', 0);
    const first = locks.acquire('session-id-123', 0).then(() => 'got it', (e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    const second = locks.acquire('session-id-123', 0).then(() => 'got it', (e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1499);
    let settled = false;
    void first.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = (await first) as SessionBusyError;
    expect(error).toBeInstanceOf(SessionBusyError);
    expect(error.code).toBe('DT_SESSION_BUSY');
    expect(error.retryAfter).toBe(3);
    expect(error.waitedMs).toBe(2500);
    expect(error.message).not.toContain('session-id-123');
    locks.release('session-id-123');
    expect(await second).toBe('got it');
  });
});

describe('SessionLocks#release', () => {
  it('hands the lock straight to the next waiter (it stays held); without a waiter it is free', async () => {
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, lease: 30_000, clock: Date.now });
    await locks.acquire('a', 0);
    const next = locks.acquire('a', 0);
    locks.release('a');
    expect(locks.isHeld('a')).toBe(true);
    await next;
    locks.release('a');
    expect(locks.isHeld('a')).toBe(false);
    locks.release('a'); // releasing a free lock is a no-op
    expect(locks.isHeld('a')).toBe(false);
  });

  it("gives back the store's lease with this manager's owner, unless a commit already did", async () => {
    const { store, calls } = leasingStore(() => true);
    const locks = new SessionLocks(store, { wait: 1000, lease: 30_000, clock: Date.now });
    expect(await locks.acquire('a', 0)).toMatchObject({ state: 'held' });
    expect(calls.acquire).toEqual([['a', locks.owner, 30_000]]);
    locks.release('a');
    expect(calls.release).toEqual([['a', locks.owner]]);
    await locks.acquire('a', 0);
    locks.settled('a'); // the commit gave it back
    locks.release('a');
    expect(calls.release).toHaveLength(1);
  });

  it('rename() moves a held lock to a new id (after regenerate)', async () => {
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, lease: 30_000, clock: Date.now });
    await locks.acquire('old', 0);
    locks.rename('old', 'new');
    expect(locks.isHeld('old')).toBe(false);
    expect(locks.isHeld('new')).toBe(true);
  });
});

describe('SessionLocks with store leases (several processes)', () => {
  it('retries a busy lease with backoff until it is free', async () => {
    jest.useFakeTimers();
    let refusals = 3;
    const { store, calls } = leasingStore(() => refusals-- <= 0);
    const locks = new SessionLocks(store, { wait: 1000, lease: 30_000, clock: Date.now });
    const taken = locks.acquire('a', 0);
    await jest.advanceTimersByTimeAsync(100);
    await taken;
    expect(calls.acquire).toHaveLength(4);
  });

  it('held leases are renewed every third of the lease, in one call, until settled', async () => {
    jest.useFakeTimers();
    const { store, calls } = leasingStore(() => true);
    const locks = new SessionLocks(store, { wait: 1000, lease: 900, clock: Date.now });
    await locks.acquire('a', 0);
    await locks.acquire('b', 0);
    await jest.advanceTimersByTimeAsync(299);
    expect(calls.renew).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.renew).toEqual([['a', 'b']]);
    locks.settled('a');
    await jest.advanceTimersByTimeAsync(300);
    expect(calls.renew).toEqual([['a', 'b'], ['b']]);
    locks.settled('b');
    await jest.advanceTimersByTimeAsync(3000);
    expect(calls.renew).toHaveLength(2);
  });

  it('a lease kept for a later request goes back when too little of it is left to take, and is forgotten with no store call once it has surely lapsed', async () => {
    jest.useFakeTimers();
    const { store, calls } = leasingStore(() => true);
    let now = Date.UTC(2001, 0, 1);
    const locks = new SessionLocks(store, { wait: 1000, lease: 900, clock: () => now });
    const keep = async (id: string): Promise<void> => {
      await locks.acquire(id, now);
      expect(locks.keepLease(id)).toBe('later');
      expect(locks.pass(id, { payload: 'p', version: 2, expires: Infinity }, null)).toBe(true);
    };
    await keep('a');
    await keep('b');
    expect(locks.isHeld('a') || locks.isHeld('b')).toBe(false);
    now += 600; // under half a lease left
    expect(locks.takeParked('a', now)).toBeUndefined();
    expect(calls.release).toEqual([['a', locks.owner]]);
    now += 1201; // two leases after b's commit: lapsed in the store
    await jest.advanceTimersByTimeAsync(300); // a round of the renewal
    expect(locks.takeParked('b', now)).toBeUndefined();
    expect(calls.release).toEqual([['a', locks.owner]]);
    expect(calls.renew).toEqual([]); // parked leases are not renewed
  });

  it('a lease not free within `wait` → SessionBusyError, and the in-process lock is released', async () => {
    jest.useFakeTimers();
    const { store } = leasingStore(() => false);
    const locks = new SessionLocks(store, { wait: 300, lease: 30_000, clock: Date.now });
    const attempt = locks.acquire('a', 0).then(() => 'taken', (e: unknown) => e);
    await jest.advanceTimersByTimeAsync(300);
    expect(await attempt).toBeInstanceOf(SessionBusyError);
    expect(locks.isHeld('a')).toBe(false);
  });

  it('a failing store → SessionStoreError with the cause, and the in-process lock is released', async () => {
    const boom = new Error('connection refused');
    const { store } = leasingStore(() => {
      throw boom;
    });
    const locks = new SessionLocks(store, { wait: 300, lease: 30_000, clock: Date.now });
    const error = (await locks.acquire('a', 0).catch((e: unknown) => e)) as SessionStoreError;
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error.cause).toBe(boom);
    expect(locks.isHeld('a')).toBe(false);
  });

  it('a new id is held without asking the store', () => {
    const { store, calls } = leasingStore(() => true);
    const locks = new SessionLocks(store, { wait: 300, lease: 30_000, clock: Date.now });
    locks.holdNew('fresh');
    expect(locks.isHeld('fresh')).toBe(true);
    expect(calls.acquire).toEqual([]);
  });
});
