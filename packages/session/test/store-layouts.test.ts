/**
 * The stores' on-disk layouts: a database or Redis keys written by the layout before versions
 * are migrated when the store opens; one written by a newer version is refused with a message
 * saying what to do. And the secret a store keeps for cookie signing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { SessionStoreConfigError } from '../src/errors.js';
import { shardOf } from '../src/redis-scripts.js';
import { RedisStore } from '../src/redis-store.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';

const HOUR = 3_600_000;

describe('SqliteStore layouts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-layout-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A database exactly as the layout before versions wrote it, with one session and one lock. */
  function oldDatabase(path: string, T0: number): void {
    const db = new Database(path);
    db.exec(
      `CREATE TABLE IF NOT EXISTS "dovetail_sessions" (id TEXT PRIMARY KEY, payload TEXT NOT NULL, version INTEGER NOT NULL, expires INTEGER NOT NULL);
       CREATE INDEX IF NOT EXISTS "dovetail_sessions_expires" ON "dovetail_sessions" (expires);
       CREATE TABLE IF NOT EXISTS "dovetail_sessions_locks" (id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires INTEGER NOT NULL);
       CREATE INDEX IF NOT EXISTS "dovetail_sessions_locks_expires" ON "dovetail_sessions_locks" (expires);`,
    );
    db.prepare('INSERT INTO dovetail_sessions VALUES (?, ?, ?, ?)').run('a', 'kept', 3, T0 + HOUR);
    db.prepare('INSERT INTO dovetail_sessions_locks VALUES (?, ?, ?)').run('a', 'dead-process', T0 + HOUR);
    db.close();
  }

  it('a file of the layout before versions → migrated on open: sessions kept, old locks gone', async () => {
    const path = join(dir, 'old.db');
    const T0 = Date.now();
    oldDatabase(path, T0);
    const [one, two] = await Promise.all([SqliteStore.open({ path }), SqliteStore.open({ path })]); // two processes starting together
    expect(await one.get('a', T0)).toEqual({ payload: 'kept', version: 3, expires: T0 + HOUR });
    expect(await two.acquire('a', 'new', 10_000, T0)).toMatchObject({ state: 'held' }); // the dead process's lock is not carried over
    expect(await two.commit('a', 'new', 'changed', T0 + HOUR, 3)).toBe(4);
    await Promise.all([one.close(), two.close()]);
    const db = new Database(path, { readonly: true });
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'dovetail_sessions_locks'`).get()).toBeUndefined();
    expect(db.prepare(`SELECT value FROM dovetail_sessions_meta WHERE key = 'schema'`).get()).toEqual({ value: '4' });
    db.close();
  });

  it('a file of layout 2 (no turns) → migrated on open: sessions and their leases kept, a waiter then gets its turn', async () => {
    const path = join(dir, 'layout2.db');
    const T0 = Date.now();
    const db = new Database(path);
    db.exec(
      `CREATE TABLE "dovetail_sessions" (id TEXT PRIMARY KEY, payload TEXT NOT NULL, version INTEGER NOT NULL,
         expires INTEGER NOT NULL, lock_owner TEXT, lock_until INTEGER NOT NULL DEFAULT 0);
       CREATE INDEX "dovetail_sessions_expires" ON "dovetail_sessions" (expires);
       CREATE TABLE "dovetail_sessions_meta" (key TEXT PRIMARY KEY, value TEXT NOT NULL);
       INSERT INTO "dovetail_sessions_meta" VALUES ('schema', '2');`,
    );
    db.prepare('INSERT INTO dovetail_sessions VALUES (?, ?, ?, ?, ?, ?)').run('a', 'kept', 3, T0 + HOUR, 'running-process', T0 + HOUR);
    db.close();
    const [one, two] = await Promise.all([SqliteStore.open({ path }), SqliteStore.open({ path })]);
    expect(await one.get('a', T0)).toEqual({ payload: 'kept', version: 3, expires: T0 + HOUR });
    expect(await one.acquire('a', 'waiter', 10_000, T0)).toEqual({ state: 'busy' }); // the running process's lease is kept
    await two.release('a', 'running-process');
    expect(await two.acquire('a', 'running-process', 10_000, T0)).toEqual({ state: 'busy' }); // the waiter's turn
    expect(await one.acquire('a', 'waiter', 10_000, T0)).toMatchObject({ state: 'held' });
    await Promise.all([one.close(), two.close()]);
    const after = new Database(path, { readonly: true });
    expect(after.prepare(`SELECT value FROM dovetail_sessions_meta WHERE key = 'schema'`).get()).toEqual({ value: '4' });
    after.close();
  });

  it('a file of layout 3 (no wants) → migrated on open: a lease kept, and its holder told when another process waits for it', async () => {
    const path = join(dir, 'layout3.db');
    const T0 = Date.now();
    const db = new Database(path);
    db.exec(
      `CREATE TABLE "dovetail_sessions" (id TEXT PRIMARY KEY, payload TEXT NOT NULL, version INTEGER NOT NULL,
         expires INTEGER NOT NULL, lock_owner TEXT, lock_until INTEGER NOT NULL DEFAULT 0,
         turn_owner TEXT, turn_until INTEGER NOT NULL DEFAULT 0);
       CREATE INDEX "dovetail_sessions_expires" ON "dovetail_sessions" (expires);
       CREATE TABLE "dovetail_sessions_meta" (key TEXT PRIMARY KEY, value TEXT NOT NULL);
       INSERT INTO "dovetail_sessions_meta" VALUES ('schema', '3');`,
    );
    db.prepare('INSERT INTO dovetail_sessions VALUES (?, ?, ?, ?, ?, ?, NULL, 0)').run('a', 'kept', 3, T0 + HOUR, 'running-process', T0 + HOUR);
    db.close();
    const store = await SqliteStore.open({ path });
    expect(await store.acquire('a', 'waiter', 10_000, T0)).toEqual({ state: 'busy' });
    expect(await store.wanted('running-process')).toEqual(['a']);
    await store.close();
    const after = new Database(path, { readonly: true });
    expect(after.prepare(`SELECT value FROM dovetail_sessions_meta WHERE key = 'schema'`).get()).toEqual({ value: '4' });
    after.close();
  });

  it('a file written by a newer version → refused, saying what to do', async () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE dovetail_sessions_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO dovetail_sessions_meta VALUES ('schema', '5');`);
    db.close();
    const error = (await SqliteStore.open({ path }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SessionStoreConfigError);
    expect(error.message).toMatch(/schema version 5, written by a newer dovetail \(this one reads version 4\)\. Run the newer dovetail on it, or point the store at another file/);
  });

  it('a table of that name that is not a session table → refused', async () => {
    const path = join(dir, 'foreign.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE dovetail_sessions (name TEXT)`);
    db.close();
    await expect(SqliteStore.open({ path })).rejects.toThrow(/not a session table \(its columns: name\).*option 'table'/);
  });
});

