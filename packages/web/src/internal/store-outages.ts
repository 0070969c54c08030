/**
 * Store outages, logged as two lines each: one when the session store goes away, one when it
 * answers again with the count of requests answered 503 meanwhile — not a stack per request.
 * Shared by the Site and the Express middleware. Internal: never re-exported.
 */

/** The code of `SessionStoreError`: the service behind the store is down, full or closed. */
const STORE_UNAVAILABLE = 'DT_SESSION_STORE_UNAVAILABLE';

/** Whether `error` says the session store is unavailable (by code, so any copy of the package counts). */
export function isStoreUnavailable(error: unknown): boolean {
  return error !== null && typeof error === 'object' && (error as { code?: unknown }).code === STORE_UNAVAILABLE;
}

interface Outage {
  readonly store: string;
  readonly since: number;
  /** When the last request failed for it. */
  last: number;
  failed: number;
}

/**
 * An outage is over at the first success this long after its last failure. A store that fails
 * only some requests (a full store refusing new visitors while returning ones are served) is
 * then one outage, not two lines per request.
 */
const QUIET_MS = 1000;

/**
 * The outage state of one Site (or middleware). Requests read {@link epoch} when they start:
 * a request that started before the store came back and fails after it (its abort was still
 * running) belongs to the outage that ended, so it does not open a new one.
 */
export class StoreOutages {
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  #current: Outage | null;
  #epoch: number;

  constructor(log: (line: string) => void, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
    this.#current = null;
    this.#epoch = 0;
  }

  /** Counts recoveries: a request keeps the value it saw when it started. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * A request failed with `error`. Returns true when that is the store being unavailable: the
   * request is counted, and only the first of an outage is logged (one line). False otherwise:
   * report the error as usual.
   */
  failed(error: unknown, startedIn: number): boolean {
    if (!isStoreUnavailable(error)) return false;
    const current = this.#current;
    if (current !== null) {
      current.failed++;
      current.last = this.#now();
    } else if (startedIn === this.#epoch) {
      const store = String((error as { store?: unknown }).store ?? 'the session store');
      const now = this.#now();
      this.#current = { store, since: now, last: now, failed: 1 };
      this.#log(
        `[dovetail/web] ${STORE_UNAVAILABLE}: session store '${store}' is unavailable: ${oneLine(error)} ` +
          `Answering 503 with Retry-After until it answers again; one line will say when.`,
      );
    }
    return true;
  }

  /**
   * A request loaded and committed its sessions: an outage in progress is over (one line) when
   * no request failed for it in the last second.
   */
  succeeded(): void {
    const current = this.#current;
    if (current === null) return;
    const now = this.#now();
    if (now - current.last < QUIET_MS) return;
    this.#current = null;
    this.#epoch++;
    const seconds = ((current.last - current.since) / 1000).toFixed(1);
    this.#log(
      `[dovetail/web] session store '${current.store}' answers again after ${seconds} s of failures; ` +
        `${current.failed} request${current.failed === 1 ? ' was' : 's were'} answered 503 meanwhile.`,
    );
  }
}

/** The error's message (a store error's names the failed operation and its cause) on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}
