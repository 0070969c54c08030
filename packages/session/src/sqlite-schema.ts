/**
 * The SQLite layout of `SqliteStore`: its tables, the schema version kept beside them, the
 * migration from the layout before versions, and the prepared statements.
 *
 * Version 4 (this one): `<t>` (id, payload, version, expires, lock_owner, lock_until,
 * turn_owner, turn_until) with an index on `expires`, `<t>_wants` (owner, id, at) and `<t>_meta`
 * (key, value) holding `schema = 4`. The lease lives in the session's own row, so taking it and
 * reading the row is one `UPDATE … RETURNING`, and writing and releasing is one `UPDATE` (two
 * when the expiry moved: see `ExpiryWrite`); the next turn of a process that found the lease busy
 * (see `SessionStore.acquire`) lives there too.
 * `<t>_wants` holds the leases others found busy, until their holder asks (`SessionStore.wanted`);
 * the sweep drops what a holder that died never asked for.
 *
 * Version 3: no wants table; opening such a file adds it. Version 2: no turn columns either;
 * opening such a file adds them. Version 1 (before versions were
 * kept): no lease columns either, and a `<t>_locks` table, which is dropped (its locks lapse
 * anyway). Each migration runs in one IMMEDIATE transaction, so processes starting together
 * migrate once.
 */
import { SessionStoreConfigError } from './errors.js';
import type { ExpiredEntry } from './store.js';
import type BetterSqlite3 from 'better-sqlite3';

type Db = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[], unknown>;

/** The schema version this code writes. */
export const SQLITE_SCHEMA = 4;

/**
 * A compare-and-set of a row in two forms, taking the same arguments: `moved` sets `expires`
 * (the argument after those of the `SET`); `kept` leaves it out and matches only a row that has
 * that expiry already. SQLite rewrites the index entry of every indexed column a statement sets,
 * even to the value it had, and the manager moves a session's expiry once per `resolution`: most
 * writes leave it as it was, and run `kept` alone (about a fifth cheaper); `moved` runs when
 * `kept` changed nothing.
 */
export interface ExpiryWrite {
  readonly kept: Stmt;
  readonly moved: Stmt;
}

/** The prepared statements of one table. */
export interface SqliteStatements {
  readonly get: Stmt;
  readonly lease: Stmt;
  readonly insert: Stmt;
  readonly update: ExpiryWrite;
  readonly acquire: Stmt;
  readonly wait: Stmt;
  readonly want: Stmt;
  readonly wanted: Stmt;
  readonly unwant: Stmt;
  readonly commit: ExpiryWrite;
  readonly commitKeep: ExpiryWrite;
  readonly release: Stmt;
  readonly releaseTouch: Stmt;
  readonly touch: Stmt;
  readonly delete: Stmt;
  readonly count: Stmt;
  readonly list: Stmt;
  readonly sweepTx: (now: number, limit: number) => ExpiredEntry[];
  readonly renewTx: (ids: readonly string[], owner: string, now: number, leaseMs: number) => string[];
}

/**
 * Creates the tables, or migrates an older layout, and prepares the statements.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the file was written by a
 *   newer version, or holds a table of that name that is not a session table.
 */
export function prepareSqlite(db: Db, t: string, storeName: string): SqliteStatements {
  db.transaction(() => migrate(db, t, storeName)).immediate();
  return statements(db, t);
}

function columns(db: Db, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);
}