(redisTestsEnabled() ? describe : describe.skip)('RedisStore layouts', () => {
  let server: RedisServer;
  let client: ReturnType<typeof createClient>;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await createClient({ url: server.url }).connect();
  });
  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  it('keys of the layout before versions → migrated on connect: sessions readable, leased, swept once', async () => {
    const T0 = Date.now();
    for (const [id, expires] of [['a', T0 + HOUR], ['b', T0 + 10]] as const) {
      await client.hSet(`old:s:${id}`, { payload: `p-${id}`, version: '2', expires: String(expires) });
      await client.zAdd('old:expiry', { score: expires, value: id });
    }
    await client.set('old:lock:a', 'dead-process', { PX: HOUR });
    const [one, two] = [new RedisStore({ url: server.url, prefix: 'old:' }), new RedisStore({ url: server.url, prefix: 'old:' })];
    try {
      await Promise.all([one.ready(), two.ready()]);
      expect(await one.get('a', T0)).toEqual({ payload: 'p-a', version: 2, expires: T0 + HOUR });
      expect(await two.acquire('a', 'new', 10_000, T0)).toMatchObject({ state: 'held' });
      expect(await one.count()).toBe(2);
      expect(await one.sweep(T0 + 100, 100)).toEqual([{ id: 'b', payload: 'p-b' }]);
      expect(await two.sweep(T0 + 100, 100)).toEqual([]);
      expect(await client.exists(['old:expiry', 'old:s:a', 'old:s:b'])).toBe(0);
      expect(await client.hGet('old:meta', 'schema')).toBe('3');
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('keys of layout 2 (lease and turn in keys of their own) → the version moves to 3 on connect: sessions kept, leases taken in the hash', async () => {
    const T0 = Date.now();
    await client.hSet('two:meta', { schema: '2', shards: '16' });
    await client.hSet('two:{a}', { payload: 'p-a', version: '4', expires: String(T0 + HOUR) });
    await client.zAdd(`two:expiry:{${shardOf('a', 16)}}`, { score: T0 + HOUR, value: 'a' });
    await client.set('two:{a}:lease', 'old-process', { PX: HOUR }); // lapses by itself; not read any more
    const store = new RedisStore({ url: server.url, prefix: 'two:' });
    try {
      expect(await store.acquire('a', 'new', 10_000, T0)).toEqual({ state: 'held', entry: { payload: 'p-a', version: 4, expires: T0 + HOUR } });
      expect(await store.acquire('a', 'other', 10_000, T0)).toEqual({ state: 'busy' });
      expect(await store.commit('a', 'new', 'q', T0 + HOUR, 4)).toBe(5);
      expect(await store.count()).toBe(1);
      expect(await client.hGet('two:meta', 'schema')).toBe('3');
    } finally {
      await store.close();
    }
  });

  it('keys written by a newer version → refused, saying what to do', async () => {
    await client.hSet('newer:meta', { schema: '4', shards: '64' });
    const store = new RedisStore({ url: server.url, prefix: 'newer:' });
    try {
      const error = (await store.get('a', 0).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(SessionStoreConfigError);
      expect(error.message).toMatch(/layout version 4 .* Run the dovetail that wrote them, or choose another prefix/);
    } finally {
      await store.close();
    }
  });

  it('a session is one key, lease included; the index is sharded', async () => {
    const store = new RedisStore({ url: server.url, prefix: 'tags:' });
    try {
      await store.set('abc', 'p', Date.now() + HOUR, 0);
      expect((await store.acquire('abc', 'me', 10_000, 0)).state).toBe('held');
      expect((await store.acquire('abc', 'you', 10_000, 0)).state).toBe('busy'); // and now it is your turn next
      const keys = (await client.keys('tags:*')).sort();
      expect(keys.filter((k) => k.includes('abc'))).toEqual(['tags:{abc}']);
      expect(await client.hmGet('tags:{abc}', ['lease', 'turn'])).toEqual(['me', 'you']);
      expect(keys.filter((k) => k.startsWith('tags:expiry:'))).toHaveLength(1);
      expect(keys.find((k) => k.startsWith('tags:expiry:'))).toMatch(/^tags:expiry:\{\d+\}$/);
    } finally {
      await store.close();
    }
  });

  it('the shard count kept in <prefix>meta is the one used, from the first call on', async () => {
    await client.hSet('four:meta', { schema: '3', shards: '4' });
    const store = new RedisStore({ url: server.url, prefix: 'four:' });
    try {
      const T0 = Date.now();
      for (let i = 0; i < 12; i++) await store.set(`id${i}`, 'p', T0 + 10, 0);
      const shards = (await client.keys('four:expiry:*')).sort();
      expect(shards.every((k) => /^four:expiry:\{[0-3]\}$/.test(k))).toBe(true);
      expect(await store.count()).toBe(12);
      const other = new RedisStore({ url: server.url, prefix: 'four:' }); // sweeps from its first call
      try {
        expect(await other.sweep(T0 + 100, 100).then((e) => e.length)).toBe(12);
      } finally {
        await other.close();
      }
    } finally {
      await store.close();
    }
  });

  it('keptSecret: made once with SET NX, the same for every store on the prefix; a short one is refused', async () => {
    const stores = [1, 2, 3].map(() => new RedisStore({ url: server.url, prefix: 'sec:' }));
    try {
      const secrets = await Promise.all(stores.map((s) => s.keptSecret()));
      expect(new Set(secrets).size).toBe(1);
      expect(Buffer.byteLength(secrets[0]!)).toBeGreaterThanOrEqual(32);
      expect(await client.get('sec:secret')).toBe(secrets[0]);
      await client.set('short:secret', 'short');
      const short = new RedisStore({ url: server.url, prefix: 'short:' });
      stores.push(short);
      await expect(short.keptSecret()).rejects.toThrow(/the Redis key short:secret is 5 bytes long.*openssl rand -base64 32/);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
