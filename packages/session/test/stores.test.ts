import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createClient } from 'redis';
import { CookieStore } from '../src/cookie-store.js';
import { SessionDataError, SessionStoreConfigError, SessionStoreError } from '../src/errors.js';
import { MemoryStore } from '../src/memory-store.js';
import { shardOf } from '../src/redis-scripts.js';
import { RedisStore } from '../src/redis-store.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { isClientSide, type SessionStore } from '../src/store.js';
import { describeSessionStore } from './store-conformance.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';

const HOUR = 3_600_000;

function fakeClock(): { clock: () => number; advance: (ms: number) => void } {
  let now = Date.now();
  return { clock: () => now, advance: (ms) => void (now += ms) };
}

// ---------------------------------------------------------------- MemoryStore

describeSessionStore('MemoryStore', async () => {
  const { clock, advance } = fakeClock();
  const store = new MemoryStore({ clock });
  return { store, advanceClock: advance, cleanup: async () => store.close() };
});

describe('MemoryStore#set', () => {
  it('full of live sessions → SessionStoreError, no live session dropped', () => {
    const store = new MemoryStore({ maxSessions: 2 });
    const T0 = Date.now();
    store.set('a', 'a', T0 + HOUR, 0);
    store.set('b', 'b', T0 + HOUR, 0);
    expect(() => store.set('c', 'c', T0 + HOUR, 0)).toThrow(SessionStoreError);
    try {
      store.set('c', 'c', T0 + HOUR, 0);
    } catch (e) {
      expect((e as SessionStoreError).code).toBe('DT_SESSION_STORE_UNAVAILABLE');
      expect((e as Error).message).toMatch(/full.*maxSessions = 2/);
    }
    expect(store.set('a', 'a2', T0 + HOUR, 1)).toBe(2); // existing ids still write
    expect(store.get('b', T0)?.payload).toBe('b');
  });

  it('full with expired entries → claims them for the next sweep, then stores the new one', () => {
    const { clock } = fakeClock();
    const store = new MemoryStore({ maxSessions: 2, clock });
    const T0 = clock();
    store.set('old', 'last words', T0 - 10, 0);
    store.set('live', 'l', T0 + HOUR, 0);
    expect(store.set('new', 'n', T0 + HOUR, 0)).toBe(1);
    expect(store.size).toBe(2);
    expect(store.sweep(T0, 100)).toEqual([{ id: 'old', payload: 'last words' }]);
    expect(store.sweep(T0, 100)).toEqual([]);
  });

  it('bad maxSessions → SessionStoreConfigError', () => {
    expect(() => new MemoryStore({ maxSessions: 0 })).toThrow(SessionStoreConfigError);
    expect(() => new MemoryStore({ maxSessions: 1.5 })).toThrow(SessionStoreConfigError);
    expect(new MemoryStore({ maxSessions: Infinity }).inProcess).toBe(true);
  });
});

describe('MemoryStore#sweep', () => {
  it('many entries, few expired → claims only the expired, in any bucket order', () => {
    const store = new MemoryStore();
    const T0 = 1_000_000_000_000;
    // Inserted out of time order so buckets are created out of order too.
    for (let i = 0; i < 1000; i++) store.set(`id${i}`, `p${i}`, T0 + ((i * 7919) % 1000) * 1000, 0);
    const claimed = store.sweep(T0 + 9_500, 10_000).map((e) => e.id);
    expect(claimed).toHaveLength(10); // offsets 0..9 s
    expect(store.size).toBe(990);
    expect(store.sweep(T0 + 9_999, 10_000)).toEqual([]);
    expect(store.sweep(T0 + 10_000, 10_000)).toHaveLength(1);
  });

  it('an entry touched into a later bucket → not claimed at its old time; a partly due bucket → only its expired ids', () => {
    const store = new MemoryStore();
    const T0 = 2_000_000_000_000;
    store.set('a', 'a', T0 + 100, 0);
    store.set('b', 'b', T0 + 900, 0);
    store.touch('a', T0 + 50_000);
    expect(store.sweep(T0 + 500, 10)).toEqual([]);
    expect(store.sweep(T0 + 900, 10)).toEqual([{ id: 'b', payload: 'b' }]);
    expect(store.sweep(T0 + 50_000, 10)).toEqual([{ id: 'a', payload: 'a' }]);
  });
});

