/**
 * `RedisStore`: sessions in Redis, through node-redis v5 (an optional peer dependency).
 *
 * @module
 */
import { randomBytes, randomInt } from 'node:crypto';
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionStoreConfigError } from './errors.js';
import { RedisCommands } from './redis-commands.js';
import { redisTarget, targetName } from './redis-options.js';
import { ACQUIRE, CLAIM, DELETE, RELEASE, RENEW, WANT, WRITE, shardOf } from './redis-scripts.js';
import { checkSecret } from './signing.js';
import { WAIT_TURN_MS } from './store.js';
import type { RedisStoreClusterOptions, RedisStoreOptions, RedisStoreUrlOptions } from './redis-options.js';
import type { Acquired, ExpiredEntry, ListPage, ListedEntry, SessionStore, StoredEntry } from './store.js';

/** How long a holder's set of wanted leases is kept unless told again (one its holder never asks for: the holder is gone). */
const WANTS_KEPT_MS = 60_000;
/** How many shards the expiry index of a new prefix gets (kept in `<prefix>meta` after that). */
const SHARDS = 16;
const ABSENT: Acquired = { state: 'absent' };
const BUSY: Acquired = { state: 'busy' };

/**
 * Sessions in Redis, shared by every process and machine that uses the same server (or Redis
 * Cluster) and prefix.
 *
 * Each session is one hash under the hash tag `{<id>}`: its data (`payload`, `version`,
 * `expires`) and its lease (owner and end, timed by the store's `clock`), so every script of the
 * request path touches one key of one slot (one master of a cluster): `acquire` (take the lease
 * and read the data), `commit` (compare the version, write, release) and `release` are one script
 * each. The expiry index is sharded (`<prefix>expiry:{0}` … `{15}`, spread over a cluster's
 * masters), and `sweep` reads every shard and claims each expired id with a script on the
 * session's own key, so with several processes each expiry is handed out once. Keys written by
 * an earlier layout are migrated when the store connects.
 *
 * Every backend failure (server gone, timeout, refused connection, a cluster master failing
 * over) is a `SessionStoreError` with the node-redis error as `cause`: commands are not queued
 * while disconnected and time out after `commandTimeoutMs`, so a request never hangs on Redis.
 *
 * @example
 * ```ts
 * const sessions = new Sessions({ store: new RedisStore({ url: 'redis://127.0.0.1:6379' }) });
 * // with a client the application owns (RedisStore#close leaves it open):
 * const client = await createClient({ url }).connect();
 * const store = new RedisStore({ client, prefix: 'myapp:' });
 * // on a Redis Cluster, acknowledging a commit once a replica has it too:
 * const clustered = new RedisStore({ cluster: { rootNodes: [{ url: 'redis://10.0.0.1:6379' }] }, durability: 'replicated' });
 * ```
 */
@implementer(ISessionDataContainer)
export class RedisStore implements SessionStore {
  readonly name: string;
  readonly inProcess = false;
  readonly #prefix: string;
  /**
   * The shard the next sweep starts at: each sweep starts one further, so none waits behind a
   * busy one, and the first is drawn at random, so processes do not all start at the same one.
   */
  #sweepStart = randomInt(SHARDS * 4096);
  readonly #graceMs: number;
  readonly #clock: () => number;
  readonly #redis: RedisCommands;

