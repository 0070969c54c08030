/**
 * Per-session locks with a bounded wait: how concurrent requests of one session are kept from
 * overwriting each other.
 *
 * Within a process, requests of one session queue in arrival order (no store round trip when
 * the lock is free: the common case costs a Map lookup). Across processes, the holder of the
 * in-process lock also holds the store's lease on the session, taken together with the load
 * (`SessionStore.acquire`, retried with backoff until the deadline) and given back together
 * with the write (`SessionStore.commit` / `release`). Leases are short and renewed by one timer
 * while held, so a process that dies blocks its sessions for at most one lease. Whoever waits too
 * long gets `SessionBusyError`, never a silent overwrite.
 *
 * Lock handoff: when a request of this process waits for a session whose lease this process
 * holds, the request finishing with it keeps the lease and hands it, with the entry it committed,
 * to the waiter — no release, re-acquire or reload. The write itself may still be staged
 * (staged-write.ts): the lease then goes back to the store only after it is written. A session
 * committed in the last few milliseconds (`RECENT_MS`) that no one waits for yet (with a
 * synchronous store, requests of one session never overlap) is parked instead: the lease stays,
 * and a request of it in this or the next turn of the event loop takes it as if handed over; at
 * the end of the next turn an untaken one is released. A chain of handoffs lasts at most
 * `CHAIN_MS` (or one lease, if shorter); then the lease goes back to the store. A process that
 * polled for it meanwhile has the next turn there (see `SessionStore.acquire`), so it gets the
 * session within a chain and a retry interval (`MAX_RETRY_MS`), however fast this process's
 * requests come.
 *
 * Release on demand: with a store that tells a lease's holder that another process waits for it,
 * every lease is kept after a commit until another process asks for it (parking.ts), and the
 * session's next request here takes it within half a lease of its last write: one store call a
 * request instead of two.
 */
import { randomBytes } from 'node:crypto';
import { deleteFrom } from './churn.js';
import { SessionBusyError, SessionStoreError } from './errors.js';
import { NO_LEASE, newLock } from './lock-record.js';
import { then } from './maybe-sync.js';
import { ParkedLeases } from './parking.js';
import { releaseAfter } from './staged-write.js';
import { isClientSide } from './store.js';
import type { SessionLock, Waiter } from './lock-record.js';
import type { MaybePromise } from './maybe-sync.js';
import type { StagedWrite } from './staged-write.js';
import type { Acquired, SessionStore, StoredEntry } from './store.js';

/**
 * The longest wait between two tries of a busy lease (the backoff starts at 2 ms and doubles).
 * Short: a lease given back while this process has the next turn lies idle until its next try.
 */
export const MAX_RETRY_MS = 5;
/**
 * How long a chain of handoffs keeps a lease: what another process's request of a busy session
 * waits at most. Short against the requests it serves meanwhile (thousands a second), so ending
 * a chain, one `commit` that gives the lease back and one `acquire`, costs next to nothing.
 */
export const CHAIN_MS = 100;

/** What a request hands the next one with the lease (lock handoff): the entry now stored, and the chain's unwritten commits. */
export interface Handoff {
  /** Which outcome of {@link SessionLocks.acquire} this is. */
  readonly state: 'handed';
  /**
   * The entry the store now holds (just written, or unchanged), as the manager made it: it may
   * carry more of the manager's own (its routed namespaces as last written) in the same object.
   */
  readonly entry: StoredEntry;
  /** Commits of the chain not yet written (early lock release): the lease goes back only once they are. */
  readonly staged: StagedWrite | null;
}

/** Options of {@link SessionLocks}. */
export interface LockOptions {
  /** How long a request waits for a session held by another one, ms. @default 5000 */
  readonly wait: number;
  /** How long a store lease lasts unless renewed (a dead holder blocks for at most this), ms. @default 1000 */
  readonly lease: number;
  /** The manager's clock, ms since the epoch. */
  readonly clock: () => number;
  /** Told when renewing leases fails (the leases then lapse by themselves). */
  readonly onError?: (error: unknown, context: string) => void;
}

