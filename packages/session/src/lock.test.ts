import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SessionBusyError, SessionStoreError } from './errors.js';
import { SessionLocks } from './lock.js';
import { MemoryStore } from './memory-store.js';
import type { SessionStore } from './store.js';

afterEach(() => {
  jest.useRealTimers();
});

/** A store whose lock answers from a script (true: taken). */
function lockingStore(answers: (id: string, owner: string) => boolean | Promise<boolean>) {
  const calls = { lock: [] as [string, string, number][], unlock: [] as [string, string][] };
  const store = Object.assign(new MemoryStore(), {
    lock: (id: string, owner: string, ttl: number) => {
      calls.lock.push([id, owner, ttl]);
      return answers(id, owner);
    },
    unlock: (id: string, owner: string) => {
      calls.unlock.push([id, owner]);
    },
  }) as SessionStore;
  return { store, calls };
}

describe('SessionLocks#acquire', () => {
  it('a free lock is taken at once; waiters get it in arrival order (FIFO)', async () => {
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, ttl: 30_000, clock: Date.now });
    await locks.acquire('a');
    expect(locks.isHeld('a')).toBe(true);
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => locks.acquire('a').then(() => order.push(n)));
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
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, ttl: 30_000, clock: Date.now });
    await locks.acquire('a');
    await locks.acquire('b');
    expect(locks.isHeld('a') && locks.isHeld('b')).toBe(true);
  });

  it('a wait longer than `wait` → SessionBusyError (503, Retry-After); the queue behind it still moves', async () => {
    jest.useFakeTimers();
    const locks = new SessionLocks(new MemoryStore(), { wait: 2500, ttl: 30_000, clock: Date.now });
    await locks.acquire('session-id-123');
    const first = locks.acquire('session-id-123').then(() => 'got it', (e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    const second = locks.acquire('session-id-123').then(() => 'got it', (e: unknown) => e);
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
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, ttl: 30_000, clock: Date.now });
    await locks.acquire('a');
    const next = locks.acquire('a');
    locks.release('a');
    expect(locks.isHeld('a')).toBe(true);
    await next;
    locks.release('a');
    expect(locks.isHeld('a')).toBe(false);
    locks.release('a'); // releasing a free lock is a no-op
    expect(locks.isHeld('a')).toBe(false);
  });

  it("releases the store's lock with this manager's owner", async () => {
    const { store, calls } = lockingStore(() => true);
    const locks = new SessionLocks(store, { wait: 1000, ttl: 30_000, clock: Date.now });
    await locks.acquire('a');
    expect(calls.lock).toEqual([['a', expect.any(String), 30_000]]);
    locks.release('a');
    expect(calls.unlock).toEqual([['a', calls.lock[0]![1]]]);
  });

  it('rename() moves a held lock to a new id (after regenerate)', async () => {
    const locks = new SessionLocks(new MemoryStore(), { wait: 1000, ttl: 30_000, clock: Date.now });
    await locks.acquire('old');
    locks.rename('old', 'new');
    expect(locks.isHeld('old')).toBe(false);
    expect(locks.isHeld('new')).toBe(true);
  });
});

describe('SessionLocks with a store lock (several processes)', () => {
  it('retries a taken store lock with backoff until it is free', async () => {
    jest.useFakeTimers();
    let refusals = 3;
    const { store, calls } = lockingStore(() => refusals-- <= 0);
    const locks = new SessionLocks(store, { wait: 1000, ttl: 30_000, clock: Date.now });
    const taken = locks.acquire('a');
    await jest.advanceTimersByTimeAsync(100);
    await taken;
    expect(calls.lock).toHaveLength(4);
  });

  it('a store lock not free within `wait` → SessionBusyError, and the in-process lock is released', async () => {
    jest.useFakeTimers();
    const { store } = lockingStore(() => false);
    const locks = new SessionLocks(store, { wait: 300, ttl: 30_000, clock: Date.now });
    const attempt = locks.acquire('a').then(() => 'taken', (e: unknown) => e);
    await jest.advanceTimersByTimeAsync(300);
    expect(await attempt).toBeInstanceOf(SessionBusyError);
    expect(locks.isHeld('a')).toBe(false);
  });

  it('a failing store lock → SessionStoreError with the cause, and the in-process lock is released', async () => {
    const boom = new Error('connection refused');
    const { store } = lockingStore(() => {
      throw boom;
    });
    const locks = new SessionLocks(store, { wait: 300, ttl: 30_000, clock: Date.now });
    const error = (await locks.acquire('a').catch((e: unknown) => e)) as SessionStoreError;
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error.cause).toBe(boom);
    expect(locks.isHeld('a')).toBe(false);
  });

  it('a new id is held without asking the store', () => {
    const { store, calls } = lockingStore(() => true);
    const locks = new SessionLocks(store, { wait: 300, ttl: 30_000, clock: Date.now });
    locks.holdNew('fresh');
    expect(locks.isHeld('fresh')).toBe(true);
    expect(calls.lock).toEqual([]);
  });
});
