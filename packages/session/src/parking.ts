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
import type { SessionStore } from './store.js';

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
 * A parked lease: what was handed over with it, and how it is kept. One object, the handoff's
 * fields copied in rather than wrapped: what a request leaves here outlives it (until the
 * session's next request), so each object more is one more for the garbage collector to copy
 * and for that request to fetch from memory. Taken, it is the handoff itself.
 */
export interface Parked extends Handoff {
  /** When the chain took the lease from the store (manager clock); now, once taken, for a new chain. */
  since: number;
  /** Parked for a turn, before the last end-of-turn check: released at the next one unless taken. */
  old: boolean;
  /** Kept for later (release on demand) rather than parked for a turn. */
  readonly later: boolean;
  /** Kept for later: when the store's lease has surely lapsed (manager clock), then it is forgotten without a store call. */
  readonly lapsed: number;
  /** Kept for later: how many polls for wanted leases had answered when it was kept. */
  readonly polls: number;
}

/** What the parking needs of its `SessionLocks`. */
export interface ParkingHost {
  readonly store: SessionStore;
  readonly owner: string;
  readonly options: LockOptions;
  /** True while a request of this process holds `id`. */
  isHeld(id: string): boolean;
  /** Gives `id`'s lease back to the store once `staged` is written. */
  giveBack(id: string, staged: Handoff['staged']): void;
  /** Forgets `id`'s lease with no store call (it has lapsed there). */
  forget(id: string): void;
}

/** The parked leases of one `SessionLocks`. */
export class ParkedLeases {
  #parked = new Map<string, Parked>();
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

  /** True when `id`'s lease is parked. */
  has(id: string): boolean {
    return this.#parked.has(id);
  }

  /** Takes `id`'s parked lease out of the parking, if there is one. */
  take(id: string): Parked | undefined {
    const parked = this.#parked.get(id);
    if (parked === undefined) return undefined;
    this.#parked = deleteFrom(this.#parked, id);
    // Kept for later and no one asked for it while a poll looked: a new chain (a chain's cap is
    // for waiting processes). Parked for a turn, the chain goes on.
    if (parked.later && this.#polls > parked.polls) parked.since = this.host.options.clock();
    return parked;
  }

  /** Parks `id`'s lease with what goes to the next request: kept for later, or for a turn. */
  park(id: string, handed: Handoff, since: number): void {
    const now = this.host.options.clock();
    this.#parked = deleteFrom(this.#parked, id); // kept in the order parked, so the lapsed ones are found first
    const { state, entry, staged } = handed;
    const later = this.keepsForLater(now);
    this.#parked.set(id, { state, entry, staged, since, old: false, later, lapsed: later ? now + 2 * this.host.options.lease : 0, polls: later ? this.#polls : 0 });
    if (!later) this.#atTurnEnd();
  }

  /** Forgets `id` (its lease was given back or lost). */
  delete(id: string): void {
    this.#parked = deleteFrom(this.#parked, id);
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

  /** Empties the parking (the manager is closing): what it held, to give back. */
  drain(): [string, Handoff][] {
    this.stopPolling();
    if (this.#turnEnd !== null) clearImmediate(this.#turnEnd);
    this.#turnEnd = null;
    const parked: [string, Handoff][] = [...this.#parked];
    this.#parked.clear();
    return parked;
  }

  /** Schedules the end-of-turn check (only while leases are parked for a turn): untaken ones go back. */
  #atTurnEnd(): void {
    this.#turnEnd ??= setImmediate(() => {
      this.#turnEnd = null;
      let waiting = false;
      for (const [id, parked] of this.#parked) {
        if (parked.later) continue;
        waiting = true;
        // Not while its last commits are being written: a request could otherwise take the lease
        // from the store before the release went out. It goes back at a later turn's end.
        if (parked.staged?.unwritten === true) continue;
        if (!parked.old) parked.old = true;
        else {
          this.#parked = deleteFrom(this.#parked, id);
          this.host.giveBack(id, parked.staged);
        }
      }
      if (waiting) this.#atTurnEnd();
    });
  }

  /** Forgets the leases kept for later that have surely lapsed in the store, and gives back the ones another process asked for. */
  #poll(): void {
    const now = this.host.options.clock();
    for (const [id, { later, lapsed, staged }] of this.#parked) {
      if (!later || staged?.unwritten === true) continue;
      if (lapsed > now) break; // (kept in the order kept)
      this.host.forget(id);
    }
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
    const parked = this.#parked.get(id);
    if (parked?.later === true) {
      this.#parked = deleteFrom(this.#parked, id);
      this.host.giveBack(id, parked.staged);
    } else if (parked === undefined && !this.host.isHeld(id)) {
      // Kept here until it lapsed by this process's reckoning, not yet by the store's.
      Promise.resolve(this.host.store.release(id, this.host.owner)).catch(() => undefined);
    }
  }
}