/** The locks of one `Sessions` manager. */
export class SessionLocks {
  /** The lock records, by session id (see {@link SessionLock}). */
  #locks = new Map<string, SessionLock>();
  /** How many records hold a store lease: renewed by `#renewer` while there are any. */
  #leaseCount = 0;
  readonly #parking: ParkedLeases;
  #renewer: ReturnType<typeof setInterval> | null = null;
  #renewing = false;
  /** This process's name on the store's leases. */
  readonly owner = `${process.pid}:${randomBytes(8).toString('hex')}`;
  /** True when the store is shared by processes, so requests take its lease too. */
  readonly leases: boolean;

  constructor(
    readonly store: SessionStore,
    readonly options: LockOptions,
  ) {
    this.leases = !store.inProcess && !isClientSide(store);
    this.#parking = new ParkedLeases({
      store,
      owner: this.owner,
      options,
      find: (id) => this.#locks.get(id),
      giveBack: (id, staged) => this.#giveBack(id, staged),
    });
  }

  /** True when this process holds `id`. */
  isHeld(id: string): boolean {
    return this.#locks.get(id)?.held === true;
  }

  /**
   * Takes the lock of `id` for this process and, on a shared store, its lease together with
   * its entry (one store call). Returns what the store found (`undefined` on a store without
   * leases: then load the entry yourself). On `absent` the lock is still held here: release it.
   *
   * @throws SessionBusyError (`DT_SESSION_BUSY`) when it is not free within the wait.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the store fails.
   */
  async acquire(id: string, now: number): Promise<Acquired | Handoff | undefined> {
    const started = this.options.clock();
    const lock = this.#locks.get(id);
    if (lock?.held === true) {
      const handed = await this.#queue(id, lock, started);
      if (handed !== null) return handed;
    } else {
      const handed = this.takeParked(id, now);
      if (handed !== undefined) return handed;
      this.#hold(id);
    }
    if (!this.leases) return undefined;
    try {
      return await this.#lease(id, now, started);
    } catch (e) {
      this.release(id);
      throw e;
    }
  }

  /**
   * Takes the lock of `id` at once, with the lease this process parked for it, when no one in
   * this process holds it and that lease is still good: what the next request of a session on a
   * shared store usually finds (its last commit kept the lease). Undefined otherwise (then use
   * {@link SessionLocks.acquire}); a lease parked too close to its end, or its session's, goes
   * back to the store.
   */
  takeParked(id: string, now: number): Handoff | undefined {
    const lock = this.#locks.get(id);
    if (lock === undefined || lock.held || !this.#parking.take(id, lock)) return undefined;
    if (!this.#usable(lock, now)) {
      this.#giveBack(id, lock.staged);
      return undefined;
    }
    lock.held = true;
    return lock;
  }

  /**
   * Takes the lock of `id` at once when no one in this process holds it and the store needs no
   * lease; false otherwise (then use {@link SessionLocks.acquire}).
   */
  tryAcquire(id: string): boolean {
    if (this.leases || this.isHeld(id)) return false;
    this.#hold(id);
    return true;
  }

  /** Marks a brand-new id as held (no one else can know it yet: no waiting, no lease). */
  holdNew(id: string): void {
    this.#hold(id);
  }

  /**
   * Whether the holder of `id` should keep the store's lease through its write, to hand it to
   * the next request of this process ({@link SessionLocks.pass}): `'now'` when that request is
   * due at once (one waits, or the session was committed in this turn or the one before),
   * `'later'` when it may come later (release on demand, unless another process asked for a
   * lease a moment ago: parking.ts), false when the lease goes back — also when it is no
   * longer ours, or the chain is `CHAIN_MS` or a lease old (a process waiting for it then has the
   * next turn).
   */
  keepLease(id: string): 'now' | 'later' | false {
    const lock = this.#leased(id);
    if (lock?.held !== true) return false;
    const now = this.options.clock();
    const due = (lock.waiters !== null && lock.waiters.length > 0) || this.#parking.seen(id, now);
    if (!due && !this.#parking.keepsForLater(now)) return false;
    if (now - lock.since >= Math.min(CHAIN_MS, this.options.lease)) return false;
    return due ? 'now' : 'later';
  }

  /**
   * Gives `id` and its lease, with the `entry` now stored and the chain's `staged` commits, to the
   * next waiter of this process, or parks them in the lock's record for a request to come; false
   * when the lease is no longer ours (then release it).
   */
  pass(id: string, entry: StoredEntry, staged: StagedWrite | null): boolean {
    const lock = this.#leased(id);
    if (lock?.held !== true) return false;
    const next = lock.waiters?.shift();
    if (next !== undefined) {
      clearTimeout(next.timer);
      next.resolve({ state: 'handed', entry, staged });
      return true;
    }
    lock.held = false;
    this.#parking.park(id, lock, entry, staged);
    return true;
  }

  /**
   * `store.commit` that keeps `owner`'s lease for a whole lease (lock handoff), noting when, so
   * that a request taking the parked lease knows how much of it is left.
   */
  commitKeeping(id: string, payload: string, expires: number, expectedVersion: number): MaybePromise<number | undefined> {
    const sent = this.options.clock();
    return then(this.store.commit(id, this.owner, payload, expires, expectedVersion, this.options.lease), (version) => {
      const lock = version === undefined ? undefined : this.#leased(id);
      if (lock !== undefined) lock.extended = sent;
      return version;
    });
  }

  /**
   * True when a request may take the lease parked in `lock`: its session has not expired, and the
   * store's lease is this process's for half a lease more at least, so the renewal (every third
   * of a lease) comes before it runs out.
   */
  #usable(lock: SessionLock, now: number): boolean {
    return lock.entry.expires > now && lock.extended + this.options.lease / 2 > now;
  }

  /** The record of `id`, made (neither held nor leased) when there is none. */
  #recordOf(id: string): SessionLock {
    let lock = this.#locks.get(id);
    if (lock === undefined) this.#locks.set(id, (lock = newLock()));
    return lock;
  }

  /** The record of `id` while this process holds its store lease. */
  #leased(id: string): SessionLock | undefined {
    const lock = this.#locks.get(id);
    return lock === undefined || lock.extended === NO_LEASE ? undefined : lock;
  }

  /** Marks `id` held by a request of this process (in a new record, or one kept for its lease). */
  #hold(id: string): void {
    const lock = this.#recordOf(id);
    lock.held = true;
    lock.since = 0;
  }

  /** Forgets the record of `id` once nothing is left in it (not held, no lease, not parked). */
  #dropIfEmpty(id: string, lock: SessionLock): void {
    if (!lock.held && lock.extended === NO_LEASE && !lock.parked) this.#locks = deleteFrom(this.#locks, id);
  }

  /**
   * Gives a lease this process holds back to the store without waiting (a failed release lapses
   * by itself) — after the chain's `staged` commits are written, when there are any.
   */
  #giveBack(id: string, staged: StagedWrite | null = null): void {
    if (this.#leased(id) === undefined) return;
    releaseAfter(staged, () => {
      this.settled(id);
      Promise.resolve(this.store.release(id, this.owner)).catch(() => undefined);
    });
  }

  #queue(id: string, lock: SessionLock, started: number): Promise<Handoff | null> {
    return new Promise<Handoff | null>((resolve, reject) => {
      const waiters = (lock.waiters ??= []);
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(this.#busy(id, this.options.clock() - started));
        }, this.options.wait),
      };
      waiters.push(waiter);
    });
  }

  #busy(id: string, waited: number): SessionBusyError {
    return new SessionBusyError(id, waited, Math.max(1, Math.ceil(this.options.wait / 1000)));
  }

  async #lease(id: string, now: number, started: number): Promise<Acquired> {
    let delay = 2;
    for (;;) {
      let got: Acquired;
      const sent = this.options.clock();
      try {
        got = await this.store.acquire(id, this.owner, this.options.lease, now);
      } catch (e) {
        throw e instanceof SessionStoreError ? e : new SessionStoreError(this.store.name, 'take the session lease', undefined, undefined, { cause: e });
      }
      if (got.state === 'held') this.#tookLease(id, sent);
      if (got.state !== 'busy') return got;
      const waited = this.options.clock() - started;
      if (waited >= this.options.wait) throw this.#busy(id, waited);
      await new Promise((r) => setTimeout(r, Math.min(delay, this.options.wait - waited)));
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  /** The store's lease on `id` was taken, sent at `sent`: a new chain starts, renewed while held. */
  #tookLease(id: string, sent: number): void {
    const lock = this.#recordOf(id);
    lock.since = this.options.clock();
    if (lock.extended === NO_LEASE) this.#leaseCount++;
    lock.extended = sent;
    if (this.#renewer !== null) return;
    this.#renewer = setInterval(() => this.#renew(), Math.max(1, Math.floor(this.options.lease / 3)));
    this.#renewer.unref();
    this.#parking.startPolling();
  }

  /**
   * Renews every lease a request holds (one store call); parked ones are not renewed (they are
   * taken only while the write's lease lasts), and those kept for later that have surely lapsed
   * in the store are forgotten. A lease already lost makes its commit a conflict; it is no longer
   * renewed nor handed off (the next waiter takes the lease from the store).
   */
  #renew(): void {
    const now = this.options.clock();
    const ids: string[] = [];
    for (const [id, lock] of this.#locks) {
      if (lock.extended === NO_LEASE) continue;
      if (!lock.parked) ids.push(id);
      else if (this.#parking.surelyLapsed(lock, now)) this.settled(id);
    }
    if (this.#renewing || ids.length === 0) return;
    this.#renewing = true;
    Promise.resolve(this.store.renew(ids, this.owner, this.options.lease))
      .then((lost) => {
        for (const id of ids) {
          const lock = this.#leased(id);
          if (lock !== undefined) lock.extended = now;
        }
        lost.forEach((id) => this.settled(id));
      })
      .catch((e: unknown) => this.options.onError?.(e, 'renewing session leases'))
      .finally(() => (this.#renewing = false));
  }

  /** The store's lease on `id` was given back by a commit or release: no longer renewed. */
  settled(id: string): void {
    const lock = this.#locks.get(id);
    if (lock === undefined) return;
    this.#parking.unpark(id, lock);
    if (lock.extended !== NO_LEASE) {
      lock.extended = NO_LEASE;
      if (--this.#leaseCount === 0) this.#stopTimers();
    }
    this.#dropIfEmpty(id, lock);
  }

  #stopTimers(): void {
    if (this.#renewer !== null) clearInterval(this.#renewer);
    this.#renewer = null;
    this.#parking.stopPolling();
  }

  /**
   * Releases `id` here (the next waiter, if any, gets it) and gives back a store lease still
   * held (without waiting: a failed release lapses by itself).
   */
  release(id: string): void {
    const lock = this.#locks.get(id);
    if (lock?.held !== true) return;
    this.#giveBack(id);
    const next = lock.waiters?.shift();
    if (next === undefined) {
      lock.held = false;
      this.#dropIfEmpty(id, lock);
      return;
    }
    clearTimeout(next.timer);
    next.resolve(null);
  }

  /** Moves a held lock to a new id (after `regenerate()`): the old one is released. */
  rename(oldId: string, newId: string): void {
    this.holdNew(newId);
    this.release(oldId);
  }

  /**
   * Stops renewing (the manager is closing) and gives back the parked leases (no request holds
   * them: another process gets those sessions at once); leases of requests still running lapse
   * by themselves.
   */
  async close(): Promise<void> {
    this.#stopTimers();
    this.#parking.stop();
    const parked: [string, StagedWrite | null][] = [];
    for (const [id, lock] of this.#locks) {
      if (lock.parked) parked.push([id, lock.staged]);
      lock.parked = false;
      lock.extended = NO_LEASE;
      this.#dropIfEmpty(id, lock);
    }
    this.#leaseCount = 0;
    await Promise.all(parked.map(async ([id, staged]) => {
      await staged?.flush();
      await Promise.resolve(this.store.release(id, this.owner)).catch(() => undefined);
    }));
  }
}
