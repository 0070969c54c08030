/**
 * The key layout version of `RedisStore`, kept in `<prefix>meta` (`schema`, `shards`), and the
 * migrations from the layouts before it.
 *
 * Layout 3 (this one): a `<prefix>{<id>}` hash per session, holding its data, its lease and a
 * waiter's turn; the expiry index in `<prefix>expiry:{<n>}`.
 * Layout 2: the same hash with the data only, the lease in `<prefix>{<id>}:lease` and the turn in
 * `<prefix>{<id>}:turn`. Its data needs no move: opening it only writes the new version, and its
 * lease keys lapse by themselves within a lease length. A process of layout 2 that is still
 * running takes its leases where this one does not look, so during a rolling upgrade two
 * requests of one session may run at once; every write is a compare-and-set on the version, so
 * one of them gets `SessionConflictError` and nothing is overwritten.
 * Layout 1: `<prefix>s:<id>` hash, `<prefix>lock:<id>`, one `<prefix>expiry` sorted set. Its
 * sessions are moved batch by batch by a script (atomic per batch, so processes starting
 * together share the work and move each session once); its locks are left to lapse.
 */
import { SessionStoreConfigError } from './errors.js';
import { MIGRATE_1, isNoScript } from './redis-scripts.js';
import type { RedisConnection } from './redis-connection.js';

/** The layout version this code writes. */
export const REDIS_SCHEMA = 3;
const BATCH = 500;

/**
 * Checks the layout under `prefix`, migrating layouts 1 and 2, and returns the number of index shards.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the keys were written by a
 *   newer version.
 */
export async function openRedisLayout(connection: RedisConnection, prefix: string, shards: number, storeName: string): Promise<number> {
  const meta = `${prefix}meta`;
  // Every command here is on one key (its first argument); the migration script only ever runs
  // on one server (layout 1 never ran on Redis Cluster, where that key is never a sorted set).
  const send = (args: string[]): Promise<unknown> => connection.send(args[args[0] === 'EVALSHA' || args[0] === 'EVAL' ? 3 : 1], args);
  let [schema, kept] = (await send(['HMGET', meta, 'schema', 'shards'])) as (string | null)[];
  if (schema === null || schema === undefined) {
    const old = `${prefix}expiry`;
    if ((await send(['TYPE', old])) === 'zset') {
      const args = ['1', old, prefix, String(shards), String(BATCH)];
      for (;;) {
        let left: unknown;
        try {
          left = await send(['EVALSHA', MIGRATE_1.sha, ...args]);
        } catch (e) {
          if (!isNoScript(e)) throw e;
          left = await send(['EVAL', MIGRATE_1.source, ...args]);
        }
        if (Number(left) === 0) break;
      }
    }
    await send(['HSETNX', meta, 'shards', String(shards)]);
    await send(['HSETNX', meta, 'schema', String(REDIS_SCHEMA)]);
    [schema, kept] = (await send(['HMGET', meta, 'schema', 'shards'])) as (string | null)[];
  }
  if (schema === '2') {
    // Only the version moves (see above); a process opening it at the same time writes the same.
    await send(['HSET', meta, 'schema', String(REDIS_SCHEMA)]);
    schema = String(REDIS_SCHEMA);
  }
  const n = Number(kept);
  if (Number(schema) !== REDIS_SCHEMA || !Number.isInteger(n) || n < 1) {
    throw new SessionStoreConfigError(
      'RedisStore',
      `the keys under ${storeName} have layout version ${String(schema)} with ${String(kept)} shards, written by another dovetail (this one reads version ${REDIS_SCHEMA})`,
      'Run the dovetail that wrote them, or choose another prefix.',
    );
  }
  return n;
}
