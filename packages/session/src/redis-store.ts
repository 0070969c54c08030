/**
 * `RedisStore`: sessions in Redis, through node-redis v5 (an optional peer dependency).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import { openRedisLayout } from './redis-schema.js';
import { ACQUIRE, CLAIM, DELETE, RELEASE, RENEW, WRITE, isNoScript, shardOf } from './redis-scripts.js';
import { checkSecret } from './signing.js';
import type { Script } from './redis-scripts.js';
import type { Acquired, ExpiredEntry, ListPage, ListedEntry, SessionStore, StoredEntry } from './store.js';
import type * as Redis from 'redis';

/**
 * The part of a node-redis client the store uses. Any `createClient()` result fits; so does any
 * object with these members (a test double, another client library behind an adapter).
 */
export interface RedisClientLike {
  /** True once `connect()` has been called and until the client is closed. */
  readonly isOpen: boolean;
  /** Opens the connection. */
  connect(): Promise<unknown>;
  /** Sends one command (`['HMGET', key, 'payload']`) and resolves with its RESP reply. */
  sendCommand(args: string[], options?: { timeout?: number }): Promise<unknown>;
}

interface CommonOptions {
  /**
   * Prefix of every key the store writes: `<prefix>{<id>}` (a hash per session),
   * `<prefix>{<id>}:lease` (its lease), `<prefix>expiry:{<n>}` (the shards of the expiry index),
   * `<prefix>meta` (the layout version), `<prefix>secret` (the kept secret). No `{` or `}`.
   * @default 'dovetail:'
   */
  readonly prefix?: string;
  /**
   * How long Redis keeps a session's data after it expires, so that a sweeper that runs late can
   * still read the last data (`get` checks `expires` itself). Sessions whose data Redis dropped
   * before any sweep claimed them are not reported as expired.
   * @default 3_600_000 (one hour)
   */
  readonly graceMs?: number;
  /**
   * How long one command may take before it fails with `SessionStoreError` (a stalled server).
   * @default 2000
   */
  readonly commandTimeoutMs?: number;
  /**
   * The clock `set` uses to decide whether an existing entry has expired (expected version 0).
   * @default Date.now
   */
  readonly clock?: () => number;
}

