/**
 * `SqliteStore`: sessions in an SQLite file, through better-sqlite3 (an optional peer dependency).
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import type { ExpiredEntry, SessionStore, StoredEntry } from './store.js';
import type BetterSqlite3 from 'better-sqlite3';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, created with its parent directories when missing. `':memory:'` for a private in-memory database (tests). */
  readonly path: string;
  /**
   * The sessions table; the locks table is `<table>_locks`. Letters, digits and `_` only.
   * @default 'dovetail_sessions'
   */
  readonly table?: string;
  /**
   * How long a write waits for another process's write to finish before failing with
   * `SessionStoreError` (SQLite `busy_timeout`). better-sqlite3 is synchronous: the event loop
   * waits too, so keep it short.
   * @default 2000
   */
  readonly busyTimeoutMs?: number;
  /**
   * The clock `set` (expected version 0 over an expired entry) and `lock` use.
   * @default Date.now
   */
  readonly clock?: () => number;
}

type Db = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[], unknown>;

interface Statements {
  readonly get: Stmt;
  readonly insert: Stmt;
  readonly update: Stmt;
  readonly touch: Stmt;
  readonly delete: Stmt;
  readonly sweep: Stmt;
  readonly sweepLocks: Stmt;
  readonly lock: Stmt;
  readonly unlock: Stmt;
  readonly sweepTx: (now: number, limit: number) => ExpiredEntry[];
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Sessions in an SQLite file: embedded and durable (a restart keeps every committed session), and
 * shared safely by several processes on one machine using the same file (WAL mode, compare-and-set
 * writes, a locks table, sweeps that claim each expired row exactly once).
 *
 * better-sqlite3 is loaded on first use with a dynamic import, so the constructor returns at once
 * and the first call opens the database; after that every method answers synchronously (no
 * promise) — better-sqlite3 is synchronous. Call {@link SqliteStore.open} (or `ready()`) to open
 * eagerly and see configuration errors at startup.
 *
 * Durability: `synchronous = NORMAL` in WAL mode: a committed session survives the process being
 * killed; the last commits before a power loss may be lost.
 *
 * @example
 * ```ts
 * const sessions = new Sessions({ store: new SqliteStore({ path: 'var/sessions.db' }) });
 * // or, failing fast at startup when better-sqlite3 is missing or the file cannot be opened:
 * const store = await SqliteStore.open({ path: 'var/sessions.db' });
 * ```
 */
@implementer(ISessionDataContainer)
export class SqliteStore implements SessionStore {
  readonly name: string;
  readonly inProcess = false;
  readonly #path: string;
  readonly #table: string;
  readonly #busyTimeoutMs: number;
  readonly #clock: () => number;
  #db: Db | undefined = undefined;
  #st: Statements | undefined = undefined;
  #opening: Promise<Statements> | undefined = undefined;
  #closed = false;

  /**
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when `path` is missing or empty,
   *   or `table` is not a plain identifier.
   */
  constructor(options: SqliteStoreOptions) {
    const path = (options as Partial<SqliteStoreOptions> | undefined)?.path;
    if (typeof path !== 'string' || path === '') {
      throw new SessionStoreConfigError(
        'SqliteStore',
        `the option 'path' must be a file path, but was ${path === '' ? 'an empty string' : typeof path}`,
        "Pass new SqliteStore({ path: 'var/sessions.db' }).",
      );
    }
    const table = options.table ?? 'dovetail_sessions';
    if (!TABLE_NAME.test(table)) {
      throw new SessionStoreConfigError(
        'SqliteStore',
        `the option 'table' must be letters, digits and '_', but was ${JSON.stringify(table)}`,
        "Pass a plain name such as { table: 'sessions' }.",
      );
    }
    const busy = options.busyTimeoutMs ?? 2000;
    if (!Number.isInteger(busy) || busy < 0) {
      throw new SessionStoreConfigError('SqliteStore', `busyTimeoutMs must be a non-negative integer, but was ${busy}`, 'Pass for example { busyTimeoutMs: 2000 }.');
    }
    this.#path = path;
    this.#table = table;
    this.#busyTimeoutMs = busy;
    this.#clock = options.clock ?? Date.now;
    this.name = `sqlite:${path}`;
  }

  /**
   * Creates a store and opens its database.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when better-sqlite3 is not installed.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the file cannot be opened.
   * @example
   * ```ts
   * const store = await SqliteStore.open({ path: 'var/sessions.db' });
   * ```
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const store = new SqliteStore(options);
    await store.ready();
    return store;
  }

  /**
   * Opens the database now instead of on first use.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when better-sqlite3 is not installed.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the file cannot be opened.
   */
  async ready(): Promise<void> {
    await this.#statements();
  }

