/**
 * `RedisStore`: sessions in Redis, through node-redis v5 (an optional peer dependency).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import type { ExpiredEntry, SessionStore, StoredEntry } from './store.js';
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
   * Prefix of every key the store writes: `<prefix>s:<id>` (a hash per session),
   * `<prefix>expiry` (the sorted set of expiry times), `<prefix>lock:<id>`.
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

/** A Lua script, sent by SHA (EVALSHA) and loaded with EVAL when the server does not know it. */
interface Script {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });

// KEYS: entry, expiry set. ARGV: id, payload, expires, expectedVersion, now, graceMs.
// Returns the new version, or -1 when the version did not match.
const SET = script(`
local cur = redis.call('HMGET', KEYS[1], 'version', 'expires')
local v = tonumber(cur[1])
local expected = tonumber(ARGV[4])
if expected == 0 then
  if v and tonumber(cur[2]) > tonumber(ARGV[5]) then return -1 end
  v = 0
elseif v ~= expected then
  return -1
end
local nv = v + 1
redis.call('HSET', KEYS[1], 'payload', ARGV[2], 'version', nv, 'expires', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[6]))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return nv
`);

// KEYS: entry, expiry set. ARGV: id, expires, graceMs.
const TOUCH = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'expires', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`);

// KEYS: entry, expiry set. ARGV: id.
const DELETE = script(`
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`);

// KEYS: expiry set. ARGV: now, limit, entry key prefix.
// Claims atomically: an id leaves the sorted set and its hash in the same script, so with several
// sweepers each expired entry is returned once. Returns a flat list id, payload, id, payload…
const SWEEP = script(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[3] .. id
  local e = redis.call('HMGET', key, 'payload', 'expires')
  if e[1] then
    if tonumber(e[2]) <= tonumber(ARGV[1]) then
      redis.call('DEL', key)
      out[#out + 1] = id
      out[#out + 1] = e[1]
    else
      redis.call('ZADD', KEYS[1], e[2], id)
    end
  end
end
return out
`);

// KEYS: lock. ARGV: owner.
const UNLOCK = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

function isNoScript(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith('NOSCRIPT');
}

/**
 * Sessions in Redis, shared by every process and machine that uses the same server and prefix.
 *
 * Each session is a hash (`payload`, `version`, `expires`) written by a Lua compare-and-set; a
 * sorted set of expiry times lets `sweep` claim exactly the expired ids, atomically, so with
 * several processes each expiry is handed out once. Locks are `SET … NX PX` keys released by a
 * compare-and-delete script. Every backend failure (server gone, timeout, refused connection) is a
 * `SessionStoreError` with the node-redis error as `cause`: commands are not queued while
 * disconnected and time out after `commandTimeoutMs`, so a request never hangs on Redis.
 *
 * Not for Redis Cluster: the sweep script touches keys it computes, which Cluster forbids.
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
  readonly #expiryKey: string;
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
    this.#expiryKey = `${this.#prefix}expiry`;
    this.#graceMs = o.graceMs ?? 3_600_000;
    this.#timeout = o.commandTimeoutMs ?? 2000;
    this.#connectTimeoutMs = o.connectTimeoutMs ?? 2000;
    this.#clock = o.clock ?? Date.now;
    this.#url = client === undefined ? o.url : undefined;
    this.#given = client;
    this.#client = client?.isOpen ? client : undefined;
    this.name = `redis:${this.#url === undefined ? 'client' : redactUrl(this.#url)}/${this.#prefix}`;
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

  /** See {@link SessionStore.get}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async get(id: string, now: number): Promise<StoredEntry | undefined> {
    const r = (await this.#command('get', ['HMGET', this.#entryKey(id), 'payload', 'version', 'expires'])) as (string | null)[];
    if (r[0] == null || r[1] == null || r[2] == null) return undefined;
    const expires = Number(r[2]);
    return expires > now ? { payload: r[0], version: Number(r[1]), expires } : undefined;
  }

  /** See {@link SessionStore.set}: a Lua compare-and-set. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async set(id: string, payload: string, expires: number, expectedVersion: number): Promise<number | undefined> {
    const v = Number(
      await this.#eval('set', SET, [this.#entryKey(id), this.#expiryKey], [
        id,
        payload,
        String(expires),
        String(expectedVersion),
        String(this.#clock()),
        String(this.#graceMs),
      ]),
    );
    return v > 0 ? v : undefined;
  }

  /** See {@link SessionStore.touch}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async touch(id: string, expires: number): Promise<void> {
    await this.#eval('touch', TOUCH, [this.#entryKey(id), this.#expiryKey], [id, String(expires), String(this.#graceMs)]);
  }

  /** See {@link SessionStore.delete}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async delete(id: string): Promise<boolean> {
    return Number(await this.#eval('delete', DELETE, [this.#entryKey(id), this.#expiryKey], [id])) > 0;
  }

  /** See {@link SessionStore.sweep}: one Lua script claims the ids. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async sweep(now: number, limit: number): Promise<ExpiredEntry[]> {
    const flat = (await this.#eval('sweep', SWEEP, [this.#expiryKey], [String(now), String(limit), `${this.#prefix}s:`])) as string[];
    const out: ExpiredEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i]!, payload: flat[i + 1]! });
    return out;
  }

  /** `SET <prefix>lock:<id> owner NX PX ttlMs`: true when taken. Not re-entrant. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async lock(id: string, owner: string, ttlMs: number): Promise<boolean> {
    const r = await this.#command('lock', ['SET', this.#lockKey(id), owner, 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
    return r === 'OK';
  }

  /** Deletes the lock only when `owner` holds it (compare-and-delete script). @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async unlock(id: string, owner: string): Promise<void> {
    await this.#eval('unlock', UNLOCK, [this.#lockKey(id)], [owner]);
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
    return `${this.#prefix}s:${id}`;
  }

  #lockKey(id: string): string {
    return `${this.#prefix}lock:${id}`;
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
    this.#connecting ??= (given === undefined ? this.#connectOwn() : this.#connectGiven(given)).catch((e: unknown) => {
      this.#connecting = undefined; // a later call tries again
      throw e;
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
    this.#client = client;
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
    this.#client = client as unknown as RedisClientLike;
    return this.#client;
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
    return 'redis';
  }
}
