/**
 * How `RedisStore` reaches Redis: one server (a node-redis client it creates from a url, or one
 * the application passes in) or a Redis Cluster (node-redis's `createCluster`). Either way the
 * store sends each command with the key it touches first, and the cluster client routes it to
 * the master of that key's slot (following MOVED and ASK redirections itself).
 *
 * @module
 */
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import { CommandDeadlines } from './redis-deadlines.js';
import { isNoScript } from './redis-scripts.js';
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

/** One node of a Redis Cluster the store discovers the others from. */
export interface RedisClusterRootNode {
  /**
   * `redis://[[user]:password@]host:port` or `rediss://…` for TLS. The credentials and TLS of
   * the first root node are used for every node of the cluster.
   */
  readonly url: string;
}

/** Where the store's commands go. */
export type RedisTarget =
  | { readonly url: string }
  | { readonly client: RedisClientLike }
  | { readonly rootNodes: readonly RedisClusterRootNode[] };

/** An open connection: a client or a cluster. */
export interface RedisConnection {
  /** True on a Redis Cluster: commands on different keys may go to different masters. */
  readonly cluster: boolean;
  /**
   * Sends `args` (handed to the client as they are: a fresh array per command); on a cluster to
   * the master of `key`'s slot (a random node when `key` is undefined). Rejects with the
   * node-redis error, or when no reply came within `timeoutMs` (default: the command timeout).
   */
  send(key: string | undefined, args: string[], timeoutMs?: number): Promise<unknown>;
  /** Closes what the connection created (a client passed in stays open). */
  close(): Promise<void>;
}

/** What {@link openRedisConnection} needs besides the target. */
export interface ConnectOptions {
  /** The store's name, for errors. */
  readonly name: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** True once the store was closed: a connection made after that is dropped. */
  readonly closed: () => boolean;
}

/** Retries of a lost node connection: 50 ms, doubled, at most 500 ms apart. */
const backoff = (retries: number): number => Math.min(50 * 2 ** retries, 500);

/**
 * How often a cluster's slot map is refreshed at most while commands fail. node-redis refreshes
 * it on a MOVED or ASK reply only, which a master that is down never sends: without this, the
 * slots of a failed-over master would stay pointed at the dead node until it came back.
 */
const REFRESH_MS = 250;

/** The first wait before a command answered TRYAGAIN is sent again, growing by as much each time. */
const TRY_AGAIN_MS = 20;

/** True for Redis Cluster's reply to a multi-key command whose slot is being moved. */
function isTryAgain(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith('TRYAGAIN');
}

/**
 * Opens the connection to `target`.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the redis package is not installed.
 * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the server or cluster cannot be reached.
 */
export async function openRedisConnection(target: RedisTarget, options: ConnectOptions): Promise<RedisConnection> {
  if ('client' in target) return connectGiven(target.client, options);
  const redis = await loadRedis();
  return 'url' in target ? connectUrl(redis, target.url, options) : connectCluster(redis, target.rootNodes, options);
}

async function loadRedis(): Promise<typeof Redis> {
  try {
    return await import('redis');
  } catch (e) {
    throw new SessionStoreConfigError('RedisStore', 'the optional dependency redis could not be loaded', 'Run `npm install redis`, or choose another store.', { cause: e });
  }
}

async function connectGiven(client: RedisClientLike, options: ConnectOptions): Promise<RedisConnection> {
  if (!client.isOpen) {
    try {
      await client.connect();
    } catch (e) {
      throw new SessionStoreError(options.name, 'connect', undefined, 'Check that the Redis server is running.', { cause: e });
    }
  }
  const deadlines = new CommandDeadlines(options.commandTimeoutMs);
  return {
    cluster: false,
    send: (_key, args, timeoutMs) => deadlines.watch(client.sendCommand(args), timeoutMs),
    close: async () => undefined,
  };
}

async function connectUrl(redis: typeof Redis, url: string, options: ConnectOptions): Promise<RedisConnection> {
  let everConnected = false;
  const client = redis.createClient({
    url,
    // Fail fast while disconnected instead of queueing commands until the server returns.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs,
      // First connection: give up at once (the caller gets the error); later: keep reconnecting,
      // at most 500 ms apart, so sessions answer within a second of the server's return (an
      // attempt on a server that is down costs one refused connection).
      reconnectStrategy: (retries: number, cause: Error) => (everConnected ? backoff(retries) : giveUp(cause)),
    },
  });
  // Without a listener an 'error' event would crash the process; each failed command reports
  // its own error as a SessionStoreError.
  client.on('error', () => undefined);
  client.on('ready', () => {
    everConnected = true;
  });
  await opened(client, options, 'Check that the Redis server is running and that the url is right.');
  everConnected = true;
  const deadlines = new CommandDeadlines(options.commandTimeoutMs);
  return {
    cluster: false,
    send: (_key, args, timeoutMs) => deadlines.watch(client.sendCommand(args), timeoutMs),
    close: () => closeQuietly(client, options.commandTimeoutMs),
  };
}

