/**
 * Opening a `SqliteStore`'s connection: the driver (loaded on first use), the file and its
 * directory, the connection's settings, and what to say when any of it fails.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import type BetterSqlite3 from 'better-sqlite3';

/** How long opening waits for other processes opening (or migrating) the same file. */
const OPEN_BUSY_MS = 10_000;

/** An open connection, the file it is on (absolute, so that another thread finds the same one), and what `prepare` made. */
export interface SqliteConnection<T> {
  readonly db: BetterSqlite3.Database;
  readonly file: string;
  readonly prepared: T;
}

/** What {@link openSqlite} opens, and how. */
export interface OpenSqliteOptions<T> {
  /** The file as the application gave it, or `':memory:'`. */
  readonly path: string;
  /** The store's name, for errors. */
  readonly store: string;
  /** Keep the file to this process (`locking_mode = EXCLUSIVE`). */
  readonly exclusive: boolean;
  /** Runs before SQLite stops waiting for other processes: schema creation or migration may have to. */
  readonly prepare: (db: BetterSqlite3.Database) => T;
  /** True once the store was closed, which stops an opening still loading the driver. */
  readonly closed: () => boolean;
}

/**
 * Loads better-sqlite3, creates the file's directory and opens the file in WAL mode with
 * `synchronous = NORMAL`. A connection that fails to be set up is closed.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when better-sqlite3 is not installed.
 * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the file cannot be opened.
 */
export async function openSqlite<T>({ path, store, exclusive, prepare, closed }: OpenSqliteOptions<T>): Promise<SqliteConnection<T>> {
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import('better-sqlite3')).default;
  } catch (e) {
    throw new SessionStoreConfigError(
      'SqliteStore',
      'the optional dependency better-sqlite3 could not be loaded',
      'Run `npm install better-sqlite3`, or choose another store.',
      { cause: e },
    );
  }
  if (closed()) throw new SessionStoreError(store, 'open the database', 'the store was closed while opening');
  // Resolved now: the working directory may change later, and the checkpointer opens this file too.
  const file = path === ':memory:' ? path : resolve(path);
  let db: BetterSqlite3.Database | undefined;
  let prepared: T;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    // Opening (WAL switch, schema creation or migration) may wait for other processes doing
    // the same at start-up; after that SQLite never waits (the group commit retries instead,
    // without stopping the event loop, for at most busyTimeoutMs).
    db = new Database(file, { timeout: OPEN_BUSY_MS });
    // Before the first access, so that SQLite keeps the WAL index in this process's memory.
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    prepared = prepare(db);
    db.pragma('busy_timeout = 0');
  } catch (e) {
    db?.close();
    if (e instanceof SessionStoreConfigError) throw e;
    const hint = !isBusy(e)
      ? 'Check that the path is a writable file in a writable directory.'
      : exclusive
        ? 'An exclusive SqliteStore must be the only process on its file: stop the others (servers, the `dovetail sessions` command, an sqlite3 shell), or open every one without `exclusive`.'
        : 'Another process holds it, most likely a SqliteStore opened with `exclusive: true`, which keeps its file to itself: stop that process, or open every one without `exclusive`.';
    throw new SessionStoreError(store, 'open the database', undefined, hint, { cause: e });
  }
  return { db, file, prepared };
}

/** SQLITE_BUSY: another connection holds the write lock. */
export function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
