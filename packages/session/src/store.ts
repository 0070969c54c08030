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
 * Where sessions are kept. Implemented by `MemoryStore`, `SqliteStore`, `RedisStore` (server-side
 * entries keyed by session id) and, with the {@link ClientSideStore} additions, `CookieStore`.
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
   * live `Session` object between requests instead of decoding the payload on every load.
   */
  readonly inProcess: boolean;

  /** The entry for `id`, or `undefined` when there is none or it has expired (`expires <= now`). */
  get(id: string, now: number): StoredEntry | undefined | Promise<StoredEntry | undefined>;

  /**
   * Writes `payload` when the entry's current version equals `expectedVersion` (0: the entry must
   * not exist, or must have expired). Returns the new version, or `undefined` when the version did
   * not match: a concurrent writer got there first, and nothing was written.
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
   * Moves the expiry of an entry without rewriting its payload or version. No-op when absent
   * (never written, deleted or swept); an expired entry that is not swept yet is moved too, so
   * call it only for an entry `get` just returned.
   */
  touch(id: string, expires: number): void | Promise<void>;

  /** Removes the entry; true when there was one. Not a sweep: no expiry is reported for it. */
  delete(id: string): boolean | Promise<boolean>;

  /**
   * Removes and returns up to `limit` entries with `expires <= now`. Each expired entry is
   * returned by exactly one call, also when several processes sweep the same store at once.
   * Costs O(expired), not O(all entries).
   */
  sweep(now: number, limit: number): ExpiredEntry[] | Promise<ExpiredEntry[]>;

  /**
   * Cross-process lock on one session (optional: stores used by one process only leave it out).
   * Returns true when `owner` now holds the lock; it lapses by itself after `ttlMs`. Never waits:
   * the manager does the bounded waiting. Not re-entrant: while a lock is held, every `lock`
   * call for that id is refused, also one by the same owner.
   */
  lock?(id: string, owner: string, ttlMs: number): boolean | Promise<boolean>;

  /** Releases a lock taken by `owner`; a lock held by someone else is left alone. */
  unlock?(id: string, owner: string): void | Promise<void>;

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
  open(cookieValue: string, now: number): (StoredEntry & { readonly id: string }) | undefined;
}

/** True when `store` keeps sessions in the client's cookie. */
export function isClientSide(store: SessionStore): store is ClientSideStore {
  return (store as Partial<ClientSideStore>).clientSide === true;
}
