/**
 * The inspector's session statistics: sessions created and expired in the last minute, counted
 * from the registry's `ISessionCreated`/`ISessionExpired` events (a store cannot tell), in
 * sixty one-second buckets so that memory stays constant however busy the site is.
 *
 * @module
 */
import { ISessionCreated, ISessionExpired } from '@dovetail/session';
import type { Registry } from '@dovetail/registry';

const SECONDS = 60;

/** Events per minute over a sliding window of sixty one-second buckets. */
export class EventRate {
  readonly #counts = new Array<number>(SECONDS).fill(0);
  readonly #seconds = new Array<number>(SECONDS).fill(-1);
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Counts one event now. */
  record(): void {
    const second = Math.floor(this.#clock() / 1000);
    const i = second % SECONDS;
    if (this.#seconds[i] !== second) {
      this.#seconds[i] = second;
      this.#counts[i] = 0;
    }
    this.#counts[i]! += 1;
  }

  /** How many events were counted in the last sixty seconds. */
  perMinute(): number {
    const now = Math.floor(this.#clock() / 1000);
    let total = 0;
    for (let i = 0; i < SECONDS; i++) if (now - this.#seconds[i]! < SECONDS) total += this.#counts[i]!;
    return total;
  }
}

/** Created and expired sessions per minute, counted from the events a registry notifies. */
export class SessionRates {
  /** Sessions created (stored for the first time or handed out new) in the last minute. */
  readonly created: EventRate;
  /** Sessions that ended (expired, timed out, swept) in the last minute. */
  readonly expired: EventRate;

  readonly #registry: Registry;
  readonly #onCreated = (): void => this.created.record();
  readonly #onExpired = (): void => this.expired.record();

  /** Subscribes to `registry`'s session events: the registry the `Sessions` manager notifies. */
  constructor(registry: Registry, clock: () => number) {
    this.created = new EventRate(clock);
    this.expired = new EventRate(clock);
    this.#registry = registry;
    registry.registerHandler(this.#onCreated, [ISessionCreated]);
    registry.registerHandler(this.#onExpired, [ISessionExpired]);
  }

  /** Unsubscribes (idempotent). */
  close(): void {
    this.#registry.unregisterHandler([ISessionCreated], this.#onCreated);
    this.#registry.unregisterHandler([ISessionExpired], this.#onExpired);
  }
}