  /** See {@link SessionStore.get}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  get(id: string, now: number): StoredEntry | undefined | Promise<StoredEntry | undefined> {
    return this.#run('get', (st) => {
      const row = st.get.get(id) as StoredEntry | undefined;
      return row !== undefined && row.expires > now ? row : undefined;
    });
  }

  /** See {@link SessionStore.set}: one statement, so the compare and the write are atomic. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  set(id: string, payload: string, expires: number, expectedVersion: number): number | undefined | Promise<number | undefined> {
    return this.#run('set', (st) => {
      const row =
        expectedVersion === 0
          ? (st.insert.get(id, payload, expires, this.#clock()) as { version: number } | undefined)
          : (st.update.get(payload, expires, id, expectedVersion) as { version: number } | undefined);
      return row?.version;
    });
  }

  /** See {@link SessionStore.touch}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  touch(id: string, expires: number): void | Promise<void> {
    return this.#run('touch', (st) => {
      st.touch.run(expires, id);
    });
  }

  /** See {@link SessionStore.delete}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  delete(id: string): boolean | Promise<boolean> {
    return this.#run('delete', (st) => st.delete.run(id).changes > 0);
  }

  /**
   * Claims up to `limit` expired rows in one IMMEDIATE transaction (select and delete), so with
   * several processes on one file each row is claimed exactly once; uses the index on `expires`.
   * Also drops lapsed locks.
   *
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  sweep(now: number, limit: number): ExpiredEntry[] | Promise<ExpiredEntry[]> {
    return this.#run('sweep', (st) => st.sweepTx(now, limit));
  }

  /**
   * Takes the lock on `id` for `owner` when it is free or has lapsed, atomically (one upsert).
   * Not re-entrant: a second `lock` by the same owner is refused too.
   *
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  lock(id: string, owner: string, ttlMs: number): boolean | Promise<boolean> {
    return this.#run('lock', (st) => {
      const now = this.#clock();
      return st.lock.get(id, owner, now + ttlMs, now) !== undefined;
    });
  }

  /** Releases `owner`'s lock on `id`; someone else's is left alone. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  unlock(id: string, owner: string): void | Promise<void> {
    return this.#run('unlock', (st) => {
      st.unlock.run(id, owner);
    });
  }

  /** Closes the database. Idempotent; later calls throw `SessionStoreError`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opening = this.#opening;
    if (opening !== undefined && this.#db === undefined) await opening.catch(() => undefined);
    this.#db?.close();
    this.#db = undefined;
    this.#st = undefined;
  }

  /** Runs `fn` synchronously once open; before that, after opening. Wraps backend errors. */
  #run<T>(operation: string, fn: (st: Statements) => T): T | Promise<T> {
    const st = this.#st;
    if (st !== undefined) return this.#call(operation, fn, st);
    return this.#statements().then((s) => this.#call(operation, fn, s));
  }

  #call<T>(operation: string, fn: (st: Statements) => T, st: Statements): T {
    try {
      return fn(st);
    } catch (e) {
      throw new SessionStoreError(this.name, operation, undefined, undefined, { cause: e });
    }
  }

  #statements(): Promise<Statements> {
    if (this.#closed) return Promise.reject(new SessionStoreError(this.name, 'run a query', 'the store is closed', 'Create a new SqliteStore.'));
    if (this.#st !== undefined) return Promise.resolve(this.#st);
    // Keep one attempt in flight; a failed attempt is forgotten so a later call retries.
    this.#opening ??= this.#open().catch((e: unknown) => {
      this.#opening = undefined;
      throw e;
    });
    return this.#opening;
  }

  async #open(): Promise<Statements> {
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
    if (this.#closed) throw new SessionStoreError(this.name, 'open the database', 'the store was closed while opening');
    let db: Db;
    try {
      if (this.#path !== ':memory:') mkdirSync(dirname(resolve(this.#path)), { recursive: true });
      db = new Database(this.#path, { timeout: this.#busyTimeoutMs });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
      this.#st = prepare(db, this.#table);
    } catch (e) {
      throw new SessionStoreError(
        this.name,
        'open the database',
        undefined,
        'Check that the path is a writable file in a writable directory.',
        { cause: e },
      );
    }
    this.#db = db;
    return this.#st;
  }
}

function prepare(db: Db, t: string): Statements {
  const locks = `${t}_locks`;
  db.exec(
    `CREATE TABLE IF NOT EXISTS "${t}" (id TEXT PRIMARY KEY, payload TEXT NOT NULL, version INTEGER NOT NULL, expires INTEGER NOT NULL);
     CREATE INDEX IF NOT EXISTS "${t}_expires" ON "${t}" (expires);
     CREATE TABLE IF NOT EXISTS "${locks}" (id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires INTEGER NOT NULL);
     CREATE INDEX IF NOT EXISTS "${locks}_expires" ON "${locks}" (expires);`,
  );
  const sweep = db.prepare(`SELECT id, payload FROM "${t}" WHERE expires <= ? ORDER BY expires LIMIT ?`);
  const del = db.prepare(`DELETE FROM "${t}" WHERE id = ?`);
  const sweepLocks = db.prepare(`DELETE FROM "${locks}" WHERE expires <= ?`);
  const sweepTx = db.transaction((now: number, limit: number): ExpiredEntry[] => {
    const rows = sweep.all(now, limit) as ExpiredEntry[];
    for (const r of rows) del.run(r.id);
    sweepLocks.run(now);
    return rows;
  });
  return {
    get: db.prepare(`SELECT payload, version, expires FROM "${t}" WHERE id = ?`),
    // Expected version 0: insert, or replace a row that has expired (by the store's clock).
    insert: db.prepare(
      `INSERT INTO "${t}" (id, payload, version, expires) VALUES (?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, version = 1, expires = excluded.expires
       WHERE "${t}".expires <= ?
       RETURNING version`,
    ),
    update: db.prepare(
      `UPDATE "${t}" SET payload = ?, version = version + 1, expires = ? WHERE id = ? AND version = ? RETURNING version`,
    ),
    touch: db.prepare(`UPDATE "${t}" SET expires = ? WHERE id = ?`),
    delete: del,
    sweep,
    sweepLocks,
    lock: db.prepare(
      `INSERT INTO "${locks}" (id, owner, expires) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
       WHERE "${locks}".expires <= ?
       RETURNING owner`,
    ),
    unlock: db.prepare(`DELETE FROM "${locks}" WHERE id = ? AND owner = ?`),
    sweepTx: (now, limit) => sweepTx.immediate(now, limit),
  };
}
