/**
 * How `RedisStore`'s commands reach Redis: the connection, opened on first use with the key
 * layout checked (and an older one migrated) before anything else is sent; scripts sent by SHA;
 * errors turned into `SessionStoreError`; the count of commands node-redis holds for the end of
 * the turn (`SessionStore#queuedInTurn`); and, with `durability: 'replicated'`, the `WAIT` for a
 * replica.
 *
 * @module
 */
import { setImmediate } from 'node:timers';
import { SessionNotReplicatedError, SessionStoreConfigError, SessionStoreError } from './errors.js';
import { openRedisConnection } from './redis-connection.js';
import { openRedisLayout } from './redis-schema.js';
import { isNoScript } from './redis-scripts.js';
import type { RedisConnection, RedisTarget } from './redis-connection.js';
import type { Script } from './redis-scripts.js';

/** What {@link RedisCommands} needs of its store. */
export interface RedisCommandsOptions {
  /** The store's name, for errors. */
  readonly name: string;
  readonly target: RedisTarget;
  readonly prefix: string;
  /** Shards of the expiry index a new prefix gets. */
  readonly shards: number;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** With `durability: 'replicated'`, the ms of `WAIT 1 <ms>`; else undefined. */
  readonly replicationMs: number | undefined;
}

/** The commands of one `RedisStore`. */
export class RedisCommands {
  /** Shards of the expiry index, read from `<prefix>meta` when connecting. */
  shards: number;
  /** The connection once open (and a call can go straight to it). */
  connection: RedisConnection | undefined = undefined;
  #connecting: Promise<RedisConnection> | undefined = undefined;
  #closed = false;
  /** Commands sent in this turn of the event loop: node-redis writes them when it ends. */
  #queued = 0;
  readonly #turnEnded = (): void => {
    this.#queued = 0;
  };

  constructor(readonly options: RedisCommandsOptions) {
    this.shards = options.shards;
  }

  /** With `durability: 'replicated'`, the ms of `WAIT 1 <ms>`; else undefined. */
  get replicationMs(): number | undefined {
    return this.options.replicationMs;
  }

  /** See `SessionStore#queuedInTurn`. */
  queuedInTurn(): number {
    return this.#queued;
  }

  /** Runs a script by its SHA, loading it with EVAL when the server does not know it (one array per call). */
  eval(operation: string, s: Script, keys: string[], args: string[]): Promise<unknown> {
    const command = ['EVALSHA', s.sha, String(keys.length), ...keys, ...args];
    this.#sent();
    const connection = this.connection;
    const sent = connection !== undefined ? connection.send(keys[0], command) : this.connected().then((c) => c.send(keys[0], command));
    return sent.catch((e: unknown) => {
      if (!isNoScript(e)) throw this.#wrap(operation, e);
      return this.command(operation, keys[0], ['EVAL', s.source, ...command.slice(2)]);
    });
  }

  /** Sends one command; a failure comes as `SessionStoreError`. */
  async command(operation: string, key: string | undefined, args: string[], timeoutMs?: number): Promise<unknown> {
    try {
      const connection = this.connection ?? (await this.connected());
      this.#sent();
      return await connection.send(key, args, timeoutMs);
    } catch (e) {
      throw this.#wrap(operation, e);
    }
  }

  /**
   * With `durability: 'replicated'`: `WAIT 1` on the primary of each of `keys` (on one server,
   * once), each on the connection that sent the writes, so it covers them. `bestEffort`: waits
   * as long, but a primary without a replica's acknowledgement, or a failed `WAIT`, is let be.
   * @throws SessionNotReplicatedError when a primary got no replica's acknowledgement in time.
   */
  async replicated(operation: string, keys: readonly string[], bestEffort = false): Promise<void> {
    const ms = this.options.replicationMs;
    if (ms === undefined) return;
    const wait = (key: string): Promise<number> => (bestEffort ? this.#wait(key).catch(() => 0) : this.#wait(key));
    const acks = await Promise.all(distinctSlots(keys, this.connection!.cluster).map(wait));
    if (!bestEffort && acks.some((n) => n < 1)) throw new SessionNotReplicatedError(this.options.name, operation, ms);
  }

  /** `WAIT 1` on the primary of `key`: how many replicas acknowledged. */
  async #wait(key: string): Promise<number> {
    const ms = this.options.replicationMs!;
    return Number(await this.command('wait for a replica', key, ['WAIT', '1', String(ms)], ms + this.options.commandTimeoutMs));
  }

  /** The open connection, opened (and the key layout checked) on first use. */
  connected(): Promise<RedisConnection> {
    const { name } = this.options;
    if (this.#closed) return Promise.reject(new SessionStoreError(name, 'send a command', 'the store is closed', 'Create a new RedisStore.'));
    if (this.connection !== undefined) return Promise.resolve(this.connection);
    this.#connecting ??= openRedisConnection(this.options.target, {
      name,
      commandTimeoutMs: this.options.commandTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      closed: () => this.#closed,
    })
      .then(async (connection) => {
        // The layout is checked (and an older one migrated) before any other command is sent.
        try {
          this.shards = await openRedisLayout(connection, this.options.prefix, this.options.shards, name);
        } catch (e) {
          await connection.close();
          throw e;
        }
        this.connection = connection;
        return connection;
      })
      .catch((e: unknown) => {
        this.#connecting = undefined; // a later call tries again
        throw this.#wrap('open its keys', e);
      });
    return this.#connecting;
  }

  /** Closes what the connection created. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close();
  }

  #sent(): void {
    // Queued before the client's write of this turn, which the command about to be sent queues.
    if (this.#queued++ === 0) setImmediate(this.#turnEnded);
  }

  #wrap(operation: string, e: unknown): unknown {
    if (e instanceof SessionStoreError || e instanceof SessionStoreConfigError) return e;
    return new SessionStoreError(this.options.name, operation, undefined, undefined, { cause: e });
  }
}

/**
 * The keys to `WAIT` on so that every primary among `keys` is covered once: one per hash tag on
 * a cluster (two tags on one master cost a second WAIT that returns at once), the first on one
 * server.
 */
function distinctSlots(keys: readonly string[], cluster: boolean): string[] {
  if (!cluster) return keys.slice(0, 1);
  const byTag = new Map<string, string>();
  for (const key of keys) byTag.set(/\{([^}]*)\}/.exec(key)?.[1] ?? key, key);
  return [...byTag.values()];
}
