/**
 * The `--store` spec of the `dovetail` commands (`memory`, `sqlite:PATH`, `redis://HOST:PORT`)
 * turned into a session store, shared by `serve` and `sessions`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { MemoryStore, RedisStore, SqliteStore } from '@dovetail/session';
import { CliError } from './errors.js';
import type { SessionStore } from '@dovetail/session';

/**
 * The store a `--store` spec names.
 *
 * @throws {CliError} exit code 2 for a spec of no known form.
 */
export function makeStore(spec: string, maxSessions: number | undefined): SessionStore {
  if (spec === 'memory') return new MemoryStore(maxSessions === undefined ? {} : { maxSessions });
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!path) throw new CliError(`--store sqlite: needs a path, e.g. --store sqlite:var/sessions.db`, 2);
    return new SqliteStore({ path: resolve(path) });
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) return new RedisStore({ url: spec });
  throw new CliError(`--store must be memory, sqlite:PATH or redis://HOST:PORT, not '${spec}'.`, 2);
}
