/**
 * `SqliteStore`: sessions in an SQLite file, through better-sqlite3 (an optional peer dependency).
 *
 * @module
 */
import { dirname, join, resolve } from 'node:path';
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import { LeaseTable, commitWithLeases } from './leases.js';
import { then } from './maybe-sync.js';
import { keptSecretFile } from './secret-file.js';
import { Checkpoints } from './sqlite-checkpointer.js';
import { isBusy, openSqlite } from './sqlite-connection.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { prepareSqlite } from './sqlite-schema.js';
import { WAIT_TURN_MS } from './store.js';
import type { SqliteStoreOptions } from './sqlite-options.js';
import type { ExpiryWrite, SqliteStatements } from './sqlite-schema.js';
import type { Acquired, ExpiredEntry, ListPage, SessionStore, StoredEntry } from './store.js';
import type BetterSqlite3 from 'better-sqlite3';

const BUSY: Acquired = { state: 'busy' };
const ABSENT: Acquired = { state: 'absent' };

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The version a compare-and-set wrote: one row changed means the expected version matched (or the
 * expired row was replaced, for an insert). Counting changes instead of `RETURNING version` spares
 * SQLite the result table of a `RETURNING`, about a fifth of the statement's cost.
 */
function written(changes: number, expectedVersion: number): number | undefined {
  return changes === 1 ? expectedVersion + 1 : undefined;
}

/**
 * Runs a compare-and-set in the form that leaves the expiry as the row has it, or, when that
 * changed nothing (the expiry moved, or the compare failed), in the form that sets it. Each form
 * is atomic by itself. Returns the rows changed.
 */
function compareAndSet(write: ExpiryWrite, ...args: unknown[]): number {
  return write.kept.run(...args).changes || write.moved.run(...args).changes;
}

/** A row's lease columns (none are set while the leases are in memory: an exclusive store). */
type RowLease = { lock_owner: string | null; lock_until: number };

/** Release on demand: the holder of a live lease on `id`, when it is not `owner`, is told that it is wanted (see `SessionStore#wanted`). */
function tellHolder(st: SqliteStatements, id: string, lease: RowLease, owner: string | undefined, t: number): void {
  if (lease.lock_owner !== null && lease.lock_owner !== owner && lease.lock_until > t) st.want.run(lease.lock_owner, id, t);
}

