/**
 * Parked leases: the store leases a `SessionLocks` keeps while no request of this process holds
 * them, so that the session's next request takes the lease and the entry with no store call.
 *
 * Two kinds. *Parked for a turn*: a session committed again within `RECENT_MS` is hot, and its
 * lease waits for a request in this or the next turn of the event loop; at the end of the next
 * turn an untaken one goes back. *Kept for later* (release on demand): a store that can tell a
 * lease's holder that another process waits for it (`SessionStore.wanted`, asked every
 * `WANTED_POLL_MS` while leases are held) lets every lease be kept after a commit, until another
 * process asks for it or it lapses; the manager takes it only within half a lease (lock.ts). A
 * lease kept for later and taken after a poll found no one waiting for it starts a new chain.
 * One a request holds, or parked for a turn, goes back as before, when its chain ends. Once
 * asked, a process parks only for a turn for `ASKED_BACK_MS`: its sessions move between processes.
 */
import { deleteFrom } from './churn.js';
import type { Handoff, LockOptions } from './lock.js';
import type { StagedWrite } from './staged-write.js';
import type { SessionStore, StoredEntry } from './store.js';

/** A session committed again within this many ms is hot: its lease is parked for the next request. */
const RECENT_MS = 2;
/** With release on demand, how often this process asks the store which of its leases others want (ms). */
export const WANTED_POLL_MS = 10;
/**
 * For this long (ms) after another process last asked this one for a lease, leases are kept only
 * for a request due at once, as without release on demand: sessions move between processes here
 * (workers behind a balancer that is not sticky), and a lease kept for later would make each
 * move wait for a poll. Long: with 10 s, two such workers on 2,000 sessions served 0.74–0.84 of
 * the requests of the code before; never going back, level with it.
 */
export const ASKED_BACK_MS = 300_000;

/**
 * A session's lock as the parking sees it: the lease parked in it, what goes to the next request
 * with it, and how it is kept. These are fields of the lock's own record (lock-record.ts), set
 * again at each park, rather than an object of their own: what a request leaves here outlives it
 * (until the session's next request), so each object more is one more for the garbage collector
 * to copy and for that request to fetch from memory. Taken, the record is the handoff itself.
 */
export interface Parked extends Handoff {
  /** The entry the store holds, as the request that parked the lease made it. */
  entry: StoredEntry;
  /** That request's chain's unwritten commits. */
  staged: StagedWrite | null;
  /** True while the lease is parked here: no request of this process holds it. */
  parked: boolean;
  /** When the chain took the lease from the store (manager clock); now, once taken, for a new chain. */
  since: number;
  /** Parked for a turn, before the last end-of-turn check: released at the next one unless taken. */
  old: boolean;
  /** Kept for later (release on demand) rather than parked for a turn. */
  later: boolean;
  /** Kept for later: when the store's lease has surely lapsed (manager clock), then it is forgotten without a store call. */
  lapsed: number;
  /** Kept for later: how many polls for wanted leases had answered when it was kept. */
  polls: number;
}

/** What the parking needs of its `SessionLocks`. */
export interface ParkingHost {
  readonly store: SessionStore;
  readonly owner: string;
  readonly options: LockOptions;
  /** The lock record of `id`, if this process has one (held, leased or parked). */
  find(id: string): (Parked & { readonly held: boolean }) | undefined;
  /** Gives `id`'s lease back to the store once `staged` is written. */
  giveBack(id: string, staged: StagedWrite | null): void;
}

/**
 * The parking policy of one `SessionLocks`: which leases are parked and for how long. The leases
 * kept for later are only marked in their records (the lock's renewal forgets the lapsed ones:
 * {@link ParkedLeases.surelyLapsed}); the few parked for a turn are also listed here, for the
 * end-of-turn check.
 */
export class ParkedLeases {
  /** The leases parked for a turn (not kept for later). */
  #forTurn = new Map<string, Parked>();
  /** Sessions committed since `#rotated` and in the `RECENT_MS` before: those worth parking. */
  #recent = new Set<string>();
  #before = new Set<string>();
  #rotated = 0;
  #turnEnd: ReturnType<typeof setImmediate> | null = null;
  #poller: ReturnType<typeof setInterval> | null = null;
  #polling = false;
  /** How many polls have answered. */
  #polls = 0;
  /** When another process last asked this one for a lease (manager clock). */
  #askedAt = -Infinity;
  /** True when the store tells this process which of its leases others wait for. */
  readonly #onDemand: boolean;

  constructor(readonly host: ParkingHost) {
    this.#onDemand = typeof host.store.wanted === 'function';
  }