/** Options of {@link RedisStore} when it creates its own client from a URL. */
export interface RedisStoreUrlOptions extends CommonOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` for TLS. */
  readonly url: string;
  /**
   * How long connecting may take before it fails.
   * @default 2000
   */
  readonly connectTimeoutMs?: number;
}

/** Options of {@link RedisStore} when the application passes its own client. */
export interface RedisStoreClientOptions extends CommonOptions {
  /** A node-redis client; connected by the store when not yet open, never closed by it. */
  readonly client: RedisClientLike;
}

/** Options of {@link RedisStore}: a `url` (the store owns its client) or a `client` (yours). */
export type RedisStoreOptions = RedisStoreUrlOptions | RedisStoreClientOptions;

/** How many shards the expiry index of a new prefix gets (kept in `<prefix>meta` after that). */
const SHARDS = 16;
const ABSENT: Acquired = { state: 'absent' };
const BUSY: Acquired = { state: 'busy' };

/**
 * Sessions in Redis, shared by every process and machine that uses the same server and prefix.
 *
 * Each session is a hash (`payload`, `version`, `expires`) and a lease key (`SET … NX PX`: Redis
 * itself lapses it), both under the hash tag `{<id>}`, so every script of the request path
 * touches one slot: `acquire` (take the lease and read the hash), `commit` (compare the version,
 * write, release) and `release` are one script each. The expiry index is sharded
 * (`<prefix>expiry:{0}` … `{15}`), and `sweep` claims each expired id with a script on the
 * session's own keys, so with several processes each expiry is handed out once. Keys written by
 * the layout before versions are migrated when the store connects.
 *
 * Every backend failure (server gone, timeout, refused connection) is a `SessionStoreError` with
 * the node-redis error as `cause`: commands are not queued while disconnected and time out after
 * `commandTimeoutMs`, so a request never hangs on Redis.
 *
 * @example
 * ```ts
 * const sessions = new Sessions({ store: new RedisStore({ url: 'redis://127.0.0.1:6379' }) });
 * // with a client the application owns (RedisStore#close leaves it open):
 * const client = await createClient({ url }).connect();
 * const store = new RedisStore({ client, prefix: 'myapp:' });
 * ```
 */
@implementer(ISessionDataContainer)
export class RedisStore implements SessionStore {
  readonly name: string;
  readonly inProcess = false;
  readonly #prefix: string;
  /** Shards of the expiry index, read from `<prefix>meta` when connecting. */
  #shards = SHARDS;
  readonly #graceMs: number;
  readonly #timeout: number;
  readonly #clock: () => number;
  readonly #url: string | undefined;
  readonly #connectTimeoutMs: number;
  /** The client once connected (and a call can go straight to it). */
  #client: RedisClientLike | undefined;
  #connecting: Promise<RedisClientLike> | undefined = undefined;
  /** The client the application passed in, if any. */
  readonly #given: RedisClientLike | undefined;
  /** Set when the store created the client: closing is then ours. */
  #owned: { close(): Promise<unknown>; destroy(): void } | undefined = undefined;
  #closed = false;

  /**
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when neither a `url` nor a
   *   `client` is given, or a number option is not positive.
   */
  constructor(options: RedisStoreOptions) {
    const o = (options ?? {}) as Partial<RedisStoreUrlOptions & RedisStoreClientOptions>;
    const client = o.client;
    if (client === undefined && (typeof o.url !== 'string' || o.url === '')) {
      throw new SessionStoreConfigError(
        'RedisStore',
        'neither a url nor a client was given',
        "Pass new RedisStore({ url: 'redis://127.0.0.1:6379' }) or new RedisStore({ client }).",
      );
    }
    if (client !== undefined && typeof client.sendCommand !== 'function') {
      throw new SessionStoreConfigError('RedisStore', 'the client has no sendCommand() method', 'Pass a node-redis v5 client made by createClient().');
    }
    for (const [key, value] of [
      ['graceMs', o.graceMs],
      ['commandTimeoutMs', o.commandTimeoutMs],
      ['connectTimeoutMs', o.connectTimeoutMs],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new SessionStoreConfigError('RedisStore', `${key} must be a positive number of ms, but was ${String(value)}`, `Leave ${key} out for the default.`);
      }
    }
    this.#prefix = o.prefix ?? 'dovetail:';
    if (/[{}]/.test(this.#prefix)) {
      throw new SessionStoreConfigError('RedisStore', `the prefix ${JSON.stringify(this.#prefix)} contains '{' or '}'`, 'Choose a prefix without braces: the store puts each session id in braces (a Redis Cluster hash tag).');
    }
    this.#graceMs = o.graceMs ?? 3_600_000;
    this.#timeout = o.commandTimeoutMs ?? 2000;
    this.#connectTimeoutMs = o.connectTimeoutMs ?? 2000;
    this.#clock = o.clock ?? Date.now;
    this.#url = client === undefined ? o.url : undefined;
    this.#given = client;
    // Read as the user wrote it: `redis://127.0.0.1:6379/2` (password shown as ***), the prefix
    // only when it is not the default.
    const where = this.#url === undefined ? 'redis client' : redactUrl(this.#url);
    this.name = this.#prefix === 'dovetail:' ? where : `${where} prefix ${this.#prefix}`;
  }

  /**
   * Connects now instead of on first use.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the redis package is not installed.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the server cannot be reached.
   */
  async ready(): Promise<void> {
    await this.#connected();
  }

  /**
   * The cookie-signing secret kept under `<prefix>secret`: created once with `SET NX` by the
   * first process, read by every other one.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the key holds an empty or short secret.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  async keptSecret(): Promise<string> {
    const key = `${this.#prefix}secret`;
    await this.#command('keep the secret', ['SET', key, randomBytes(32).toString('base64url'), 'NX']);
    const secret = (await this.#command('read the secret', ['GET', key])) as string | null;
    checkSecret(secret ?? '', `the Redis key ${key}`, `Delete the key to have a new one made, or SET a good secret in it`);
    return secret!;
  }

  /** See {@link SessionStore.get}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async get(id: string, now: number): Promise<StoredEntry | undefined> {
    const r = (await this.#command('get', ['HMGET', this.#entryKey(id), 'payload', 'version', 'expires'])) as (string | null)[];
    if (r[0] == null || r[1] == null || r[2] == null) return undefined;
    const expires = Number(r[2]);
    return expires > now ? { payload: r[0], version: Number(r[1]), expires } : undefined;
  }

  /** See {@link SessionStore.set}: a Lua compare-and-set. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  set(id: string, payload: string, expires: number, expectedVersion: number): Promise<number | undefined> {
    return this.#write('set', id, '', payload, expires, expectedVersion);
  }

  /** Lock-and-load in one script; see {@link SessionStore.acquire}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async acquire(id: string, owner: string, leaseMs: number, now: number): Promise<Acquired> {
    const r = (await this.#eval('acquire', ACQUIRE, this.#keys(id), [owner, String(Math.max(1, Math.ceil(leaseMs))), String(now)])) as (number | string)[];
    if (r[0] === 0) return ABSENT;
    if (r[0] === 1) return BUSY;
    return { state: 'held', entry: { payload: String(r[1]), version: Number(r[2]), expires: Number(r[3]) } };
  }

  /** Write-and-release in one script; see {@link SessionStore.commit}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  commit(id: string, owner: string, payload: string, expires: number, expectedVersion: number): Promise<number | undefined> {
    return this.#write('commit', id, owner, payload, expires, expectedVersion);
  }

  /** Releases `owner`'s lease, moving the expiry when `expires` is given, in one script. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async release(id: string, owner: string, expires?: number): Promise<void> {
    const earlier = await this.#eval('release', RELEASE, this.#keys(id), [owner, expires === undefined ? '' : String(expires), String(this.#graceMs)]);
    if (earlier === 1) await this.#index(id, expires!);
  }

  /** See {@link SessionStore.renew}: one script per id, sent together. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async renew(ids: readonly string[], owner: string, leaseMs: number): Promise<string[]> {
    const lease = String(Math.max(1, Math.ceil(leaseMs)));
    const kept = await Promise.all(ids.map((id) => this.#eval('renew', RENEW, this.#keys(id), [owner, lease])));
    return ids.filter((_, i) => kept[i] !== 1);
  }

  /** See {@link SessionStore.touch}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  touch(id: string, expires: number): Promise<void> {
    return this.release(id, '', expires);
  }

  /** See {@link SessionStore.delete}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async delete(id: string): Promise<boolean> {
    if (this.#client === undefined) await this.#shardCount();
    const [deleted] = await Promise.all([
      this.#eval('delete', DELETE, this.#keys(id), []),
      this.#command('delete', ['ZREM', this.#shardKey(id), id]),
    ]);
    return Number(deleted) > 0;
  }

  /**
   * See {@link SessionStore.sweep}: reads each shard of the expiry index and claims every due id
   * with a script on that session's keys (exactly one sweeper gets it); ids that turn out live
   * are re-scored, vanished ones dropped. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  async sweep(now: number, limit: number): Promise<ExpiredEntry[]> {
    const out: ExpiredEntry[] = [];
    const shards = await this.#shardCount();
    for (let shard = 0; shard < shards && out.length < limit; shard++) {
      const key = `${this.#prefix}expiry:{${shard}}`;
      for (;;) {
        const want = limit - out.length;
        const ids = (await this.#command('sweep', ['ZRANGEBYSCORE', key, '-inf', String(now), 'LIMIT', '0', String(want)])) as string[];
        await Promise.all(ids.map((id) => this.#claim(key, id, now, out)));
        if (ids.length < want || out.length >= limit) break;
      }
    }
    return out;
  }

  /** The sum of the index shards' sizes: every kept entry is indexed once. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async count(): Promise<number> {
    const sizes = await Promise.all(Array.from({ length: await this.#shardCount() }, (_, shard) => this.#command('count', ['ZCARD', `${this.#prefix}expiry:{${shard}}`])));
    return sizes.reduce<number>((n, size) => n + Number(size), 0);
  }

  /**
   * One page (`ZSCAN` over the index shards, in shard order; the cursor is `shard:scanCursor`).
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  async list(cursor: string | undefined, limit: number): Promise<ListPage> {
    const shards = await this.#shardCount();
    let [shard, scan] = cursor === undefined ? [0, '0'] : [Number(cursor.split(':')[0]), cursor.split(':')[1] ?? '0'];
    const entries: ListedEntry[] = [];
    while (shard < shards && entries.length < limit) {
      const [next, flat] = (await this.#command('list', ['ZSCAN', `${this.#prefix}expiry:{${shard}}`, scan!, 'COUNT', String(limit - entries.length)])) as [string, string[]];
      const ids = flat.filter((_, i) => i % 2 === 0);
      const rows = await Promise.all(ids.map((id) => this.#command('list', ['HMGET', this.#entryKey(id), 'version', 'expires']) as Promise<(string | null)[]>));
      ids.forEach((id, i) => {
        const [version, expires] = rows[i]!;
        if (version != null && expires != null) entries.push({ id, version: Number(version), expires: Number(expires) });
      });
      if (next === '0') [shard, scan] = [shard + 1, '0'];
      else scan = next;
    }
    return { entries, cursor: shard < shards ? `${shard}:${scan}` : undefined };
  }

  /** Closes the client the store created (a client you passed in stays open). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const owned = this.#owned;
    this.#owned = undefined;
    this.#client = undefined;
    if (owned === undefined) return;
    try {
      await owned.close();
    } catch {
      owned.destroy(); // not connected: drop the socket and the reconnect timer
    }
  }

  #entryKey(id: string): string {
    return `${this.#prefix}{${id}}`;
  }

  /** The session's hash and its lease: one hash tag, one slot. */
  #keys(id: string): string[] {
    const entry = `${this.#prefix}{${id}}`;
    return [entry, `${entry}:lease`];
  }

  #shardKey(id: string): string {
    return `${this.#prefix}expiry:{${shardOf(id, this.#shards)}}`;
  }

  /** Lowers (or adds) `id`'s score in the index: `LT` never raises a score above the real expiry. */
  async #index(id: string, expires: number): Promise<void> {
    await this.#command('index', ['ZADD', this.#shardKey(id), 'LT', String(expires), id]);
  }

  async #write(operation: string, id: string, owner: string, payload: string, expires: number, expected: number): Promise<number | undefined> {
    if (this.#client === undefined) await this.#shardCount(); // the shard count comes with the connection
    const args = [owner, payload, String(expires), String(expected), String(this.#clock()), String(this.#graceMs)];
    // A new entry is indexed before it is written (the index may point at nothing, never miss an entry).
    const [, r] = await Promise.all([expected === 0 ? this.#index(id, expires) : undefined, this.#eval(operation, WRITE, this.#keys(id), args) as Promise<[number, number]>]);
    if (r[0] < 0) return undefined;
    if (r[1] === 1) await this.#index(id, expires);
    return r[0];
  }

  async #claim(key: string, id: string, now: number, out: ExpiredEntry[]): Promise<void> {
    const r = (await this.#eval('sweep', CLAIM, this.#keys(id), [String(now)])) as [number, string?];
    if (r[0] === 1) await this.#command('sweep', ['ZADD', key, 'XX', r[1]!, id]);
    else {
      await this.#command('sweep', ['ZREM', key, id]);
      if (r[0] === 2) out.push({ id, payload: r[1]! });
    }
  }

  async #shardCount(): Promise<number> {
    await this.#connected();
    return this.#shards;
  }

  async #eval(operation: string, s: Script, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#raw(['EVALSHA', s.sha, ...tail]);
    } catch (e) {
      if (!isNoScript(e)) throw this.#wrap(operation, e);
    }
    return this.#command(operation, ['EVAL', s.source, ...tail]);
  }

  async #command(operation: string, args: string[]): Promise<unknown> {
    try {
      return await this.#raw(args);
    } catch (e) {
      throw this.#wrap(operation, e);
    }
  }

  async #raw(args: string[]): Promise<unknown> {
    const client = this.#client ?? (await this.#connected());
    return client.sendCommand(args, { timeout: this.#timeout });
  }

  #wrap(operation: string, e: unknown): unknown {
    if (e instanceof SessionStoreError || e instanceof SessionStoreConfigError) return e;
    return new SessionStoreError(this.name, operation, undefined, undefined, { cause: e });
  }

  #connected(): Promise<RedisClientLike> {
    if (this.#closed) return Promise.reject(new SessionStoreError(this.name, 'send a command', 'the store is closed', 'Create a new RedisStore.'));
    if (this.#client !== undefined) return Promise.resolve(this.#client);
    const given = this.#given;
    this.#connecting ??= (given === undefined ? this.#connectOwn() : this.#connectGiven(given))
      .then(async (client) => {
        // The layout is checked (and an older one migrated) before any other command is sent.
        this.#shards = await openRedisLayout(client, this.#prefix, SHARDS, this.name, this.#timeout);
        this.#client = client;
        return client;
      })
      .catch((e: unknown) => {
        this.#connecting = undefined; // a later call tries again
        throw this.#wrap('open its keys', e);
      });
    return this.#connecting;
  }

  async #connectGiven(client: RedisClientLike): Promise<RedisClientLike> {
    if (!client.isOpen) {
      try {
        await client.connect();
      } catch (e) {
        throw new SessionStoreError(this.name, 'connect', undefined, 'Check that the Redis server is running.', { cause: e });
      }
    }
    return client;
  }

  async #connectOwn(): Promise<RedisClientLike> {
    let createClient: typeof Redis.createClient;
    try {
      ({ createClient } = await import('redis'));
    } catch (e) {
      throw new SessionStoreConfigError('RedisStore', 'the optional dependency redis could not be loaded', 'Run `npm install redis`, or choose another store.', { cause: e });
    }
    let everConnected = false;
    const client = createClient({
      url: this.#url!,
      // Fail fast while disconnected instead of queueing commands until the server returns.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.#connectTimeoutMs,
        // First connection: give up at once (the caller gets the error); later: keep reconnecting,
        // at most 500 ms apart, so sessions answer within a second of the server's return (an
        // attempt on a server that is down costs one refused connection).
        // (A fresh Error: node-redis tests `instanceof Error`, which a socket error from another
        // realm, as under jest's vm contexts, fails — it would then retry forever.)
        reconnectStrategy: (retries: number, cause: Error) =>
          everConnected ? Math.min(50 * 2 ** retries, 500) : new Error(String(cause?.message ?? cause), { cause }),
      },
    });
    // Without a listener an 'error' event would crash the process; each failed command reports
    // its own error as a SessionStoreError.
    client.on('error', () => undefined);
    client.on('ready', () => {
      everConnected = true;
    });
    try {
      await client.connect();
    } catch (e) {
      destroyQuietly(client);
      throw new SessionStoreError(this.name, 'connect', undefined, 'Check that the Redis server is running and that the url is right.', { cause: e });
    }
    if (this.#closed) {
      destroyQuietly(client);
      throw new SessionStoreError(this.name, 'connect', 'the store was closed while connecting');
    }
    everConnected = true;
    this.#owned = client;
    return client as unknown as RedisClientLike;
  }
}

/** Drops a client's socket and reconnect timer; a client that is already closed is fine. */
function destroyQuietly(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // already closed
  }
}

/** The url without its password, for names and messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis (unparsable url)';
  }
}
