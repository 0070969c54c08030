/**
 * The contract between the `Sessions` manager and the places sessions are kept.
 *
 * A store keeps opaque entries: the manager hands it the session already encoded by the codec
 * (a string), so every store carries exactly the same data and no store needs to know what a
 * component or a namespace is. Stores differ only in where the string lives and in how they
 * make a write safe against a concurrent one.
 *
 * @module
 */

/** One entry as a store returns it. */
export interface StoredEntry {
  /** The encoded session, exactly as it was handed to {@link SessionStore.set}. */
  readonly payload: string;
  /** Bumped by every successful `set`; the compare-and-set key. The first version is 1. */
  readonly version: number;
  /** Epoch milliseconds after which the entry is dead: `get` no longer returns it and `sweep` claims it. */
  readonly expires: number;
}

/** An entry claimed by {@link SessionStore.sweep}: removed from the store, handed out exactly once. */
export interface ExpiredEntry {
  /** The id the entry was kept under. */
  readonly id: string;
  /** Its last committed payload, so that expiry handlers can read the session's last data. */
  readonly payload: string;
}

/**
 * How long an owner that found a lease busy keeps the next turn after its last try (ms): several
 * of the manager's retry intervals (at most 5 ms), so a waiter late to retry keeps its turn,
 * and short, so a waiter that gave up holds no one back for long.
 */
export const WAIT_TURN_MS = 100;

/** What {@link SessionStore.acquire} found. */
export type Acquired =
  /** The lease is now the caller's, and this is the entry it protects. */
  | {
      /** Which outcome this is. */
      readonly state: 'held';
      /** The entry now leased to the caller. */
      readonly entry: StoredEntry;
    }
  /** No live entry under the id (never written, deleted, swept or expired): nothing was locked. */
  | {
      /** Which outcome this is. */
      readonly state: 'absent';
    }
  /** Another owner holds a live lease, or has the next turn: retry later (the manager does the bounded waiting). */
  | {
      /** Which outcome this is. */
      readonly state: 'busy';
    };

/** One entry as {@link SessionStore.list} describes it (no payload: listing stays cheap). */
export interface ListedEntry {
  /** The session id. */
  readonly id: string;
  /** The entry's version (bumped by every write). */
  readonly version: number;
  /** When it expires, in ms since the epoch. */
  readonly expires: number;
}

/** One page of {@link SessionStore.list}. */
export interface ListPage {
  /** The entries of this page. */
  readonly entries: readonly ListedEntry[];
  /** Pass it back for the next page; `undefined` when this was the last one. */
  readonly cursor: string | undefined;
}

/**
 * Where sessions are kept. Implemented by `MemoryStore`, `SqliteStore`, `RedisStore` (server-side
 * entries keyed by session id) and, with the {@link ClientSideStore} additions, `CookieStore`.
 *
 * Two families of operations:
 * - the request path, one store operation per phase: {@link SessionStore.acquire} takes a
 *   session's lease and loads its entry in one step; {@link SessionStore.commit} writes (a
 *   compare-and-set on the version) and releases in one step; {@link SessionStore.release}
 *   releases a session that did not change (optionally moving its expiry in the same step);
 *   {@link SessionStore.wanted} tells a lease's holder that others wait for it;
 * - plain entry operations (`get`, `set`, `touch`, `delete`, `sweep`, `count`, `list`) for
 *   namespaces routed to another store, sweeping, and tools such as the inspector.
 *
 * A lease is a lock that lapses by itself `leaseMs` after it was taken or last renewed
 * ({@link SessionStore.renew}): a lock left by a process that died blocks its session for at
 * most one lease, with no process-liveness checks (which fail in containers, where every server
 * is PID 1). Safety never rests on the lease alone: every write is a compare-and-set on the
 * version, and a commit is refused while another owner holds a live lease.
 *
 * Every method may be asynchronous; the manager always awaits. Errors of the backing service
 * (a Redis server gone away, a disk that is full) are thrown as `SessionStoreError` with the
 * original error as `cause`; nothing committed is lost by a failed call.
 */
