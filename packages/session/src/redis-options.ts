/**
 * The options of `RedisStore`, and the connection target they name (checked at construction).
 *
 * @module
 */
import { SessionStoreConfigError } from './errors.js';
import { redactUrl } from './redis-connection.js';
import type { RedisClientLike, RedisClusterRootNode, RedisTarget } from './redis-connection.js';

/** The options every kind of {@link RedisStoreOptions} has. */
export interface RedisCommonOptions {
  /**
   * Prefix of every key the store writes: `<prefix>{<id>}` (a hash per session: its data, its
   * lease, who waits for the lease), `<prefix>expiry:{<n>}` (the shards of the expiry index),
   * `<prefix>meta` (the layout version), `<prefix>secret` (the kept secret). No `{` or `}`.
   * @default 'dovetail:'
   */
  readonly prefix?: string;
  /**
   * How long Redis keeps a session's data at least after it expires, so that a sweeper that runs
   * late can still read the last data (`get` checks `expires` itself); at most it keeps it 1.5
   * times as long (a write moves the key's own expiry only once it is due, which spares a Redis
   * call on most writes). Sessions whose data Redis dropped before any sweep claimed them are
   * not reported as expired.
   * @default 3_600_000 (one hour)
   */
  readonly graceMs?: number;
  /**
   * How long one command may wait for its reply before it fails with `SessionStoreError` (a
   * stalled, overloaded or unreachable server; a request then answers 503).
   * @default 2000
   */
  readonly commandTimeoutMs?: number;
  /**
   * The clock `set` uses to decide whether an existing entry has expired (expected version 0),
   * and leases are timed by. Processes on several machines sharing one Redis need clocks in step
   * (NTP): a skew of a good part of a lease makes commits refused (`SessionConflictError`), never
   * an overwrite.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * When a write counts as done. `'primary'`: once the primary has it; Redis replicates
   * asynchronously, so a failover can lose the writes of the last moments before the primary
   * failed (those its replica had not received yet). `'replicated'`: each write of a session
   * (commit, set, delete, a new session's index entry, the secret) is followed by `WAIT 1` on
   * the primary that took it, and refused with `SessionNotReplicatedError` unless a replica
   * acknowledged it within `replicationTimeoutMs`: nothing acknowledged is lost when the
   * replica is promoted. Expiry moves (a touch) and leases are not waited for.
   * @default 'primary'
   */
  readonly durability?: RedisDurability;
  /**
   * With `durability: 'replicated'`, how long a replica's acknowledgement is waited for.
   * @default 1000
   */
  readonly replicationTimeoutMs?: number;
}

/** See {@link RedisStoreUrlOptions.durability}. */
export type RedisDurability = 'primary' | 'replicated';

/** Options of {@link RedisStore} when it creates its own client from a URL. */
export interface RedisStoreUrlOptions extends RedisCommonOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` for TLS. */
  readonly url: string;
  /**
   * How long connecting may take before it fails.
   * @default 2000
   */
  readonly connectTimeoutMs?: number;
}

/** Options of {@link RedisStore} when the application passes its own client. */
export interface RedisStoreClientOptions extends RedisCommonOptions {
  /** A node-redis client; connected by the store when not yet open, never closed by it. */
  readonly client: RedisClientLike;
}

/** Options of {@link RedisStore} on a Redis Cluster (or a Valkey cluster). */
export interface RedisStoreClusterOptions extends RedisCommonOptions {
  /**
   * The cluster: some of its nodes, from which node-redis's `createCluster` discovers the rest
   * (and rediscovers them after a failover). Every key of one session carries the session id as
   * its hash tag, so each session lives in one slot and its scripts run on one master.
   */
  readonly cluster: {
    /** At least one node; list several so that the store starts while one of them is down. */
    readonly rootNodes: readonly RedisClusterRootNode[];
  };
  /**
   * How long connecting may take before it fails.
   * @default 2000
   */
  readonly connectTimeoutMs?: number;
}

/** Options of {@link RedisStore}: a `url` (the store owns its client), a `client` (yours) or a `cluster`. */
export type RedisStoreOptions = RedisStoreUrlOptions | RedisStoreClientOptions | RedisStoreClusterOptions;

/**
 * The connection target the options name.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) unless exactly one of `url`,
 *   `client` and `cluster` is given, in a usable form.
 */
export function redisTarget(options: RedisStoreOptions): RedisTarget {
  const o = (options ?? {}) as Partial<RedisStoreUrlOptions & RedisStoreClientOptions & RedisStoreClusterOptions>;
  const given = [o.url !== undefined, o.client !== undefined, o.cluster !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw new SessionStoreConfigError(
      'RedisStore',
      given === 0 ? 'neither a url, a client nor a cluster was given' : 'more than one of url, client and cluster was given',
      "Pass one: new RedisStore({ url: 'redis://127.0.0.1:6379' }), new RedisStore({ client }) or new RedisStore({ cluster: { rootNodes: [{ url }] } }).",
    );
  }
  if (o.client !== undefined) {
    if (typeof o.client.sendCommand !== 'function') {
      throw new SessionStoreConfigError('RedisStore', 'the client has no sendCommand() method', 'Pass a node-redis v5 client made by createClient().');
    }
    return { client: o.client as RedisClientLike };
  }
  if (o.cluster !== undefined) {
    const roots = o.cluster.rootNodes;
    if (!Array.isArray(roots) || roots.length === 0 || roots.some((n: RedisClusterRootNode) => !/^rediss?:\/\/./.test(String(n?.url)))) {
      throw new SessionStoreConfigError('RedisStore', 'cluster.rootNodes must list at least one node as { url: "redis://host:port" }', "Pass new RedisStore({ cluster: { rootNodes: [{ url: 'redis://10.0.0.1:6379' }, { url: 'redis://10.0.0.2:6379' }] } }).");
    }
    return { rootNodes: roots };
  }
  if (typeof o.url !== 'string' || o.url === '') {
    throw new SessionStoreConfigError('RedisStore', 'the url is empty', "Pass new RedisStore({ url: 'redis://127.0.0.1:6379' }).");
  }
  return { url: o.url };
}


/**
 * Where a target points, for the store's name: the url without its password, `redis client`,
 * or `redis+cluster://` and the root nodes (without credentials).
 */
export function targetName(t: RedisTarget): string {
  if ('url' in t) return redactUrl(t.url);
  if ('client' in t) return 'redis client';
  const scheme = t.rootNodes[0]!.url.startsWith('rediss:') ? 'rediss' : 'redis';
  return `${scheme}+cluster://${t.rootNodes.map((n) => hostOf(n.url)).join(',')}`;
}

/** `host:port` of a node url, without credentials. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'redis';
  }
}