/**
 * Sessions in an SQLite file: embedded and durable (a restart keeps every committed session), and
 * shared safely by several processes on one machine using the same file (WAL mode, compare-and-set
 * writes, leases kept in the session's own row, sweeps that claim each expired row exactly once) —
 * or, with `exclusive: true`, kept by one process, its leases in memory.
 *
 * Each request costs two statements: `acquire` is one `UPDATE … RETURNING` that takes the lease
 * only when it is free or lapsed and returns the row; `commit` is one `UPDATE` that compares the
 * version, writes and clears the lease (`release` only clears it, for a request that changed
 * nothing). A write whose expiry did not move leaves `expires` out of its `UPDATE`, so SQLite
 * does not rewrite the row's entry in the expiry index (a second `UPDATE` sets it when it moved).
 * A database written by an older layout is migrated when the store opens.
 *
 * Group commit: the first write of a turn of the event loop runs at once; the writes made later
 * in the same turn (other requests' leases and commits) run together in one transaction at the
 * end of the turn, and each is acknowledged only once that transaction is committed. Most of an
 * autocommit write's cost is its transaction, so a busy process pays it about once per turn. In
 * the turn after one that wrote twice or more (requests arriving together), the first write
 * joins the group as well, so a busy process pays it once per turn exactly.
 *
 * better-sqlite3 is loaded on first use with a dynamic import, so the constructor returns at once
 * and the first call opens the database; after that a method answers synchronously (no promise)
 * unless its write joins the turn's group — better-sqlite3 is synchronous. Call {@link SqliteStore.open} (or `ready()`) to open
 * eagerly and see configuration errors at startup.
 *
 * Checkpoints: once a store on a file has made 1,000 writes, a worker thread with a connection
 * of its own copies the WAL into the file as it grows, and the checkpoint SQLite runs inside a
 * commit (stopping the event loop for its `fsync`s) comes only when the WAL reaches 64 MB (16 MB
 * without the thread), and finds little left to do. After a second without writes the thread
 * empties the WAL, so a server gone quiet does not keep what a busy spell grew. The thread ends
 * with {@link SqliteStore.close}. Not for an exclusive file.
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
  readonly #secretFile: string | undefined;
  #db: BetterSqlite3.Database | undefined = undefined;
  #st: SqliteStatements | undefined = undefined;
  #group: GroupCommit<SqliteStatements> | undefined = undefined;
  #opening: Promise<SqliteStatements> | undefined = undefined;
  #closed = false;
  #checkpoints: Checkpoints | undefined = undefined;
  /** Exclusive: the leases, here rather than in the rows (no other process can look). */
  readonly #leases: LeaseTable | undefined;

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
    const busy = options.busyTimeoutMs ?? 100;
    if (!Number.isInteger(busy) || busy < 0) {
      throw new SessionStoreConfigError('SqliteStore', `busyTimeoutMs must be a non-negative integer, but was ${busy}`, 'Pass for example { busyTimeoutMs: 100 }.');
    }
    this.#path = path;
    this.#table = table;
    this.#busyTimeoutMs = busy;
    this.#clock = options.clock ?? Date.now;
    this.#secretFile = options.secretFile ?? (path === ':memory:' ? undefined : join(dirname(resolve(path)), '.dovetail-secret'));
    this.#leases = options.exclusive === true ? new LeaseTable(this.#clock) : undefined;
    this.name = `${this.#leases !== undefined ? 'sqlite+exclusive' : 'sqlite'}:${path}`;
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
    return this.#read('get', (st) => {
      const row = st.get.get(id) as StoredEntry | undefined;
      return row !== undefined && row.expires > now ? row : undefined;
    });
  }

  /** See {@link SessionStore.set}: the compare and the write are one statement, so atomic. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  set(id: string, payload: string, expires: number, expectedVersion: number): number | undefined | Promise<number | undefined> {
    return this.#write('set', (st) => {
      const changes = expectedVersion === 0 ? st.insert.run(id, payload, expires, this.#clock()).changes : compareAndSet(st.update, payload, expires, id, expectedVersion);
      return written(changes, expectedVersion);
    });
  }

  /** See {@link SessionStore.touch}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  touch(id: string, expires: number): void | Promise<void> {
    return this.#write('touch', (st) => {
      st.touch.run(expires, id);
    });
  }

  /** See {@link SessionStore.delete}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  delete(id: string, owner?: string): boolean | Promise<boolean> {
    this.#leases?.deleted(id, owner);
    return this.#write('delete', (st) => {
      const lease = st.delete.get(id) as RowLease | undefined;
      if (lease !== undefined) tellHolder(st, id, lease, owner, this.#clock());
      return lease !== undefined;
    });
  }

  /**
   * Claims up to `limit` expired rows in one IMMEDIATE transaction (select and delete), so with
   * several processes on one file each row is claimed exactly once; uses the index on `expires`.
   *
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  sweep(now: number, limit: number): ExpiredEntry[] | Promise<ExpiredEntry[]> {
    return this.#write('sweep', (st) => {
      const claimed = st.sweepTx(now, limit);
      if (this.#leases !== undefined) for (const { id } of claimed) this.#leases.release(id);
      return claimed;
    });
  }

  /**
   * The cookie-signing secret kept in a file beside the database (`secretFile`), created once
   * with an exclusive create, so processes starting together agree on it. `undefined` for an
   * in-memory database.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the file holds an empty or
   *   short secret.
   */
  keptSecret(): Promise<string | undefined> {
    try {
      return Promise.resolve(this.#secretFile === undefined ? undefined : keptSecretFile(this.#secretFile));
    } catch (e) {
      return Promise.reject(e instanceof SessionStoreConfigError ? e : new SessionStoreError(this.name, 'read the secret file', undefined, `Check that ${this.#secretFile} can be read and written.`, { cause: e }));
    }
  }

  /** Lock-and-load in one `UPDATE … RETURNING`; see {@link SessionStore.acquire}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  acquire(id: string, owner: string, leaseMs: number, now: number): Acquired | Promise<Acquired> {
    const leases = this.#leases;
    if (leases !== undefined) return then(this.get(id, now), (entry) => leases.acquire(entry, id, owner, leaseMs));
    return this.#write(
      'acquire',
      (st) => {
        const t = this.#clock();
        const row = st.acquire.get(owner, t + leaseMs, id, now, t, t, owner) as StoredEntry | undefined;
        if (row !== undefined) return { state: 'held', entry: row };
        const lease = (st.wait.get(owner, t + WAIT_TURN_MS, id, now, t, owner) ?? st.lease.get(id, now)) as RowLease | undefined;
        if (lease === undefined) return ABSENT;
        tellHolder(st, id, lease, owner, t);
        return BUSY;
      },
      BUSY,
    );
  }

  /** Write-and-release (or write-and-keep) in one `UPDATE` (two when the expiry moved); see {@link SessionStore.commit}. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  commit(id: string, owner: string, payload: string, expires: number, expectedVersion: number, keepMs?: number): number | undefined | Promise<number | undefined> {
    if (expectedVersion === 0) return this.set(id, payload, expires, 0);
    if (this.#leases !== undefined) return commitWithLeases(this, this.#leases, id, owner, payload, expires, expectedVersion, keepMs);
    return this.#write('commit', (st) => {
      const t = this.#clock();
      const changes = keepMs === undefined ? compareAndSet(st.commit, payload, expires, id, expectedVersion, owner, t) : compareAndSet(st.commitKeep, payload, owner, t + keepMs, expires, id, expectedVersion, owner, t);
      return written(changes, expectedVersion);
    });
  }

  /** Releases `owner`'s lease, moving the expiry when `expires` is given, in one statement. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  release(id: string, owner: string, expires?: number): void | Promise<void> {
    if (this.#leases !== undefined) {
      this.#leases.release(id, owner);
      if (expires !== undefined) return this.#write('release', (st) => void st.touch.run(expires, id));
      return;
    }
    return this.#write('release', (st) => {
      if (expires === undefined) st.release.run(id, owner);
      else st.releaseTouch.run(expires, owner, owner, id);
    });
  }

  /** See {@link SessionStore.renew}: one transaction for all `ids`. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  renew(ids: readonly string[], owner: string, leaseMs: number): string[] | Promise<string[]> {
    const leases = this.#leases;
    if (leases !== undefined) return this.#read('renew', (st) => leases.renew(ids, owner, leaseMs, (id) => st.get.get(id) !== undefined));
    return this.#write('renew', (st) => st.renewTx(ids, owner, this.#clock(), leaseMs));
  }

  /**
   * See {@link SessionStore.wanted}: a read, and a write only when there is something to take.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`).
   */
  wanted(owner: string): string[] | Promise<string[]> {
    const leases = this.#leases;
    if (leases !== undefined) return leases.wanted(owner);
    return then(this.#read('wanted', (st) => st.wanted.get(owner) !== undefined), (any) =>
      any ? this.#write('wanted', (st) => (st.unwant.all(owner) as { id: string }[]).map((r) => r.id), []) : [],
    );
  }

  /** How many rows the table keeps. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  count(): number | Promise<number> {
    return this.#read('count', (st) => (st.count.get() as { n: number }).n);
  }

  /** One page of rows in id order; the cursor is the last id listed. @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`). */
  list(cursor: string | undefined, limit: number): ListPage | Promise<ListPage> {
    return this.#read('list', (st) => {
      const entries = st.list.all(cursor ?? '', limit) as { id: string; version: number; expires: number }[];
      return { entries, cursor: entries.length < limit ? undefined : entries[entries.length - 1]!.id };
    });
  }

  /** Closes the database. Idempotent; later calls throw `SessionStoreError`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opening = this.#opening;
    if (opening !== undefined && this.#db === undefined) await opening.catch(() => undefined);
    await this.#group?.drain();
    await this.#checkpoints?.stop();
    this.#db?.close();
    this.#leases?.clear();
    this.#db = undefined;
    this.#st = undefined;
  }

  /** Runs a read once open: synchronously, or after the writes queued in this turn. */
  #read<T>(operation: string, fn: (st: SqliteStatements) => T): T | Promise<T> {
    if (this.#st !== undefined) return this.#group!.read(operation, fn);
    return this.#statements().then(() => this.#group!.read(operation, fn));
  }

  /** Runs a write once open: the turn's first at once (unless under load), the rest in the turn's group commit. */
  #write<T>(operation: string, fn: (st: SqliteStatements) => T, busy?: T): T | Promise<T> {
    this.#checkpoints?.wrote();
    if (this.#st !== undefined) return this.#group!.write(operation, fn, busy);
    return this.#statements().then(() => this.#group!.write(operation, fn, busy));
  }

  #statements(): Promise<SqliteStatements> {
    if (this.#closed) return Promise.reject(new SessionStoreError(this.name, 'run a query', 'the store is closed', 'Create a new SqliteStore.'));
    if (this.#st !== undefined) return Promise.resolve(this.#st);
    // Keep one attempt in flight; a failed attempt is forgotten so a later call retries.
    this.#opening ??= this.#open().catch((e: unknown) => {
      this.#opening = undefined;
      throw e;
    });
    return this.#opening;
  }

  async #open(): Promise<SqliteStatements> {
    const exclusive = this.#leases !== undefined;
    const { db, file, prepared } = await openSqlite({
      path: this.#path,
      store: this.name,
      exclusive,
      prepare: (connection) => prepareSqlite(connection, this.#table, this.name),
      closed: () => this.#closed,
    });
    this.#db = db;
    this.#st = prepared;
    this.#checkpoints = new Checkpoints(db, file, this.name, !exclusive && file !== ':memory:');
    this.#group = new GroupCommit(db, prepared, {
      busyTimeoutMs: this.#busyTimeoutMs,
      wrap: (operation, e) => new SessionStoreError(this.name, operation, undefined, undefined, { cause: e }),
      isBusy,
    });
    return prepared;
  }
}