function migrate(db: Db, t: string, storeName: string): void {
  const meta = `${t}_meta`;
  const existing = columns(db, t);
  let version = 0;
  if (columns(db, meta).length > 0) {
    const row = db.prepare(`SELECT value FROM "${meta}" WHERE key = 'schema'`).get() as { value: string } | undefined;
    version = row ? Number(row.value) : 0;
  } else if (existing.length > 0) version = 1;
  if (version === SQLITE_SCHEMA) return;
  if (version > SQLITE_SCHEMA || !Number.isInteger(version)) {
    throw new SessionStoreConfigError(
      'SqliteStore',
      `${storeName} has schema version ${String(version)}, written by a newer dovetail (this one reads version ${SQLITE_SCHEMA})`,
      'Run the newer dovetail on it, or point the store at another file.',
    );
  }
  if (version === 1) {
    const expected = ['id', 'payload', 'version', 'expires'];
    if (expected.some((c) => !existing.includes(c))) {
      throw new SessionStoreConfigError(
        'SqliteStore',
        `${storeName} has a table "${t}" that is not a session table (its columns: ${existing.join(', ')})`,
        "Choose another table name with the option 'table', or another file.",
      );
    }
    db.exec(
      `ALTER TABLE "${t}" ADD COLUMN lock_owner TEXT;
       ALTER TABLE "${t}" ADD COLUMN lock_until INTEGER NOT NULL DEFAULT 0;
       DROP TABLE IF EXISTS "${t}_locks";`,
    );
  }
  if (version === 1 || version === 2) {
    db.exec(
      `ALTER TABLE "${t}" ADD COLUMN turn_owner TEXT;
       ALTER TABLE "${t}" ADD COLUMN turn_until INTEGER NOT NULL DEFAULT 0;`,
    );
  }
  db.exec(
    `CREATE TABLE IF NOT EXISTS "${t}" (id TEXT PRIMARY KEY, payload TEXT NOT NULL, version INTEGER NOT NULL,
       expires INTEGER NOT NULL, lock_owner TEXT, lock_until INTEGER NOT NULL DEFAULT 0,
       turn_owner TEXT, turn_until INTEGER NOT NULL DEFAULT 0);
     CREATE INDEX IF NOT EXISTS "${t}_expires" ON "${t}" (expires);
     CREATE TABLE IF NOT EXISTS "${t}_wants" (owner TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (owner, id)) WITHOUT ROWID;
     CREATE TABLE IF NOT EXISTS "${meta}" (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  );
  db.prepare(`INSERT INTO "${meta}" (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(SQLITE_SCHEMA));
}

function statements(db: Db, t: string): SqliteStatements {
  const sweep = db.prepare(`SELECT id, payload FROM "${t}" WHERE expires <= ? ORDER BY expires LIMIT ?`);
  const del = db.prepare(`DELETE FROM "${t}" WHERE id = ?`);
  // A want no holder asked for within a minute: its holder is gone (a live one asks every few ms).
  const staleWants = db.prepare(`DELETE FROM "${t}_wants" WHERE at <= ?`);
  const sweepTx = db.transaction((now: number, limit: number): ExpiredEntry[] => {
    const rows = sweep.all(now, limit) as ExpiredEntry[];
    for (const r of rows) del.run(r.id);
    staleWants.run(now - 60_000);
    return rows;
  });
  // Free, lapsed, or (a lapsed lease not taken over) still ours: the lease is kept or taken.
  const renew = db.prepare(`UPDATE "${t}" SET lock_owner = ?, lock_until = ? WHERE id = ? AND lock_owner = ? AND lock_until > ? RETURNING 1`);
  const renewTx = db.transaction((ids: readonly string[], owner: string, now: number, leaseMs: number): string[] => {
    const lost: string[] = [];
    for (const id of ids) if (renew.get(owner, now + leaseMs, id, owner, now) === undefined) lost.push(id);
    return lost;
  });
  return {
    get: db.prepare(`SELECT payload, version, expires FROM "${t}" WHERE id = ?`),
    lease: db.prepare(`SELECT lock_owner, lock_until FROM "${t}" WHERE id = ? AND expires > ?`),
    // Expected version 0: insert, or replace a row that has expired (by the store's clock).
    insert: db.prepare(
      `INSERT INTO "${t}" (id, payload, version, expires) VALUES (?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, version = 1, expires = excluded.expires, lock_owner = NULL, lock_until = 0,
         turn_owner = NULL, turn_until = 0
       WHERE "${t}".expires <= ?`,
    ),
    update: expiryWrite(db, t, 'payload = ?, version = version + 1', 'id = ? AND version = ?'),
    // Lock-and-load: the lease is taken only when it is free or lapsed (a held lease, ours too, is
    // busy) and no other owner has the next turn; taking it ends the turn.
    acquire: db.prepare(
      `UPDATE "${t}" SET lock_owner = ?, lock_until = ?, turn_owner = NULL, turn_until = 0
       WHERE id = ? AND expires > ? AND lock_until <= ? AND (turn_until <= ? OR turn_owner = ?)
       RETURNING payload, version, expires`,
    ),
    // A busy acquire: the next turn is the caller's, unless another owner's turn is still running.
    wait: db.prepare(`UPDATE "${t}" SET turn_owner = ?, turn_until = ? WHERE id = ? AND expires > ? AND (turn_until <= ? OR turn_owner = ?) RETURNING lock_owner, lock_until`),
    // Release on demand: the holder of a busy lease is told (see SessionStore.wanted).
    want: db.prepare(`INSERT INTO "${t}_wants" (owner, id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
    wanted: db.prepare(`SELECT 1 FROM "${t}_wants" WHERE owner = ? LIMIT 1`),
    unwant: db.prepare(`DELETE FROM "${t}_wants" WHERE owner = ? RETURNING id`),
    // Write-and-release: the version matches and no other owner holds a live lease.
    commit: expiryWrite(db, t, 'payload = ?, version = version + 1, lock_owner = NULL, lock_until = 0', LEASE_HOLDER_WRITES),
    // Write-and-keep (lock handoff): the same checks; the lease stays ours (taken again if it lapsed).
    commitKeep: expiryWrite(db, t, 'payload = ?, version = version + 1, lock_owner = ?, lock_until = ?', LEASE_HOLDER_WRITES),
    release: db.prepare(`UPDATE "${t}" SET lock_owner = NULL, lock_until = 0 WHERE id = ? AND lock_owner = ?`),
    releaseTouch: db.prepare(
      `UPDATE "${t}" SET expires = ?,
         lock_until = CASE WHEN lock_owner = ? THEN 0 ELSE lock_until END,
         lock_owner = CASE WHEN lock_owner = ? THEN NULL ELSE lock_owner END
       WHERE id = ?`,
    ),
    touch: db.prepare(`UPDATE "${t}" SET expires = ? WHERE id = ?`),
    // The holder of a live lease on a deleted session is told, as for a busy acquire.
    delete: db.prepare(`DELETE FROM "${t}" WHERE id = ? RETURNING lock_owner, lock_until`),
    count: db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`),
    list: db.prepare(`SELECT id, version, expires FROM "${t}" WHERE id > ? ORDER BY id LIMIT ?`),
    sweepTx: (now, limit) => sweepTx.immediate(now, limit),
    renewTx: (ids, owner, now, leaseMs) => renewTx.immediate(ids, owner, now, leaseMs),
  };
}

/** Which row a lease holder's compare-and-set writes: its id at the expected version, no other owner's lease live (arguments: id, version, owner, now). */
const LEASE_HOLDER_WRITES = 'id = ? AND version = ? AND (lock_owner IS ? OR lock_until <= ?)';

/** The two forms of a write that sets `set`, then `expires`, where `where` (see {@link ExpiryWrite}). */
function expiryWrite(db: Db, t: string, set: string, where: string): ExpiryWrite {
  return {
    kept: db.prepare(`UPDATE "${t}" SET ${set} WHERE expires = ? AND ${where}`),
    moved: db.prepare(`UPDATE "${t}" SET ${set}, expires = ? WHERE ${where}`),
  };
}
