/**
 * The key layout version of `RedisStore`, kept in `<prefix>meta` (`schema`, `shards`), and the
 * migration from the layout before versions.
 *
 * Layout 2 (this one): `<prefix>{<id>}` hash, `<prefix>{<id>}:lease`, `<prefix>expiry:{<n>}`, and
 * `<prefix>{<id>}:turn` (a waiter's turn, expiring within a fraction of a second: it needs no
 * migration, and a process that does not know it only ignores whose turn it is).
 * Layout 1: `<prefix>s:<id>` hash, `<prefix>lock:<id>`, one `<prefix>expiry` sorted set. Its
 * sessions are moved batch by batch by a script (atomic per batch, so processes starting
 * together share the work and move each session once); its locks are left to lapse.
 */
import { SessionStoreConfigError } from './errors.js';
import { MIGRATE_1, isNoScript } from './redis-scripts.js';
import type { RedisConnection } from './redis-connection.js';

/** The layout version this code writes. */
export const REDIS_SCHEMA = 2;
const BATCH = 500;

/**
 * Checks the layout under `prefix`, migrating layout 1, and returns the number of index shards.
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
