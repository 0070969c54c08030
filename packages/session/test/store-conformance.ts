/**
 * The one behaviour suite every `SessionStore` passes: run it with {@link describeSessionStore}
 * from a `*.test.ts` file. Times are passed explicitly (`now`) everywhere; only a store's own
 * clock (its `set` over an expired entry, its locks) sees real time, and tests keep entries far
 * from "now" so that does not matter — except lock lapse without `advanceClock`, which waits a
 * few real milliseconds because the backend (Redis PX) forces it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SessionStore } from '../src/store.js';

/** One store made for one test. */
export interface StoreUnderTest {
  readonly store: SessionStore;
  /** Closes the store(s) and removes what the test created. */
  cleanup(): Promise<void>;
  /** Another store on the same backend, as another process would open it (shared backends only). */
  sibling?(): Promise<SessionStore>;
  /** Moves the clock the store was built with forward; absent when the store uses real time. */
  advanceClock?(ms: number): void;
}

/** What the store under test is expected to offer beyond the common contract. */
export interface StoreFeatures {
  /** The store implements `lock`/`unlock`. */
  readonly locks: boolean;
}

const HOUR = 3_600_000;

/** Registers the conformance suite for one store implementation. */
export function describeSessionStore(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  features: StoreFeatures = { locks: false },
): void {
  describe(`${name} (SessionStore conformance)`, () => {
    let t: StoreUnderTest;
    let store: SessionStore;
    /** Real time at the start of the test: entries live until T0 + HOUR, expired ones ended at T0 - 1000. */
    let T0: number;

    beforeEach(async () => {
      T0 = Date.now();
      t = await makeStore();
      store = t.store;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    describe(`${name}#get`, () => {
      it('unknown id → undefined', async () => {
        expect(await store.get('nobody', T0)).toBeUndefined();
      });

      it('expired entry → undefined, though not yet swept', async () => {
        expect(await store.set('a', 'p', T0 + 100, 0)).toBe(1);
        expect(await store.get('a', T0 + 99)).toEqual({ payload: 'p', version: 1, expires: T0 + 100 });
        expect(await store.get('a', T0 + 100)).toBeUndefined();
      });

      it('payload of any text → returned exactly', async () => {
        const payload = `{"s":"\\u0000 é 😀 \\ud800"} ${'x'.repeat(100_000)}`;
        await store.set('a', payload, T0 + HOUR, 0);
        expect((await store.get('a', T0))?.payload).toBe(payload);
      });
    });

    describe(`${name}#set`, () => {
      it('expected version 0 on a new id → creates version 1', async () => {
        expect(await store.set('a', 'one', T0 + HOUR, 0)).toBe(1);
        expect(await store.get('a', T0)).toEqual({ payload: 'one', version: 1, expires: T0 + HOUR });
      });

      it('current version → writes and bumps the version', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        expect(await store.set('a', 'two', T0 + 2 * HOUR, 1)).toBe(2);
        expect(await store.get('a', T0)).toEqual({ payload: 'two', version: 2, expires: T0 + 2 * HOUR });
      });

      it('stale version → undefined, data left intact', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.set('a', 'two', T0 + HOUR, 1);
        expect(await store.set('a', 'lost', T0 + 2 * HOUR, 1)).toBeUndefined();
        expect(await store.set('a', 'lost', T0 + 2 * HOUR, 0)).toBeUndefined();
        expect(await store.get('a', T0)).toEqual({ payload: 'two', version: 2, expires: T0 + HOUR });
      });

      it('a version on an unknown server-side id → undefined', async () => {
        if ((store as { clientSide?: boolean }).clientSide) return; // the cookie is the truth there
        expect(await store.set('ghost', 'x', T0 + HOUR, 3)).toBeUndefined();
        expect(await store.get('ghost', T0)).toBeUndefined();
      });

      it('expected version 0 over an expired entry → replaces it as version 1', async () => {
        await store.set('a', 'old', T0 - 1000, 0);
        expect(await store.get('a', T0)).toBeUndefined();
        expect(await store.set('a', 'new', T0 + HOUR, 0)).toBe(1);
        expect(await store.get('a', T0)).toEqual({ payload: 'new', version: 1, expires: T0 + HOUR });
      });

      it('concurrent writers of one version → exactly one wins', async () => {
        await store.set('a', 'v1', T0 + HOUR, 0);
        const results = await Promise.all([1, 2, 3, 4].map((i) => store.set('a', `w${i}`, T0 + HOUR, 1)));
        expect(results.filter((r) => r === 2)).toHaveLength(1);
        expect(results.filter((r) => r === undefined)).toHaveLength(3);
      });
    });

    describe(`${name}#touch`, () => {
      it('moves the expiry, keeps payload and version', async () => {
        await store.set('a', 'p', T0 + 1000, 0);
        await store.set('a', 'p2', T0 + 1000, 1);
        await store.touch('a', T0 + 5000);
        expect(await store.get('a', T0 + 2000)).toEqual({ payload: 'p2', version: 2, expires: T0 + 5000 });
        expect(await store.sweep(T0 + 2000, 100)).toEqual([]);
        expect(await store.sweep(T0 + 5000, 100)).toEqual([{ id: 'a', payload: 'p2' }]);
      });

      it('unknown id → no-op', async () => {
        await store.touch('nobody', T0 + HOUR);
        expect(await store.get('nobody', T0)).toBeUndefined();
      });
    });

    describe(`${name}#delete`, () => {
      it('removes the entry; true once, then false; not reported by sweep', async () => {
        await store.set('a', 'p', T0 + 10, 0);
        expect(await store.delete('a')).toBe(true);
        expect(await store.delete('a')).toBe(false);
        expect(await store.get('a', T0)).toBeUndefined();
        expect(await store.sweep(T0 + 100, 100)).toEqual([]);
      });
    });

    describe(`${name}#sweep`, () => {
      it('claims expired entries once, with their last payload; leaves live ones', async () => {
        await store.set('a', 'a1', T0 + 10, 0);
        await store.set('a', 'a2', T0 + 10, 1);
        await store.set('b', 'b1', T0 + 20, 0);
        await store.set('c', 'c1', T0 + HOUR, 0);
        expect(await store.sweep(T0 + 15, 100)).toEqual([{ id: 'a', payload: 'a2' }]);
        expect(await store.sweep(T0 + 15, 100)).toEqual([]);
        expect(await store.sweep(T0 + 20, 100)).toEqual([{ id: 'b', payload: 'b1' }]);
        expect(await store.get('c', T0 + 20)).toEqual({ payload: 'c1', version: 1, expires: T0 + HOUR });
        expect(await store.get('a', T0)).toBeUndefined();
      });

      it('respects the limit; repeated sweeps claim the rest, each id once', async () => {
        for (let i = 0; i < 7; i++) await store.set(`s${i}`, `p${i}`, T0 + i, 0);
        await store.set('live', 'x', T0 + HOUR, 0);
        const seen: string[] = [];
        for (const expected of [3, 3, 1, 0]) {
          const batch = await store.sweep(T0 + 100, 3);
          expect(batch).toHaveLength(expected);
          seen.push(...batch.map((e) => e.id));
        }
        expect(seen.sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
        expect((await store.get('live', T0 + 100))?.payload).toBe('x');
      });

      it('two concurrent sweeps → each expired entry claimed once', async () => {
        for (let i = 0; i < 20; i++) await store.set(`s${i}`, `p${i}`, T0 + i, 0);
        const [x, y] = await Promise.all([store.sweep(T0 + 100, 15), store.sweep(T0 + 100, 15)]);
        const rest = await store.sweep(T0 + 100, 100);
        const ids = [...x!, ...y!, ...rest].map((e) => e.id);
        expect(ids).toHaveLength(20);
        expect(new Set(ids).size).toBe(20);
      });
    });

    describe(`${name}#lock`, () => {
      it(features.locks ? 'has lock and unlock' : 'has no lock (single process)', () => {
        expect(typeof store.lock).toBe(features.locks ? 'function' : 'undefined');
        expect(typeof store.unlock).toBe(features.locks ? 'function' : 'undefined');
      });

      if (!features.locks) return;

      it('second owner refused until the first unlocks; a stranger cannot unlock', async () => {
        expect(await store.lock!('a', 'one', 10_000)).toBe(true);
        expect(await store.lock!('a', 'two', 10_000)).toBe(false);
        await store.unlock!('a', 'two');
        expect(await store.lock!('a', 'two', 10_000)).toBe(false);
        await store.unlock!('a', 'one');
        expect(await store.lock!('a', 'two', 10_000)).toBe(true);
        expect(await store.lock!('b', 'one', 10_000)).toBe(true);
      });

      it('a lock lapses after its ttl', async () => {
        const ttl = t.advanceClock ? 1000 : 30;
        expect(await store.lock!('a', 'one', ttl)).toBe(true);
        expect(await store.lock!('a', 'two', ttl)).toBe(false);
        if (t.advanceClock) t.advanceClock(ttl + 1);
        else await new Promise((r) => setTimeout(r, ttl + 30)); // Redis PX: the server's clock decides
        expect(await store.lock!('a', 'two', 10_000)).toBe(true);
        await store.unlock!('a', 'one'); // the lapsed owner's unlock leaves the new owner's lock
        expect(await store.lock!('a', 'three', 10_000)).toBe(false);
      });
    });

    describe(`${name}#close`, () => {
      it('is idempotent', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.close();
        await store.close();
      });
    });

    describe(`${name} shared by two processes`, () => {
      it('a second store on the same backend sees every commit and obeys the versions', async () => {
        if (!t.sibling) return;
        const other = await t.sibling();
        await store.set('a', 'one', T0 + HOUR, 0);
        expect(await other.get('a', T0)).toEqual({ payload: 'one', version: 1, expires: T0 + HOUR });
        expect(await other.set('a', 'two', T0 + HOUR, 1)).toBe(2);
        expect(await store.set('a', 'lost', T0 + HOUR, 1)).toBeUndefined();
        expect((await store.get('a', T0))?.payload).toBe('two');
      });

      it('two sweepers → each expired entry claimed once', async () => {
        if (!t.sibling) return;
        const other = await t.sibling();
        for (let i = 0; i < 30; i++) await store.set(`s${i}`, `p${i}`, T0 + i, 0);
        const claimed: string[] = [];
        for (;;) {
          const [x, y] = await Promise.all([store.sweep(T0 + 100, 4), other.sweep(T0 + 100, 4)]);
          if (x.length + y.length === 0) break;
          claimed.push(...x.map((e) => e.id), ...y.map((e) => e.id));
        }
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed).size).toBe(30);
      });
    });
  });
}
