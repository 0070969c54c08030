/**
 * What this process knows of one session's lock, in one record: whether a request holds it and
 * who waits, the store's lease, and the lease parked for the session's next request. `SessionLocks`
 * (lock.ts) keeps one a session, found with one map lookup; the parking (parking.ts) sets the
 * fields it parks a lease with.
 */
import type { Handoff } from './lock.js';
import type { Parked } from './parking.js';
import type { StoredEntry } from './store.js';

/** A request of this process waiting for a session's lock. */
export interface Waiter {
  /** Woken with what was handed over with the lease, or null: take the lease from the store. */
  resolve(handed: Handoff | null): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** `extended` of a lock whose store lease this process does not hold: every lease time left is then negative. */
export const NO_LEASE = -Infinity;
/** The entry of a lock record that was never parked (never read: a record is handed out only once parked). */
const NO_ENTRY: StoredEntry = Object.freeze({ payload: '', version: 0, expires: 0 });

/**
 * One session's lock record. It lives while its lock is held, its lease is this process's, or the
 * lease is parked: among many sessions a request makes none, and fetches one.
 */
export interface SessionLock extends Parked {
  /** A request of this process holds the lock. */
  held: boolean;
  /** Requests of this process waiting for it, in arrival order (null until one waits). */
  waiters: Waiter[] | null;
  /**
   * When the store's lease was last sent for a whole lease (taken, renewed, or kept by a commit;
   * manager clock), or `NO_LEASE` while this process holds none.
   */
  extended: number;
}

/** A new record, neither held nor leased yet: the caller marks which it is for. */
export const newLock = (): SessionLock => ({
  state: 'handed',
  entry: NO_ENTRY,
  staged: null,
  parked: false,
  since: 0,
  old: false,
  later: false,
  lapsed: 0,
  polls: 0,
  held: false,
  waiters: null,
  extended: NO_LEASE,
});
