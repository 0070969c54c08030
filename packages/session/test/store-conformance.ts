/**
 * The one behaviour suite every `SessionStore` passes: run it with {@link describeSessionStore}
 * from a `*.test.ts` file. Times are passed explicitly (`now`) everywhere, except what a store
 * reads from its own clock (its `set` over an expired entry, its leases): each store is built on
 * a clock the test moves (`advanceClock`), which is how a lease lapses, with no real waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { WAIT_TURN_MS } from '../src/store.js';
import type { SessionStore } from '../src/store.js';

/** One store made for one test. */
export interface StoreUnderTest {
  readonly store: SessionStore;
  /** Closes the store(s) and removes what the test created. */
  cleanup(): Promise<void>;
  /** Another store on the same backend, as another process would open it (shared backends only). */
  sibling?(): Promise<SessionStore>;
  /** Moves the clock the store was built with (and its siblings) forward. */
  advanceClock(ms: number): void;
}

const HOUR = 3_600_000;

/** Registers the conformance suite for one store implementation. */
export function describeSessionStore(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
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

      it('an entry read before a write keeps what it was read with (get hands out its own copy)', async () => {
        // Written twice first: a store may change an entry in place once it is in use (MemoryStore does).
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.set('a', 'two', T0 + HOUR, 1);
        const before = await store.get('a', T0);
        expect(await store.set('a', 'three', T0 + 2 * HOUR, 2)).toBe(3);
        await store.touch('a', T0 + 3 * HOUR);
        expect(before).toEqual({ payload: 'two', version: 2, expires: T0 + HOUR });
        expect(await store.get('a', T0)).toEqual({ payload: 'three', version: 3, expires: T0 + 3 * HOUR });
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

    /** Lets a lease of `ms` lapse on the store's clock. */
    const lapse = async (ms: number): Promise<void> => {
      t.advanceClock(ms + 1);
    };
    const SHORT = 40;

    describe(`${name}#acquire`, () => {
      it('a live entry → held, with the entry; unknown or expired → absent', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.set('old', 'p', T0 - 1000, 0);
        expect(await store.acquire('a', 'one', 10_000, T0)).toEqual({ state: 'held', entry: { payload: 'p', version: 1, expires: T0 + HOUR } });
        expect(await store.acquire('nobody', 'one', 10_000, T0)).toEqual({ state: 'absent' });
        expect(await store.acquire('old', 'one', 10_000, T0)).toEqual({ state: 'absent' });
      });

      it('held by one owner → busy for every other, and for itself (not re-entrant)', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        expect((await store.acquire('a', 'one', 10_000, T0)).state).toBe('held');
        expect(await store.acquire('a', 'two', 10_000, T0)).toEqual({ state: 'busy' });
        expect(await store.acquire('a', 'one', 10_000, T0)).toEqual({ state: 'busy' });
      });

      it('an owner that found the lease busy has the next turn: the holder that gave it back, or a third owner, cannot take it first', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('held');
        expect((await store.acquire('a', 'waiter', 10_000, T0)).state).toBe('busy');
        expect((await store.acquire('a', 'third', 10_000, T0)).state).toBe('busy');
        await store.release('a', 'holder');
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('busy');
        expect((await store.acquire('a', 'third', 10_000, T0)).state).toBe('busy');
        expect((await store.acquire('a', 'waiter', 10_000, T0)).state).toBe('held');
        // Taking it ends the turn: who tries next after the release gets it.
        expect(await store.commit('a', 'waiter', 'q', T0 + HOUR, 1)).toBe(2);
        expect((await store.acquire('a', 'third', 10_000, T0)).state).toBe('held');
      });

      it('a turn the waiter does not take lapses WAIT_TURN_MS after its last try: the lease is free for anyone again', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.acquire('a', 'holder', 10_000, T0);
        expect((await store.acquire('a', 'gave-up', 10_000, T0)).state).toBe('busy');
        await store.release('a', 'holder');
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('busy');
        await lapse(WAIT_TURN_MS);
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('held');
      });

      it('release on demand: an owner told busy makes the holder\'s next wanted() name the session, once; a free or own lease tells no one', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.set('b', 'p', T0 + HOUR, 0);
        expect(await store.wanted!('holder')).toEqual([]);
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('held');
        expect((await store.acquire('b', 'holder', 10_000, T0)).state).toBe('held');
        expect((await store.acquire('b', 'holder', 10_000, T0)).state).toBe('busy'); // its own: no one to tell
        expect(await store.wanted!('holder')).toEqual([]);
        expect((await store.acquire('a', 'waiter', 10_000, T0)).state).toBe('busy');
        expect((await store.acquire('a', 'waiter', 10_000, T0)).state).toBe('busy');
        expect((await store.acquire('b', 'third', 10_000, T0)).state).toBe('busy'); // told, though the turn is not its
        expect(await store.wanted!('waiter')).toEqual([]);
        expect((await store.wanted!('holder')).sort()).toEqual(['a', 'b']);
        expect(await store.wanted!('holder')).toEqual([]);
        await store.release('a', 'holder');
        expect((await store.acquire('a', 'waiter', 10_000, T0)).state).toBe('held');
        expect(await store.wanted!('holder')).toEqual([]);
      });

      it('release on demand, between two processes: one tells, the other is told', async () => {
        const other = t.sibling === undefined ? store : await t.sibling();
        await store.set('a', 'p', T0 + HOUR, 0);
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('held');
        expect((await other.acquire('a', 'waiter', 10_000, T0)).state).toBe('busy');
        expect(await store.wanted!('holder')).toEqual(['a']);
      });

      it('a lease nobody renews lapses by itself (a dead holder): the next owner gets it', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        expect((await store.acquire('a', 'dead', SHORT, T0)).state).toBe('held');
        await lapse(SHORT);
        expect((await store.acquire('a', 'next', 10_000, T0)).state).toBe('held');
      });
    });

    describe(`${name}#commit`, () => {
      it('an expiry moved earlier by a commit, or by a plain set → swept at the earlier time, once', async () => {
        await store.set('a', 'a1', T0 + HOUR, 0);
        await store.acquire('a', 'me', 10_000, T0);
        expect(await store.commit('a', 'me', 'a2', T0 + 10, 1)).toBe(2);
        await store.set('b', 'b1', T0 + HOUR, 0);
        expect(await store.set('b', 'b2', T0 + 20, 1)).toBe(2);
        expect(await store.sweep(T0 + 15, 100)).toEqual([{ id: 'a', payload: 'a2' }]);
        expect(await store.sweep(T0 + 25, 100)).toEqual([{ id: 'b', payload: 'b2' }]);
        expect(await store.sweep(T0 + 2 * HOUR, 100)).toEqual([]);
      });

      it('the holder writes (compare-and-set) and releases in one call', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'me', 10_000, T0);
        expect(await store.commit('a', 'me', 'two', T0 + 2 * HOUR, 1)).toBe(2);
        expect(await store.get('a', T0)).toEqual({ payload: 'two', version: 2, expires: T0 + 2 * HOUR });
        expect((await store.acquire('a', 'other', 10_000, T0)).state).toBe('held');
      });

      it('expected version 0 → creates the entry, as set does', async () => {
        expect(await store.commit('new', 'me', 'p', T0 + HOUR, 0)).toBe(1);
        expect(await store.commit('new', 'me', 'p', T0 + HOUR, 0)).toBeUndefined();
        expect((await store.acquire('new', 'other', 10_000, T0)).state).toBe('held');
      });

      it('a stale version → refused, nothing written, the lease still held until released', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'me', 10_000, T0);
        expect(await store.commit('a', 'me', 'lost', T0 + HOUR, 7)).toBeUndefined();
        expect(await store.get('a', T0)).toEqual({ payload: 'one', version: 1, expires: T0 + HOUR });
        expect((await store.acquire('a', 'other', 10_000, T0)).state).toBe('busy');
        await store.release('a', 'me');
        expect((await store.acquire('a', 'other', 10_000, T0)).state).toBe('held');
      });

      it('another owner holds a live lease → refused, though the version matches', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'holder', 10_000, T0);
        expect(await store.commit('a', 'intruder', 'lost', T0 + HOUR, 1)).toBeUndefined();
        expect((await store.get('a', T0))?.payload).toBe('one');
      });

      it('a lease that lapsed mid-request and was taken over → refused, never an overwrite', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'slow', SHORT, T0);
        await lapse(SHORT);
        const taken = await store.acquire('a', 'fast', 10_000, T0);
        expect(taken.state).toBe('held');
        expect(await store.commit('a', 'slow', 'stale', T0 + HOUR, 1)).toBeUndefined(); // the other holds it
        expect(await store.commit('a', 'fast', 'two', T0 + HOUR, 1)).toBe(2);
        expect(await store.commit('a', 'slow', 'stale', T0 + HOUR, 1)).toBeUndefined(); // the version moved on
        expect(await store.get('a', T0)).toEqual({ payload: 'two', version: 2, expires: T0 + HOUR });
      });

      it('a lease that lapsed but was not taken over → the commit still writes (the version proves no one else did)', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'slow', SHORT, T0);
        await lapse(SHORT);
        expect(await store.commit('a', 'slow', 'two', T0 + HOUR, 1)).toBe(2);
      });

      it('each write keeps the expiry it is given, moved or as before: get and sweep go by the last one', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        expect(await store.set('a', 'two', T0 + HOUR, 1)).toBe(2);
        await store.acquire('a', 'me', 10_000, T0);
        expect(await store.commit('a', 'me', 'three', T0 + 5000, 2, 10_000)).toBe(3);
        expect(await store.commit('a', 'me', 'four', T0 + 5000, 3, 10_000)).toBe(4);
        expect(await store.commit('a', 'me', 'five', T0 + 6000, 4)).toBe(5);
        expect(await store.get('a', T0)).toEqual({ payload: 'five', version: 5, expires: T0 + 6000 });
        expect(await store.commit('a', 'me', 'stale', T0 + 6000, 4)).toBeUndefined();
        expect(await store.set('a', 'stale', T0 + 7000, 4)).toBeUndefined();
        expect(await store.sweep(T0 + 5999, 100)).toEqual([]);
        expect(await store.sweep(T0 + 6000, 100)).toEqual([{ id: 'a', payload: 'five' }]);
      });

      it('with keepMs (a lock handoff) → writes and keeps the lease: others stay busy until it is released', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'me', 10_000, T0);
        expect(await store.commit('a', 'me', 'two', T0 + HOUR, 1, 10_000)).toBe(2);
        expect((await store.acquire('a', 'other', 10_000, T0)).state).toBe('busy');
        expect(await store.commit('a', 'other', 'lost', T0 + HOUR, 2)).toBeUndefined();
        expect(await store.commit('a', 'me', 'three', T0 + HOUR, 2, 10_000)).toBe(3);
        await store.release('a', 'me');
        expect(await store.acquire('a', 'other', 10_000, T0)).toEqual({ state: 'held', entry: { payload: 'three', version: 3, expires: T0 + HOUR } });
      });

      it('with keepMs after the lease lapsed and was taken over → refused, never an overwrite', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'slow', SHORT, T0);
        await lapse(SHORT);
        expect((await store.acquire('a', 'fast', 10_000, T0)).state).toBe('held');
        expect(await store.commit('a', 'slow', 'stale', T0 + HOUR, 1, 10_000)).toBeUndefined();
        expect(await store.commit('a', 'fast', 'two', T0 + HOUR, 1)).toBe(2);
      });

      it('set ignores leases (data whose lock is held elsewhere)', async () => {
        await store.set('a', 'one', T0 + HOUR, 0);
        await store.acquire('a', 'holder', 10_000, T0);
        expect(await store.set('a', 'two', T0 + HOUR, 1)).toBe(2);
      });
    });

    describe(`${name}#release`, () => {
      it("frees the owner's lease; a stranger's release leaves it", async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.acquire('a', 'one', 10_000, T0);
        await store.release('a', 'two');
        expect((await store.acquire('a', 'two', 10_000, T0)).state).toBe('busy');
        await store.release('a', 'one');
        expect((await store.acquire('a', 'two', 10_000, T0)).state).toBe('held');
      });

      it('with an expiry → moves it in the same call, payload and version kept', async () => {
        await store.set('a', 'p', T0 + 1000, 0);
        await store.acquire('a', 'one', 10_000, T0);
        await store.release('a', 'one', T0 + 5000);
        expect(await store.get('a', T0 + 2000)).toEqual({ payload: 'p', version: 1, expires: T0 + 5000 });
        expect(await store.sweep(T0 + 2000, 100)).toEqual([]);
        expect(await store.sweep(T0 + 5000, 100)).toEqual([{ id: 'a', payload: 'p' }]);
      });

      it('an expiry moved earlier → swept at the earlier time', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.release('a', 'nobody', T0 + 10);
        expect(await store.sweep(T0 + 20, 100)).toEqual([{ id: 'a', payload: 'p' }]);
      });
    });

    describe(`${name}#renew`, () => {
      it("keeps the owner's lease past its first term; reports the ids it could not keep", async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.set('b', 'p', T0 + HOUR, 0);
        await store.acquire('a', 'me', SHORT * 3, T0);
        await store.acquire('b', 'other', 10_000, T0);
        expect(await store.renew(['a', 'b', 'gone'], 'me', 10_000)).toEqual(['b', 'gone']);
        await lapse(SHORT * 3);
        expect((await store.acquire('a', 'other', 10_000, T0)).state).toBe('busy');
      });

      it('never takes back a lease that was given back or lapsed: reported lost, another owner gets it', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.set('b', 'p', T0 + HOUR, 0);
        await store.acquire('a', 'me', 10_000, T0);
        await store.release('a', 'me');
        await store.acquire('b', 'me', SHORT, T0);
        await lapse(SHORT);
        expect(await store.renew(['a', 'b'], 'me', 10_000)).toEqual(['a', 'b']);
        expect((await store.acquire('a', 'other', 10_000, T0)).state).toBe('held');
        expect((await store.acquire('b', 'other', 10_000, T0)).state).toBe('held');
      });
    });

    describe(`${name}#delete with a lease`, () => {
      it('removes the lease with the entry', async () => {
        await store.set('a', 'p', T0 + HOUR, 0);
        await store.acquire('a', 'one', 10_000, T0);
        expect(await store.delete('a')).toBe(true);
        await store.set('a', 'q', T0 + HOUR, 0);
        expect((await store.acquire('a', 'two', 10_000, T0)).state).toBe('held');
      });

      it('release on demand: deleting a session tells the holder of its live lease, unless the holder deletes it', async () => {
        const other = t.sibling === undefined ? store : await t.sibling();
        for (const id of ['a', 'b', 'c']) await store.set(id, 'p', T0 + HOUR, 0);
        expect((await store.acquire('a', 'holder', 10_000, T0)).state).toBe('held');
        expect((await store.acquire('b', 'holder', 10_000, T0)).state).toBe('held');
        expect(await other.delete('a')).toBe(true); // another process, or a tool
        expect(await other.delete('b', 'holder')).toBe(true); // the holder itself
        expect(await other.delete('c')).toBe(true); // no lease on it
        expect(await store.wanted!('holder')).toEqual(['a']);
        expect(await store.wanted!('holder')).toEqual([]);
      });
    });

    describe(`${name}#count and #list`, () => {
      it('count → the entries kept; list → each exactly once, page by page', async () => {
        expect(await store.count()).toBe(0);
        for (let i = 0; i < 7; i++) await store.set(`s${i}`, `p${i}`, T0 + HOUR + i, 0);
        await store.set('s0', 'again', T0 + HOUR, 1);
        expect(await store.count()).toBe(7);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(cursor, 3);
          for (const e of page.entries) {
            seen.push(e.id);
            expect(e).toEqual({ id: e.id, version: e.id === 's0' ? 2 : 1, expires: e.id === 's0' ? T0 + HOUR : T0 + HOUR + Number(e.id.slice(1)) });
          }
          cursor = page.cursor;
        } while (cursor !== undefined && ++pages < 20);
        expect(seen.sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
        await store.delete('s3');
        expect(await store.count()).toBe(6);
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
