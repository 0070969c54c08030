/**
 * The `--store` spec of the `dovetail` commands (`memory`, `sqlite:PATH`, `sqlite+exclusive:PATH`,
 * `redis://HOST:PORT`, `redis+cluster://HOST:PORT,HOST:PORT`) turned into a session store, shared
 * by `serve` and `sessions`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { MemoryStore, RedisStore, SqliteStore } from '@dovetail/session';
import { CliError } from './errors.js';
import type { RedisDurability, SessionStore } from '@dovetail/session';

const FORMS = 'memory, sqlite:PATH, sqlite+exclusive:PATH, redis://HOST:PORT or redis+cluster://HOST:PORT,HOST:PORT';

/**
 * The store a `--store` spec names. `sqlite+exclusive:` keeps the file to this one process, its
 * leases in memory (see SqliteStore's `exclusive`). A Redis spec may end in
 * `?durability=replicated` (each commit waits for a replica: see RedisStore's `durability`).
 *
 * @throws {CliError} exit code 2 for a spec of no known form.
 */
export function makeStore(spec: string, maxSessions: number | undefined): SessionStore {
  if (spec === 'memory') return new MemoryStore(maxSessions === undefined ? {} : { maxSessions });
  const sqlite = /^sqlite(\+exclusive)?:(.*)$/s.exec(spec);
  if (sqlite) {
    const [, exclusive, path] = sqlite;
    const form = `sqlite${exclusive ?? ''}:`;
    if (!path) throw new CliError(`--store ${form} needs a path, e.g. --store ${form}var/sessions.db`, 2);
    return new SqliteStore({ path: resolve(path), exclusive: exclusive !== undefined });
  }
  const cluster = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?]+)\/?(\?.*)?$/.exec(spec);
  if (cluster) {
    const [, scheme, auth, hosts, query] = cluster;
    const durability = durabilityOf(query, spec);
    const rootNodes = hosts!.split(',').map((host) => {
      if (!/^[^:,\s]+:\d+$/.test(host)) throw new CliError(`--store ${scheme}+cluster:// needs HOST:PORT,HOST:PORT…, but '${host}' is no HOST:PORT.`, 2);
      return { url: `${scheme}://${auth ? `${auth}@` : ''}${host}` };
    });
    return new RedisStore({ cluster: { rootNodes }, ...durability });
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const at = spec.indexOf('?');
    const durability = durabilityOf(at < 0 ? undefined : spec.slice(at), spec);
    return new RedisStore({ url: at < 0 ? spec : spec.slice(0, at), ...durability });
  }
  throw new CliError(`--store must be ${FORMS}, not '${spec}'.`, 2);
}

/** A store that could not open, said in one line: its message names the store again, so said once here. */
export function unusableStore(spec: string, store: SessionStore, error: unknown): CliError {
  const message = (error instanceof Error ? error.message : String(error)).replace(`Session store '${store.name}' `, '');
  return new CliError(`--store ${spec} is not usable: ${message}`, 2);
}

/** The `durability` option a spec's query names (`?durability=replicated`), if any. */
function durabilityOf(query: string | undefined, spec: string): { durability?: RedisDurability } {
  if (query === undefined || query === '?') return {};
  const params = new URLSearchParams(query.slice(1));
  const value = params.get('durability');
  const unknown = [...params.keys()].filter((k) => k !== 'durability');
  if (unknown.length > 0 || (value !== 'primary' && value !== 'replicated')) {
    throw new CliError(`--store '${spec.replace(/\/\/[^@/]*@/, '//***@')}': the only query a Redis spec takes is ?durability=primary or ?durability=replicated.`, 2);
  }
  return { durability: value };
}