// ---------------------------------------------------------------- SqliteStore

describe('SqliteStore', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-sqlite-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describeSessionStore(
    'SqliteStore',
    async () => {
      const { clock, advance } = fakeClock();
      const path = join(dir, `s${++n}`, 'sessions.db'); // the parent directory does not exist yet
      const store = new SqliteStore({ path, clock });
      const others: SqliteStore[] = [];
      return {
        store,
        advanceClock: advance,
        sibling: async () => {
          const other = await SqliteStore.open({ path, clock });
          others.push(other);
          return other;
        },
        cleanup: async () => {
          await store.close();
          for (const o of others) await o.close();
        },
      };
    },
  );

  describeSessionStore('SqliteStore (exclusive)', async () => {
    const { clock, advance } = fakeClock();
    const store = new SqliteStore({ path: join(dir, `x${++n}`, 'sessions.db'), clock, exclusive: true });
    return { store, advanceClock: advance, cleanup: () => store.close() };
  });

  describe('SqliteStore exclusive', () => {
    it('keeps its file to itself: a store opened beside it, or before it, is refused with SessionStoreError saying what to do; once closed, the file opens as usual', async () => {
      const path = join(dir, 'exclusive', 'sessions.db');
      const T0 = Date.now();
      const exclusive = await SqliteStore.open({ path, exclusive: true });
      expect(await exclusive.set('a', 'kept', T0 + HOUR, 0)).toBe(1);
      const shared = new SqliteStore({ path });
      const refused = await shared.ready().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SessionStoreError);
      expect(String(refused)).toMatch(/most likely a SqliteStore opened with `exclusive: true`/);
      await exclusive.close();

      const opened = await SqliteStore.open({ path });
      expect(await opened.get('a', T0)).toEqual({ payload: 'kept', version: 1, expires: T0 + HOUR });
      const second = new SqliteStore({ path, exclusive: true });
      const alsoRefused = await second.ready().catch((e: unknown) => e);
      expect(alsoRefused).toBeInstanceOf(SessionStoreError);
      expect(String(alsoRefused)).toMatch(/must be the only process on its file/);
      expect(await opened.set('a', 'still', T0 + HOUR, 1)).toBe(2); // the refused store took nothing
      await opened.close();
      await shared.close();
      await second.close();
    }, 40_000); // each refusal waits the 10 s a store gives other processes to finish opening

    it('its leases are in memory, not in the rows: a lease taken, then the store reopened (a restart) → the session is free at once', async () => {
      const path = join(dir, 'exclusive-restart', 'sessions.db');
      const T0 = Date.now();
      const first = await SqliteStore.open({ path, exclusive: true });
      await first.set('a', 'p', T0 + HOUR, 0);
      expect((await first.acquire('a', 'old process', 60_000, T0)).state).toBe('held');
      await first.close();
      const second = await SqliteStore.open({ path, exclusive: true });
      expect((await second.acquire('a', 'new process', 60_000, T0)).state).toBe('held');
      await second.close();
    });
  });

  describe('SqliteStore#constructor', () => {
    it('missing path or bad table → SessionStoreConfigError', () => {
      expect(() => new SqliteStore({ path: '' })).toThrow(SessionStoreConfigError);
      expect(() => new SqliteStore({} as { path: string })).toThrow(/path/);
      expect(() => new SqliteStore({ path: 'x.db', table: 'a; drop' })).toThrow(SessionStoreConfigError);
    });

    it('a path that cannot be a database → SessionStoreError at first use, not a crash', async () => {
      const store = new SqliteStore({ path: dir }); // a directory
      await expect(Promise.resolve().then(() => store.get('a', 0))).rejects.toBeInstanceOf(SessionStoreError);
      await store.close();
    });
  });

  describe('SqliteStore#open', () => {
    it('a new store on the same file (a restart) → every committed session is there', async () => {
      const path = join(dir, 'restart', 'db.sqlite');
      const first = new SqliteStore({ path });
      const T0 = Date.now();
      await first.set('a', 'kept', T0 + HOUR, 0);
      await first.close();
      expect(existsSync(path)).toBe(true);
      const second = await SqliteStore.open({ path });
      expect(await second.get('a', T0)).toEqual({ payload: 'kept', version: 1, expires: T0 + HOUR });
      await second.close();
    });

    it('after open → answers synchronously', async () => {
      const store = await SqliteStore.open({ path: join(dir, 'sync.db') });
      const r = store.set('a', 'p', Date.now() + HOUR, 0);
      expect(r).toBe(1);
      await store.close();
      await expect(Promise.resolve().then(() => store.get('a', 0))).rejects.toBeInstanceOf(SessionStoreError);
    });
  });
});