  /** Takes the lease parked in `lock` (the record of `id`), if there is one: true when taken. */
  take(id: string, lock: Parked): boolean {
    if (!lock.parked) return false;
    this.unpark(id, lock);
    // Kept for later and no one asked for it while a poll looked: a new chain (a chain's cap is
    // for waiting processes). Parked for a turn, the chain goes on.
    if (lock.later && this.#polls > lock.polls) lock.since = this.host.options.clock();
    return true;
  }

  /** Parks the lease of `id` in its record `lock`, with what goes to the next request: kept for later, or for a turn. */
  park(id: string, lock: Parked, entry: StoredEntry, staged: StagedWrite | null): void {
    const now = this.host.options.clock();
    const later = this.keepsForLater(now);
    lock.entry = entry;
    lock.staged = staged;
    lock.parked = true;
    lock.old = false;
    lock.later = later;
    lock.lapsed = later ? now + 2 * this.host.options.lease : 0;
    lock.polls = later ? this.#polls : 0;
    if (later) return;
    this.#forTurn.set(id, lock);
    this.#atTurnEnd();
  }

  /** The lease of `id` is no longer parked in `lock` (taken, given back or lost). */
  unpark(id: string, lock: Parked): void {
    if (!lock.parked) return;
    lock.parked = false;
    if (!lock.later) this.#forTurn = deleteFrom(this.#forTurn, id);
  }

  /** True when `lock` holds a lease kept for later that has surely lapsed in the store by `now` (manager clock): forget it, with no store call. */
  surelyLapsed(lock: Parked, now: number): boolean {
    return lock.parked && lock.later && lock.lapsed <= now && lock.staged?.unwritten !== true;
  }

  /** True when a lease is kept for a request that may come later (see {@link ASKED_BACK_MS}); `now` by the manager's clock. */
  keepsForLater(now: number): boolean {
    return this.#onDemand && now - this.#askedAt >= ASKED_BACK_MS;
  }

  /** Records a commit of `id` at `now` (manager clock); true when it was committed within the last `RECENT_MS` too. */
  seen(id: string, now: number): boolean {
    if (now - this.#rotated >= RECENT_MS) {
      if (now - this.#rotated >= 2 * RECENT_MS) this.#before.clear();
      else [this.#before, this.#recent] = [this.#recent, this.#before];
      this.#recent.clear();
      this.#rotated = now;
    }
    const was = this.#recent.has(id) || this.#before.has(id);
    this.#recent.add(id);
    return was;
  }

  /** Starts asking the store which leases others want (release on demand; while leases are held). */
  startPolling(): void {
    if (!this.#onDemand || this.#poller !== null) return;
    this.#poller = setInterval(() => this.#poll(), WANTED_POLL_MS);
    this.#poller.unref();
  }

  /** Stops asking (no lease is held any more). */
  stopPolling(): void {
    if (this.#poller !== null) clearInterval(this.#poller);
    this.#poller = null;
  }

  /** Stops the parking (the manager is closing): the records still say what was parked, to give back. */
  stop(): void {
    this.stopPolling();
    if (this.#turnEnd !== null) clearImmediate(this.#turnEnd);
    this.#turnEnd = null;
    this.#forTurn.clear();
  }

  /** Schedules the end-of-turn check (only while leases are parked for a turn): untaken ones go back. */
  #atTurnEnd(): void {
    this.#turnEnd ??= setImmediate(() => {
      this.#turnEnd = null;
      for (const [id, lock] of this.#forTurn) {
        // Not while its last commits are being written: a request could otherwise take the lease
        // from the store before the release went out. It goes back at a later turn's end.
        if (lock.staged?.unwritten === true) continue;
        if (!lock.old) lock.old = true;
        else {
          this.unpark(id, lock);
          this.host.giveBack(id, lock.staged);
        }
      }
      if (this.#forTurn.size > 0) this.#atTurnEnd();
    });
  }

  /** Asks the store which of this process's leases others want, and gives back the ones kept for later. */
  #poll(): void {
    if (this.#polling) return;
    this.#polling = true;
    const { store, owner } = this.host;
    Promise.resolve()
      .then(() => store.wanted!(owner))
      .then((ids) => {
        ids.forEach((id) => this.#giveOnDemand(id));
        this.#polls++;
      })
      .catch((e: unknown) => this.host.options.onError?.(e, 'asking which session leases other processes wait for'))
      .finally(() => (this.#polling = false));
  }

  /**
   * Another process waits for `id`'s lease: given back now when kept for later. One a request
   * holds, or parked for a turn, goes back when its chain ends, as without release on demand:
   * ending hot chains on demand made a session shared by two workers change hands at nearly
   * every poll, at 0.6–0.8 of the requests a second.
   */
  #giveOnDemand(id: string): void {
    this.#askedAt = this.host.options.clock();
    const lock = this.host.find(id);
    if (lock?.parked === true && lock.later) {
      this.unpark(id, lock);
      this.host.giveBack(id, lock.staged);
    } else if (lock === undefined || (!lock.parked && !lock.held)) {
      // Kept here until it lapsed by this process's reckoning, not yet by the store's.
      Promise.resolve(this.host.store.release(id, this.host.owner)).catch(() => undefined);
    }
  }
}