async function connectCluster(redis: typeof Redis, rootNodes: readonly RedisClusterRootNode[], options: ConnectOptions): Promise<RedisConnection> {
  let everConnected = false;
  const first = new URL(rootNodes[0]!.url);
  const cluster = redis.createCluster({
    rootNodes: rootNodes.map((node) => ({ url: node.url })),
    // Every node the cluster reports is connected with these (root nodes are only asked for the slot map).
    defaults: {
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        ...(first.protocol === 'rediss:' ? { tls: true as const } : {}),
        // Before the cluster is first connected, a node that cannot be reached fails the
        // connection (the caller gets the error and a later call tries again); after that, a
        // lost node is reconnected until the slot map no longer lists it.
        reconnectStrategy: (retries: number, cause: Error) => (everConnected ? backoff(retries) : giveUp(cause)),
      },
    },
  });
  cluster.on('error', () => undefined);
  await opened(cluster, options, 'Check that the cluster nodes are running and that the root node addresses are right.');
  everConnected = true;

  let lastRefresh = 0;
  // A slot map refresh still running when the store closes connects to nodes again after the
  // close (and keeps the process alive): the client is destroyed again once the last refresh
  // ends, and no refresh starts after the close. (The close does not wait for it: it may never end.)
  let refreshing: Promise<void> | null = null;
  let closing = false;
  const refresh = (): void => {
    const now = Date.now();
    if (closing || now - lastRefresh < REFRESH_MS) return;
    lastRefresh = now;
    const slots = (cluster as unknown as { _slots?: { rediscover?(startWith: unknown): Promise<void> } })._slots;
    const startWith = cluster.masters.find((m) => m.client !== undefined)?.client;
    if (slots?.rediscover === undefined || startWith === undefined) return;
    // A failed refresh (the cluster still electing a new master) is retried by the next failing command.
    refreshing = slots.rediscover(startWith).catch(() => undefined);
  };

  const deadlines = new CommandDeadlines(options.commandTimeoutMs);
  return {
    cluster: true,
    send: async (key, args, timeoutMs) => {
      const deadline = Date.now() + (timeoutMs ?? options.commandTimeoutMs);
      for (let attempt = 1; ; attempt++) {
        try {
          // A retried attempt gets what is left of the command's time.
          return await deadlines.watch(cluster.sendCommand(key, false, args), attempt === 1 ? timeoutMs : Math.max(1, deadline - Date.now()));
        } catch (e) {
          // While a slot moves between masters, a script on a session whose keys are not all
          // on one side yet is answered TRYAGAIN: Redis asks the client to retry shortly, and
          // node-redis does not (it follows MOVED and ASK only).
          if (isTryAgain(e) && Date.now() + TRY_AGAIN_MS * attempt < deadline) {
            await new Promise((r) => setTimeout(r, TRY_AGAIN_MS * attempt));
            continue;
          }
          if (!isNoScript(e)) refresh();
          throw e;
        }
      }
    },
    close: async () => {
      closing = true;
      const late = refreshing;
      await closeQuietly(cluster, options.commandTimeoutMs);
      if (late !== null) void late.then(() => destroyQuietly(cluster));
    },
  };
}

/** Connects `client`; a failure or a store closed meanwhile drops it. */
async function opened(client: { connect(): Promise<unknown>; destroy(): void }, options: ConnectOptions, hint: string): Promise<void> {
  try {
    await client.connect();
  } catch (e) {
    destroyQuietly(client);
    throw new SessionStoreError(options.name, 'connect', undefined, hint, { cause: e });
  }
  if (options.closed()) {
    destroyQuietly(client);
    throw new SessionStoreError(options.name, 'connect', 'the store was closed while connecting');
  }
}

/**
 * A fresh Error to stop reconnecting: node-redis tests `instanceof Error`, which a socket error
 * from another realm (as under jest's vm contexts) fails — it would then retry forever.
 */
function giveUp(cause: Error): Error {
  return new Error(String(cause?.message ?? cause), { cause });
}

/**
 * Closes `client` gracefully (replies in flight are awaited) within `withinMs`, else drops it: a
 * cluster client whose node died mid-failover can wait for that node forever.
 */
async function closeQuietly(client: { close(): Promise<unknown>; destroy(): void }, withinMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), withinMs)));
    if ((await Promise.race([client.close(), late])) === 'late') destroyQuietly(client);
  } catch {
    destroyQuietly(client); // not connected: drop the socket and the reconnect timer
  } finally {
    clearTimeout(timer);
  }
}

/** Drops a client's sockets and reconnect timers; a client that is already closed is fine. */
function destroyQuietly(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // already closed
  }
}

/** The url without its password, for names and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis (unparsable url)';
  }
}