// ---------------------------------------------------------------- RedisStore

const withRedis = redisTestsEnabled();
(withRedis ? describe : describe.skip)('RedisStore', () => {
  let server: RedisServer;
  let n = 0;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  describeSessionStore(
    'RedisStore',
    async () => {
      const prefix = `t${++n}:`;
      const { clock, advance } = fakeClock();
      const store = new RedisStore({ url: server.url, prefix, clock });
      const others: RedisStore[] = [];
      return {
        store,
        advanceClock: advance,
        sibling: async () => {
          const other = new RedisStore({ url: server.url, prefix, clock });
          others.push(other);
          return other;
        },
        cleanup: async () => {
          await store.close();
          for (const o of others) await o.close();
        },
      };
    },
  );

  describe('RedisStore#constructor', () => {
    it('neither url nor client → SessionStoreConfigError', () => {
      expect(() => new RedisStore({} as { url: string })).toThrow(SessionStoreConfigError);
      expect(() => new RedisStore({ url: server.url, graceMs: -1 })).toThrow(SessionStoreConfigError);
    });

    it('the url password is not in the name', () => {
      expect(new RedisStore({ url: 'redis://:hunter2@127.0.0.1:1' }).name).not.toContain('hunter2');
    });

    it('the name reads as the url was written: the database kept, the password as ***, a prefix only when not the default', () => {
      expect(new RedisStore({ url: 'redis://127.0.0.1:6379' }).name).toBe('redis://127.0.0.1:6379');
      expect(new RedisStore({ url: 'redis://app:hunter2@10.0.0.5:6380/2' }).name).toBe('redis://app:***@10.0.0.5:6380/2');
      expect(new RedisStore({ url: 'rediss://cache.example:6379', prefix: 'myapp:' }).name).toBe('rediss://cache.example:6379 prefix myapp:');
      expect(new RedisStore({ client: createClient({ url: server.url }) }).name).toBe('redis client');
    });
  });

  describe('RedisStore#close', () => {
    it('a client passed in → left open; the store stops using it', async () => {
      const client = createClient({ url: server.url });
      client.on('error', () => undefined);
      const store = new RedisStore({ client, prefix: 'given:' }); // connected by the store
      expect(await store.set('a', 'p', Date.now() + HOUR, 0)).toBe(1);
      await store.close();
      expect(client.isOpen).toBe(true);
      expect(await client.hGet('given:{a}', 'payload')).toBe('p');
      await expect(store.get('a', 0)).rejects.toBeInstanceOf(SessionStoreError);
      await client.close();
    });
  });

  describe('RedisStore#get', () => {
    it('no server at the url → SessionStoreError quickly, not a hang', async () => {
      const down = await startRedisServer();
      await down.dispose(); // a port where nothing listens
      const store = new RedisStore({ url: down.url });
      const started = Date.now();
      await expect(store.get('a', 0)).rejects.toBeInstanceOf(SessionStoreError);
      expect(Date.now() - started).toBeLessThan(3000);
      await store.close();
    });
  });

  describe('RedisStore#queuedInTurn', () => {
    it('counts the commands sent in this turn of the event loop, which the client writes when it ends, and starts again at 0 in the next', async () => {
      const store = new RedisStore({ url: server.url, prefix: 'queued:' });
      await store.ready();
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(store.queuedInTurn()).toBe(0);
      const answers = [store.get('a', 0), store.set('b', 'p', Date.now() + HOUR, 0), store.get('c', 0)];
      expect(store.queuedInTurn()).toBe(3);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(store.queuedInTurn()).toBe(0);
      expect(await Promise.all(answers)).toEqual([undefined, 1, undefined]);
      await store.close();
    });
  });

  describe('RedisStore#sweep', () => {
    it('each process starts sweeping at a shard of its own, so processes do not all queue behind the first shard', async () => {
      const prefix = 'spread:';
      const T0 = Date.now();
      const writer = new RedisStore({ url: server.url, prefix });
      try {
        // One ended session in each of the 16 shards of the expiry index.
        const byShard = new Map<number, string>();
        for (let i = 0; byShard.size < 16; i++) if (!byShard.has(shardOf(`s${i}`, 16))) byShard.set(shardOf(`s${i}`, 16), `s${i}`);
        for (const id of byShard.values()) await writer.set(id, 'p', T0 + 1000, 0);
        const firstShards = new Set<number>();
        for (let p = 0; p < 20; p++) {
          const sweeper = new RedisStore({ url: server.url, prefix });
          try {
            const claimed = await sweeper.sweep(T0 + 2000, 1);
            expect(claimed).toHaveLength(1);
            firstShards.add(shardOf(claimed[0]!.id, 16));
            await writer.set(claimed[0]!.id, 'p', T0 + 1000, 0); // back, for the next process
          } finally {
            await sweeper.close();
          }
        }
        // Each start is drawn at random: 20 processes all starting at one shard would be 16^-19.
        expect(firstShards.size).toBeGreaterThan(1);
      } finally {
        await writer.close();
      }
    });
  });

  describe('RedisStore graceMs', () => {
    it("Redis drops a session's key from a grace to 1.5 graces after it expires; a write moves that time only when the grace would end after it", async () => {
      const client = await createClient({ url: server.url }).connect();
      const store = new RedisStore({ url: server.url, prefix: 'grace:', graceMs: 60_000 });
      const dropTime = async (): Promise<number> => Number(await client.sendCommand(['PEXPIRETIME', 'grace:{a}']));
      try {
        const T0 = Date.now() + HOUR;
        expect(await store.set('a', 'p', T0, 0)).toBe(1);
        expect(await dropTime()).toBe(T0 + 90_000); // a grace, and half a grace to spare
        expect(await store.set('a', 'q', T0 + 30_000, 1)).toBe(2);
        expect(await dropTime()).toBe(T0 + 90_000); // still a grace after the new expiry: not moved
        expect((await store.acquire('a', 'me', 10_000, 0)).state).toBe('held');
        expect(await store.commit('a', 'me', 'r', T0 + 30_001, 2)).toBe(3);
        expect(await dropTime()).toBe(T0 + 30_001 + 90_000);
        await store.touch('a', T0 + 200_000);
        expect(await dropTime()).toBe(T0 + 200_000 + 90_000);
        expect(await store.get('a', T0 + 100_000)).toEqual({ payload: 'r', version: 3, expires: T0 + 200_000 });
      } finally {
        await store.close();
        await client.close();
      }
    });
  });

  describe('RedisStore commandTimeoutMs', () => {
    it('a stalled server (connected, never answering) → SessionStoreError after commandTimeoutMs, not a hang; answers again once it goes on', async () => {
      const stalled = await startRedisServer();
      const store = new RedisStore({ url: stalled.url, prefix: 'stall:', commandTimeoutMs: 300 });
      try {
        const T0 = Date.now();
        expect(await store.set('a', 'p', T0 + HOUR, 0)).toBe(1);
        stalled.pause();
        const started = Date.now();
        const errors = await Promise.all([
          Promise.resolve(store.acquire('a', 'me', 1000, T0)).catch((e: unknown) => e),
          Promise.resolve(store.get('a', T0)).catch((e: unknown) => e),
        ]);
        const waited = Date.now() - started;
        for (const e of errors) {
          expect(e).toBeInstanceOf(SessionStoreError);
          expect((e as SessionStoreError).message).toContain('no reply from Redis within 300 ms');
        }
        expect(waited).toBeGreaterThanOrEqual(290);
        expect(waited).toBeLessThan(2000);
        stalled.resume();
        expect(await store.get('a', T0)).toEqual({ payload: 'p', version: 1, expires: T0 + HOUR });
      } finally {
        stalled.resume();
        await store.close();
        await stalled.dispose();
      }
    });
  });

  describe('RedisStore#set', () => {
    it('server gone mid-commit → SessionStoreError; after restart the last commit is intact', async () => {
      const durable = await startRedisServer({ appendOnly: true });
      const store = new RedisStore({ url: durable.url, prefix: 'outage:' });
      try {
        const T0 = Date.now();
        expect(await store.set('a', 'committed', T0 + HOUR, 0)).toBe(1);
        // Kill the server while a commit is in flight: it either landed (version 2) or failed.
        const inFlight = Promise.resolve(store.set('a', 'maybe', T0 + HOUR, 1)).then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        await durable.stop();
        const outcome = await inFlight;
        if (!outcome.ok) expect(outcome.e).toBeInstanceOf(SessionStoreError);
        // With the server down, a commit fails fast with SessionStoreError (no queueing, no hang).
        const started = Date.now();
        const err = await Promise.resolve(store.set('a', 'lost', T0 + HOUR, 2)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SessionStoreError);
        expect((err as SessionStoreError).cause).toBeDefined();
        expect(Date.now() - started).toBeLessThan(3000);

        await durable.restart();
        const fresh = new RedisStore({ url: durable.url, prefix: 'outage:' });
        const entry = await fresh.get('a', T0);
        if (outcome.ok) expect(entry).toEqual({ payload: 'maybe', version: 2, expires: T0 + HOUR });
        else expect(entry?.payload === 'committed' || entry?.payload === 'maybe').toBe(true);
        await fresh.close();
        // The first store reconnects by itself (the server's restart forces a short real wait).
        let back: unknown;
        for (let i = 0; i < 60 && back === undefined; i++) {
          back = await Promise.resolve(store.get('a', T0)).catch(() => new Promise((r) => setTimeout(() => r(undefined), 50)));
        }
        expect(back).toEqual(entry);
      } finally {
        await store.close();
        await durable.dispose();
      }
    });
  });
});