export interface SessionStore {
  /** A short name for messages and logs, e.g. `'memory'`, `'sqlite:/var/db'`. */
  readonly name: string;
  /**
   * True when the store lives in this process only (MemoryStore): the manager may then keep the
   * live `Session` object between requests instead of decoding the payload on every load, and
   * needs no leases (its own per-session queue is the lock).
   */
  readonly inProcess: boolean;
  /**
   * How many commands this store has sent in the current turn of the event loop, when its
   * client holds them until the turn ends (RedisStore: node-redis writes a turn's commands as one
   * pipeline then). The Site and the Express middleware start no more of a pass's requests once
   * a slice of commands waits: the rest start after the client's write, so the store works on
   * those while this process handles the next requests. Absent on a store that answers in this
   * process (SQLite's group commit takes a turn's commits in one transaction, and slices would
   * split it).
   */
  queuedInTurn?(): number;

  /**
   * Opens the store now (connects, creates or migrates its schema) instead of on first use, so
   * configuration errors show at start-up. Idempotent.
   */
  ready?(): Promise<void>;

  /**
   * The secret that signs session cookies when the application configured none, kept with the
   * store so that every process sharing the store shares its sessions (SqliteStore: a file beside
   * the database; RedisStore: a key created once with `SET NX`). Created on first call, the same
   * for every caller after that, also when several processes start at once. Absent on stores
   * that keep nothing beyond one process.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the kept secret is empty or
   *   shorter than 32 bytes.
   */
  keptSecret?(): Promise<string | undefined>;

  /** The entry for `id`, or `undefined` when there is none or it has expired (`expires <= now`). */
  get(id: string, now: number): StoredEntry | undefined | Promise<StoredEntry | undefined>;

  /**
   * Writes `payload` when the entry's current version equals `expectedVersion` (0: the entry must
   * not exist, or must have expired). Returns the new version, or `undefined` when the version did
   * not match: a concurrent writer got there first, and nothing was written. Ignores leases (for
   * data whose lock is held elsewhere, such as routed namespaces).
   *
   * `set` takes no `now`: whether an existing entry has expired (for `expectedVersion` 0) is
   * judged by the store's own clock (a `clock` option, `Date.now` by default). An expired entry
   * replaced this way starts again at version 1 and is not reported by `sweep` (like `delete`).
   * A matching non-zero version writes even when the entry has just expired but is not swept yet
   * (the request loaded it while it was live); once swept, the entry is gone and the write is
   * refused. Client-side stores accept a non-zero version for an id they do not know (the cookie
   * is the truth there).
   */
  set(
    id: string,
    payload: string,
    expires: number,
    expectedVersion: number,
  ): number | undefined | Promise<number | undefined>;

  /**
   * Lock-and-load: when `id` has a live entry (`expires > now`) and no other owner holds a live
   * lease on it, gives `owner` a lease of `leaseMs` and returns the entry, in one atomic step.
   * Not re-entrant: a lease held by `owner` itself is `busy` too. Never waits.
   *
   * Turns: an owner answered `busy` has the next turn, for {@link WAIT_TURN_MS} after its last
   * try (the first waiter's; later ones wait for it): a free lease is then `busy` for every other
   * owner, the last holder too, until the waiter takes it. Without turns a process that gives a
   * session's lease back and takes it again for its next request a moment later would keep it
   * from a process that polls for it every few milliseconds, for as long as its requests come.
   *
   * Release on demand: when another owner's live lease made it `busy`, the store remembers that
   * the lease is wanted, for that owner's next {@link SessionStore.wanted}.
   */
  acquire(id: string, owner: string, leaseMs: number, now: number): Acquired | Promise<Acquired>;

  /**
   * Write-and-release: `set` (same compare-and-set, same version rules) that also releases
   * `owner`'s lease on `id`, in one atomic step. Refused (`undefined`, nothing written, the lease
   * left as it is) when the version does not match or another owner holds a live lease — which
   * is what a lease that lapsed and was taken over while this request ran gives: a
   * `SessionConflictError`, never an overwrite. A lease that lapsed and was not taken over does
   * not refuse the commit (the version check alone already proves no one else wrote).
   *
   * With `keepMs`, a successful write keeps the lease instead, for `keepMs` from now (taken
   * again when it had lapsed): the manager hands the session to the next request of this
   * process that waits for it, with no release and no re-acquire (lock handoff).
   */
  commit(
    id: string,
    owner: string,
    payload: string,
    expires: number,
    expectedVersion: number,
    keepMs?: number,
  ): number | undefined | Promise<number | undefined>;