  /**
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when neither a `url`, a `client`
   *   nor a `cluster` is given, or a number option is not positive.
   */
  constructor(options: RedisStoreOptions) {
    const o = (options ?? {}) as Partial<RedisStoreUrlOptions & RedisStoreClusterOptions>;
    const target = redisTarget(options);
    for (const [key, value] of [
      ['graceMs', o.graceMs],
      ['commandTimeoutMs', o.commandTimeoutMs],
      ['connectTimeoutMs', o.connectTimeoutMs],
      ['replicationTimeoutMs', o.replicationTimeoutMs],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new SessionStoreConfigError('RedisStore', `${key} must be a positive number of ms, but was ${String(value)}`, `Leave ${key} out for the default.`);
      }
    }
    if (o.durability !== undefined && o.durability !== 'primary' && o.durability !== 'replicated') {
      throw new SessionStoreConfigError('RedisStore', `durability must be 'primary' or 'replicated', but was ${JSON.stringify(o.durability)}`, "Leave it out for 'primary'.");
    }
    this.#prefix = o.prefix ?? 'dovetail:';
    if (/[{}]/.test(this.#prefix)) {
      throw new SessionStoreConfigError('RedisStore', `the prefix ${JSON.stringify(this.#prefix)} contains '{' or '}'`, 'Choose a prefix without braces: the store puts each session id in braces (a Redis Cluster hash tag).');
    }
    this.#graceMs = o.graceMs ?? 3_600_000;
    this.#clock = o.clock ?? Date.now;
    // Read as the user wrote it: `redis://127.0.0.1:6379/2` (password shown as ***), the prefix
    // only when it is not the default.
    const where = targetName(target);
    this.name = this.#prefix === 'dovetail:' ? where : `${where} prefix ${this.#prefix}`;
    this.#redis = new RedisCommands({
      name: this.name,
      target,
      prefix: this.#prefix,
      shards: SHARDS,
      commandTimeoutMs: o.commandTimeoutMs ?? 2000,
      connectTimeoutMs: o.connectTimeoutMs ?? 2000,
      replicationMs: o.durability === 'replicated' ? (o.replicationTimeoutMs ?? 1000) : undefined,
    });
  }

  /**
   * Connects now instead of on first use.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the redis package is not installed.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the server cannot be reached.
   */
  async ready(): Promise<void> {
    await this.#redis.connected();
  }

  /**
   * The cookie-signing secret kept under `<prefix>secret`: created once with `SET NX` by the
   * first process, read by every other one.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the key holds an empty or short secret.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   * @throws SessionNotReplicatedError (`DT_SESSION_NOT_REPLICATED`) with `durability: 'replicated'` when no replica took a new secret.
   */
  async keptSecret(): Promise<string> {
    const key = `${this.#prefix}secret`;
    const made = await this.#redis.command('keep the secret', key, ['SET', key, randomBytes(32).toString('base64url'), 'NX']);
    if (made !== null) await this.#redis.replicated('keep the secret', [key]);
    const secret = (await this.#redis.command('read the secret', key, ['GET', key])) as string | null;
    checkSecret(secret ?? '', `the Redis key ${key}`, `Delete the key to have a new one made, or SET a good secret in it`);
    return secret!;
  }

  /** See {@link SessionStore.get}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async get(id: string, now: number): Promise<StoredEntry | undefined> {
    const key = this.#entryKey(id);
    const r = (await this.#redis.command('get', key, ['HMGET', key, 'payload', 'version', 'expires'])) as (string | null)[];
    if (r[0] == null || r[1] == null || r[2] == null) return undefined;
    const expires = Number(r[2]);
    return expires > now ? { payload: r[0], version: Number(r[1]), expires } : undefined;
  }

  /**
   * See {@link SessionStore.set}: a Lua compare-and-set.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   * @throws SessionNotReplicatedError (`DT_SESSION_NOT_REPLICATED`) with `durability: 'replicated'`.
   */
  set(id: string, payload: string, expires: number, expectedVersion: number): Promise<number | undefined> {
    return this.#write('set', id, '', payload, expires, expectedVersion);
  }

  /** Lock-and-load in one script; see {@link SessionStore.acquire}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async acquire(id: string, owner: string, leaseMs: number, now: number): Promise<Acquired> {
    const t = this.#clock();
    const r = (await this.#redis.eval('acquire', ACQUIRE, [this.#entryKey(id)], [owner, String(t + leaseLength(leaseMs)), String(now), String(t), String(t + WAIT_TURN_MS)])) as (number | string)[];
    if (r[0] === 0) return ABSENT;
    if (r[0] === 1) {
      await this.#tellHolder('acquire', String(r[1]), id);
      return BUSY;
    }
    return { state: 'held', entry: { payload: String(r[1]), version: Number(r[2]), expires: Number(r[3]) } };
  }

  /**
   * Write-and-release (or write-and-keep) in one script; see {@link SessionStore.commit}.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   * @throws SessionNotReplicatedError (`DT_SESSION_NOT_REPLICATED`) with `durability: 'replicated'`.
   */
  commit(id: string, owner: string, payload: string, expires: number, expectedVersion: number, keepMs?: number): Promise<number | undefined> {
    return this.#write('commit', id, owner, payload, expires, expectedVersion, keepMs);
  }

  /** Releases `owner`'s lease, moving the expiry when `expires` is given, in one script. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async release(id: string, owner: string, expires?: number): Promise<void> {
    if (expires === undefined) {
      await this.#redis.eval('release', RELEASE, this.#keys(id, false), [owner, '', String(this.#graceMs)]);
      return;
    }
    // On one server the script lowers the index itself (connecting first reads the shard count).
    const folded = !(this.#redis.connection ?? (await this.#redis.connected())).cluster;
    const earlier = await this.#redis.eval('release', RELEASE, this.#keys(id, folded), [owner, String(expires), String(this.#graceMs), id]);
    if (earlier === 1) await this.#index(id, expires);
  }

  /** See {@link SessionStore.wanted}: one `SPOP`. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async wanted(owner: string): Promise<string[]> {
    const key = this.#wantKey(owner);
    return (await this.#redis.command('wanted', key, ['SPOP', key, '1000'])) as string[];
  }

  /** See {@link SessionStore.renew}: one script per id, sent together. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async renew(ids: readonly string[], owner: string, leaseMs: number): Promise<string[]> {
    const t = this.#clock();
    const args = [owner, String(t + leaseLength(leaseMs)), String(t)];
    const kept = await Promise.all(ids.map((id) => this.#redis.eval('renew', RENEW, [this.#entryKey(id)], args)));
    return ids.filter((_, i) => kept[i] !== 1);
  }

  /** See {@link SessionStore.touch}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  touch(id: string, expires: number): Promise<void> {
    return this.release(id, '', expires);
  }

  /**
   * See {@link SessionStore.delete}.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   * @throws SessionNotReplicatedError (`DT_SESSION_NOT_REPLICATED`) with `durability: 'replicated'`.
   */
  async delete(id: string, owner?: string): Promise<boolean> {
    if (this.#redis.connection === undefined) await this.#shardCount();
    const shard = this.#shardKey(id);
    const entry = this.#entryKey(id);
    const [[removed, holder]] = await Promise.all([
      this.#redis.eval('delete', DELETE, [entry], [owner ?? '', String(this.#clock())]) as Promise<[number, string]>,
      this.#redis.command('delete', shard, ['ZREM', shard, id]),
    ]);
    await Promise.all([this.#tellHolder('delete', holder, id), this.#redis.replicated('delete', [entry])]);
    return removed === 1;
  }

  /**
   * See {@link SessionStore.sweep}: reads each shard of the expiry index (on a cluster, each
   * shard lives on one master, and every shard is read) and claims every due id with a script
   * on that session's keys (exactly one sweeper gets it); ids that turn out live are re-scored,
   * vanished ones dropped. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  async sweep(now: number, limit: number): Promise<ExpiredEntry[]> {
    const out: ExpiredEntry[] = [];
    const shards = await this.#shardCount();
    const start = this.#sweepStart++ % shards;
    for (let n = 0; n < shards && out.length < limit; n++) {
      const key = `${this.#prefix}expiry:{${(start + n) % shards}}`;
      for (;;) {
        const want = limit - out.length;
        const ids = (await this.#redis.command('sweep', key, ['ZRANGEBYSCORE', key, '-inf', String(now), 'LIMIT', '0', String(want)])) as string[];
        await Promise.all(ids.map((id) => this.#claim(key, id, now, out)));
        if (ids.length < want || out.length >= limit) break;
      }
    }
    // A claim the replica never got would come back after a failover, to be handed out again:
    // with 'replicated', give the replicas the chance to take the claims first (best effort: an
    // entry claimed on the primary is handed out either way, or no one ever would).
    if (out.length > 0) await this.#redis.replicated('sweep', out.map((e) => this.#entryKey(e.id)), true);
    return out;
  }

  /** The sum of the index shards' sizes: every kept entry is indexed once. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  async count(): Promise<number> {
    const keys = Array.from({ length: await this.#shardCount() }, (_, shard) => `${this.#prefix}expiry:{${shard}}`);
    const sizes = await Promise.all(keys.map((key) => this.#redis.command('count', key, ['ZCARD', key])));
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
      const key = `${this.#prefix}expiry:{${shard}}`;
      const [next, flat] = (await this.#redis.command('list', key, ['ZSCAN', key, scan!, 'COUNT', String(limit - entries.length)])) as [string, string[]];
      const ids = flat.filter((_, i) => i % 2 === 0);
      const rows = await Promise.all(ids.map((id) => this.#redis.command('list', this.#entryKey(id), ['HMGET', this.#entryKey(id), 'version', 'expires']) as Promise<(string | null)[]>));
      ids.forEach((id, i) => {
        const [version, expires] = rows[i]!;
        if (version != null && expires != null) entries.push({ id, version: Number(version), expires: Number(expires) });
      });
      if (next === '0') [shard, scan] = [shard + 1, '0'];
      else scan = next;
    }
    return { entries, cursor: shard < shards ? `${shard}:${scan}` : undefined };
  }

  /** Closes the client or cluster the store created (a client you passed in stays open). Idempotent. */
  async close(): Promise<void> {
    await this.#redis.close();
  }

  /** See `SessionStore#queuedInTurn`. */
  queuedInTurn(): number {
    return this.#redis.queuedInTurn();
  }

  #entryKey(id: string): string {
    return `${this.#prefix}{${id}}`;
  }

  /**
   * The session's hash; with `shard`, its shard of the expiry index as a second key (on one
   * server only: on a cluster that shard is in another slot).
   */
  #keys(id: string, shard: boolean): string[] {
    return shard ? [this.#entryKey(id), this.#shardKey(id)] : [this.#entryKey(id)];
  }

  /**
   * Release on demand: tells `holder` (a script's answer: '' for no one) that `id`'s lease is
   * wanted, for its next `wanted` call.
   */
  async #tellHolder(operation: string, holder: string, id: string): Promise<void> {
    if (holder !== '') await this.#redis.eval(operation, WANT, [this.#wantKey(holder)], [id, String(WANTS_KEPT_MS)]);
  }

  /** Where `owner` is told which of its leases others want (in its own slot on a cluster). */
  #wantKey(owner: string): string {
    return `${this.#prefix}want:{${owner}}`;
  }

  #shardKey(id: string): string {
    return `${this.#prefix}expiry:{${shardOf(id, this.#redis.shards)}}`;
  }

  /** Lowers (or adds) `id`'s score in the index: `LT` never raises a score above the real expiry. */
  async #index(id: string, expires: number): Promise<void> {
    const key = this.#shardKey(id);
    await this.#redis.command('index', key, ['ZADD', key, 'LT', String(expires), id]);
  }

  async #write(operation: string, id: string, owner: string, payload: string, expires: number, expected: number, keepMs?: number): Promise<number | undefined> {
    // On one server the script updates the index itself (connecting first reads the shard count).
    const folded = !(this.#redis.connection ?? (await this.#redis.connected())).cluster;
    const now = this.#clock();
    const args = [owner, payload, String(expires), String(expected), String(now), String(this.#graceMs), keepMs === undefined ? '' : String(now + leaseLength(keepMs)), id];
    let r: [number, number];
    if (folded) {
      r = (await this.#redis.eval(operation, WRITE, this.#keys(id, true), args)) as [number, number];
    } else {
      // A new entry is indexed before it is written (the index may point at nothing, never miss an entry).
      [, r] = await Promise.all([expected === 0 ? this.#index(id, expires) : undefined, this.#redis.eval(operation, WRITE, this.#keys(id, false), args) as Promise<[number, number]>]);
    }
    if (r[0] < 0) return undefined;
    if (r[1] === 1) await this.#index(id, expires);
    if (this.#redis.replicationMs !== undefined) {
      await this.#redis.replicated(operation, expected === 0 || r[1] === 1 ? [this.#entryKey(id), this.#shardKey(id)] : [this.#entryKey(id)]);
    }
    return r[0];
  }

  async #claim(key: string, id: string, now: number, out: ExpiredEntry[]): Promise<void> {
    const r = (await this.#redis.eval('sweep', CLAIM, [this.#entryKey(id)], [String(now)])) as [number, string?];
    if (r[0] === 1) await this.#redis.command('sweep', key, ['ZADD', key, 'XX', r[1]!, id]);
    else {
      await this.#redis.command('sweep', key, ['ZREM', key, id]);
      if (r[0] === 2) out.push({ id, payload: r[1]! });
    }
  }

  async #shardCount(): Promise<number> {
    await this.#redis.connected();
    return this.#redis.shards;
  }
}

/** A lease's length in whole ms, at least one. */
function leaseLength(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