// ---------------------------------------------------------------- CookieStore

const SECRET_A = 'a'.repeat(16) + 'b'.repeat(16) + '-new';
const SECRET_B = Buffer.alloc(32, 7);

describeSessionStore('CookieStore', async () => {
  const { clock, advance } = fakeClock();
  const store = new CookieStore({ secrets: [SECRET_A], clock });
  return { store, advanceClock: advance, cleanup: async () => store.close() };
});

describe('CookieStore#seal', () => {
  const T0 = Date.now();

  it('round trip → open returns id, payload, version and expiry', () => {
    const store = new CookieStore({ secrets: [SECRET_A] });
    expect(isClientSide(store)).toBe(true);
    const cookie = store.seal('id1', '{"a":"é😀"}', 3, T0 + HOUR);
    expect(cookie).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(store.open(cookie, T0)).toEqual({ id: 'id1', payload: '{"a":"é😀"}', version: 3, expires: T0 + HOUR });
    expect(store.seal('id1', 'x', 1, T0 + HOUR)).not.toBe(store.seal('id1', 'x', 1, T0 + HOUR)); // random IV
  });

  it('oversized → SessionDataError saying how big and suggesting a server-side store', () => {
    const store = new CookieStore({ secrets: [SECRET_A], maxCookieBytes: 200 });
    const e = (() => {
      try {
        store.seal('id', 'x'.repeat(500), 1, T0 + HOUR);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(SessionDataError);
    expect((e as Error).message).toMatch(/\d+ bytes, over maxCookieBytes \(200\)/);
    expect((e as Error).message).toMatch(/SqliteStore or RedisStore/);
    expect(store.seal('id', 'x'.repeat(50), 1, T0 + HOUR).length).toBeLessThanOrEqual(200);
  });

  it('short or missing secrets → SessionStoreConfigError', () => {
    expect(() => new CookieStore({ secrets: [] })).toThrow(SessionStoreConfigError);
    expect(() => new CookieStore({ secrets: ['short'] })).toThrow(/at least 32/);
    expect(() => new CookieStore({ secrets: [SECRET_A], maxCookieBytes: 10 })).toThrow(SessionStoreConfigError);
  });
});

describe('CookieStore#open', () => {
  const T0 = Date.now();
  const store = new CookieStore({ secrets: [SECRET_A, SECRET_B] });
  const cookie = store.seal('id1', 'payload', 1, T0 + HOUR);

  it('forged (one bit flipped anywhere) → undefined', () => {
    const raw = Buffer.from(cookie, 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const forged = Buffer.from(raw);
      forged[i]! ^= 1;
      expect(store.open(forged.toString('base64url'), T0)).toBeUndefined();
    }
  });

  it('truncated → undefined', () => {
    for (let n = 0; n < cookie.length; n += 3) expect(store.open(cookie.slice(0, n), T0)).toBeUndefined();
  });

  it('sealed with a foreign secret → undefined', () => {
    const foreign = new CookieStore({ secrets: ['z'.repeat(40)] });
    expect(store.open(foreign.seal('id1', 'payload', 1, T0 + HOUR), T0)).toBeUndefined();
  });

  it('sealed with a retired secret still listed → opens; the newest secret seals', () => {
    const before = new CookieStore({ secrets: [SECRET_B] });
    const old = before.seal('id2', 'old', 1, T0 + HOUR);
    expect(store.open(old, T0)?.payload).toBe('old');
    const fresh = store.seal('id2', 'new', 2, T0 + HOUR);
    expect(before.open(fresh, T0)).toBeUndefined(); // sealed with SECRET_A, which `before` lacks
    expect(new CookieStore({ secrets: [SECRET_A] }).open(fresh, T0)?.payload).toBe('new');
  });

  it('expired → undefined', () => {
    expect(store.open(cookie, T0 + HOUR)).toBeUndefined();
  });

  it('junk of any kind → undefined, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })), (junk) => {
        expect(store.open(junk, T0)).toBeUndefined();
      }),
    );
    expect(store.open(undefined as unknown as string, T0)).toBeUndefined();
    expect(store.open('A'.repeat(100_000), T0)).toBeUndefined();
  });

  it('an older cookie after a newer commit in this process → the newer entry; refused after delete', () => {
    const s = new CookieStore({ secrets: [SECRET_A] });
    const v1 = s.seal('id3', 'one', 1, T0 + HOUR);
    s.set('id3', 'one', T0 + HOUR, 0);
    s.seal('id3', 'two', 2, T0 + HOUR);
    expect(s.set('id3', 'two', T0 + HOUR, 1)).toBe(2);
    expect(s.set('id3', 'stale', T0 + HOUR, 1)).toBeUndefined(); // a concurrent request with cookie v1
    expect(s.open(v1, T0)).toEqual({ id: 'id3', payload: 'two', version: 2, expires: T0 + HOUR });
    s.delete('id3');
    expect(s.open(v1, T0)).toBeUndefined();
  });

  it('a session this process never saw (another process sealed it) → accepted at the next version', () => {
    const other = new CookieStore({ secrets: [SECRET_A] });
    const here = new CookieStore({ secrets: [SECRET_A] });
    const c = other.seal('id4', 'p', 5, T0 + HOUR);
    const opened = here.open(c, T0)!;
    expect(opened.version).toBe(5);
    expect(here.set('id4', 'q', T0 + HOUR, opened.version)).toBe(6);
  });

  it('the view is bounded by maxEntries (oldest write forgotten)', () => {
    const s = new CookieStore({ secrets: [SECRET_A], maxEntries: 2 });
    s.set('a', 'a', T0 + HOUR, 0);
    s.set('b', 'b', T0 + HOUR, 0);
    s.set('c', 'c', T0 + HOUR, 0);
    expect(s.get('a', T0)).toBeUndefined();
    expect(s.get('c', T0)?.payload).toBe('c');
  });
});

/** Compile-time check: every store is a SessionStore. */
export const stores: readonly (new (...args: never[]) => SessionStore)[] = [MemoryStore, SqliteStore, RedisStore, CookieStore];