  /**
   * Releases `owner`'s lease on `id` (someone else's is left alone) and, when `expires` is given,
   * moves the entry's expiry like `touch`, in one step: the whole commit of a request that
   * changed nothing.
   */
  release(id: string, owner: string, expires?: number): void | Promise<void>;

  /**
   * Extends `owner`'s live leases on `ids` to `leaseMs` from now. Returns the ids `owner` could
   * not keep: another owner holds the lease, or it lapsed or was given back, or the entry is gone.
   * A lease that is no longer held is never taken again here: on a store reached over the network
   * a renewal can arrive after the commit that gave the lease back, and re-taking it then would
   * lock the session for a lease length with no one holding it. (The owner's commit still goes
   * through when no one else wrote meanwhile: the version check decides.)
   */
  renew(ids: readonly string[], owner: string, leaseMs: number): string[] | Promise<string[]>;

  /**
   * Release on demand: the ids of `owner`'s leases that another owner found busy since the last
   * call (each told once, in no particular order; one given back since may be among them). The
   * manager asks every few ms while it holds leases and gives back those it kept for a later
   * request: so it can keep a lease after a commit for the session's next request in this process
   * (one store call a request instead of two) without making other processes wait. A store
   * without it gets its leases back at the end of the next turn of the event loop.
   */
  wanted?(owner: string): string[] | Promise<string[]>;

  /**
   * Moves the expiry of an entry without rewriting its payload or version. No-op when absent
   * (never written, deleted or swept); an expired entry that is not swept yet is moved too, so
   * call it only for an entry `get` just returned.
   */
  touch(id: string, expires: number): void | Promise<void>;

  /**
   * Removes the entry (and any lease on it); true when there was one. Not a sweep: no expiry is
   * reported for it. Release on demand: a live lease of another owner than `owner` (the one
   * deleting, when it is an owner) is reported to its holder by {@link SessionStore.wanted}, as a
   * busy `acquire` is, so that a holder keeping the lease for a later request lets it go instead
   * of serving that request the deleted entry.
   */
  delete(id: string, owner?: string): boolean | Promise<boolean>;

  /**
   * Removes and returns up to `limit` entries with `expires <= now`. Each expired entry is
   * returned by exactly one call, also when several processes sweep the same store at once.
   * Costs O(expired), not O(all entries).
   */
  sweep(now: number, limit: number): ExpiredEntry[] | Promise<ExpiredEntry[]>;

  /** How many entries the store keeps: live ones and expired ones not swept yet. */
  count(): number | Promise<number>;

  /**
   * One page of at most `limit` entries kept (live or expired, not swept), starting after
   * `cursor` (`undefined`: from the start). The order is the store's own. A store that does not
   * change while paging lists every entry exactly once; while it changes, the listing is a best
   * effort (entries may be missed, and RedisStore may list one twice, as Redis `SCAN` does).
   */
  list(cursor: string | undefined, limit: number): ListPage | Promise<ListPage>;

  /** Closes connections and timers. Idempotent. */
  close(): void | Promise<void>;
}

/**
 * A store that keeps the whole session in the client's cookie. The manager calls `seal` at commit
 * to get the cookie value and `open` with the cookie value at load; `get`/`set` then serve only
 * as this process's view of recent commits (see CookieStore).
 */
export interface ClientSideStore extends SessionStore {
  /** Always true: marks the store as client-side. */
  readonly clientSide: true;
  /** The cookie value carrying `payload` until `expires`. Throws `SessionDataError` when too large. */
  seal(id: string, payload: string, version: number, expires: number): string;
  /**
   * Verifies and decrypts a cookie value; `undefined` for anything forged, truncated, foreign or
   * expired (never throws). When this process has committed a newer version of the same session,
   * that newer entry is returned instead; a session deleted in this process gives `undefined`.
   */
  open(cookieValue: string, now: number): (StoredEntry & {
    /** The session id the cookie carries. */
    readonly id: string;
  }) | undefined;
}

/** True when `store` keeps sessions in the client's cookie. */
export function isClientSide(store: SessionStore): store is ClientSideStore {
  return (store as Partial<ClientSideStore>).clientSide === true;
}
