/**
 * The options of `SqliteStore`: the file, the table, how long a write waits for another
 * process's, the clock, where the kept secret lives, and whether one process keeps the file.
 *
 * @module
 */

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, created with its parent directories when missing. `':memory:'` for a private in-memory database (tests). */
  readonly path: string;
  /**
   * The sessions table; its schema version is kept in `<table>_meta`. Letters, digits and `_` only.
   * @default 'dovetail_sessions'
   */
  readonly table?: string;
  /**
   * How long a write waits for another process's write to finish before failing with
   * `SessionStoreError` (`acquire` then answers that the session is busy, and the manager retries
   * it). The wait does not stop the event loop: a write that finds the database held is tried
   * again at the next turns, with the writes made meanwhile. Keep it well below the manager's
   * lock lease (a stalled process cannot renew its leases).
   * @default 100
   */
  readonly busyTimeoutMs?: number;
  /**
   * The clock `set` (expected version 0 over an expired entry) and leases use.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * Where {@link SqliteStore.keptSecret} keeps the cookie-signing secret when the application
   * gives none. @default `.dovetail-secret` in the database's directory
   */
  readonly secretFile?: string;
  /**
   * This process keeps the database to itself (SQLite's `locking_mode = EXCLUSIVE`): its leases
   * live in this process's memory instead of the session's row, so taking one is a read, not a
   * write — on many live sessions about 20% more requests per second, since every page a write
   * touches goes to the WAL whole. While it is open, no other process can open the file (nor the
   * `dovetail sessions` command, nor the `sqlite3` shell), and it cannot open a file another process
   * has open: either fails with `SessionStoreError` after 10 s. Not for several processes or
   * `--workers`, which share the file through the leases in its rows.
   * @default false
   */
  readonly exclusive?: boolean;
}
