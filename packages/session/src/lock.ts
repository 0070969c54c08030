/**
 * Per-session locks with a bounded wait: how concurrent requests of one session are kept from
 * overwriting each other.
 *
 * Within a process, requests of one session queue in arrival order (no store round trip when
 * the lock is free: the common case costs a Map lookup). Across processes, the holder of the
 * in-process lock also takes the store's lock (`SessionStore.lock`), retrying with backoff until
 * the deadline. Whoever waits too long gets `SessionBusyError`, never a silent overwrite.
 */
import { randomBytes } from 'node:crypto';
import { SessionBusyError, SessionStoreError } from './errors.js';
import type { SessionStore } from './store.js';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface LockState {
  waiters: Waiter[];
}

/** Options of {@link SessionLocks}. */
export interface LockOptions {
  /** How long a request waits for a session held by another one, ms. @default 5000 */
  readonly wait: number;
  /** How long a store lock lives if its holder dies, ms. @default 30000 */
  readonly ttl: number;
  /** The manager's clock, ms since the epoch. */
  readonly clock: () => number;
}

/** The locks of one `Sessions` manager. */
export class SessionLocks {
  readonly #held = new Map<string, LockState>();
  readonly #owner = `${process.pid}:${randomBytes(8).toString('hex')}`;

  constructor(
    readonly store: SessionStore,
    readonly options: LockOptions,
  ) {}

  /** True when this process holds `id`. */
  isHeld(id: string): boolean {
    return this.#held.has(id);
  }

  /**
   * Takes the lock of `id` for this process and the store.
   *
   * @throws SessionBusyError (`DT_SESSION_BUSY`) when it is not free within the wait.
   */
  async acquire(id: string): Promise<void> {
    const started = this.options.clock();
    const state = this.#held.get(id);
    if (state) await this.#queue(id, state, started);
    else this.#held.set(id, { waiters: [] });
    if (this.store.lock) {
      try {
        await this.#storeLock(id, started);
      } catch (e) {
        this.release(id);
        throw e;
      }
    }
  }

  /**
   * Takes the lock of `id` at once when no one in this process holds it and the store needs no
   * cross-process lock; false otherwise (then use {@link SessionLocks.acquire}).
   */
  tryAcquire(id: string): boolean {
    if (this.store.lock || this.#held.has(id)) return false;
    this.#held.set(id, { waiters: [] });
    return true;
  }

  /** Marks a brand-new id as held (no one else can know it yet: no waiting, no store lock). */
  holdNew(id: string): void {
    this.#held.set(id, { waiters: [] });
  }

  #queue(id: string, state: LockState, started: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = state.waiters.indexOf(waiter);
          if (i >= 0) state.waiters.splice(i, 1);
          reject(new SessionBusyError(id, this.options.clock() - started, Math.max(1, Math.ceil(this.options.wait / 1000))));
        }, this.options.wait),
      };
      state.waiters.push(waiter);
    });
  }

  async #storeLock(id: string, started: number): Promise<void> {
    let delay = 2;
    for (;;) {
      let taken: boolean;
      try {
        taken = await this.store.lock!(id, this.#owner, this.options.ttl);
      } catch (e) {
        throw e instanceof SessionStoreError ? e : new SessionStoreError(this.store.name, 'take the session lock', undefined, undefined, { cause: e });
      }
      if (taken) return;
      const waited = this.options.clock() - started;
      if (waited >= this.options.wait) {
        throw new SessionBusyError(id, waited, Math.max(1, Math.ceil(this.options.wait / 1000)));
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, this.options.wait - waited)));
      delay = Math.min(delay * 2, 50);
    }
  }

  /** Releases `id` here and in the store; the next waiter, if any, gets it. */
  release(id: string, storeToo = true): void {
    const state = this.#held.get(id);
    if (!state) return;
    if (storeToo && this.store.unlock) {
      // The store lock lapses by itself if this fails; the next holder retries until then.
      Promise.resolve(this.store.unlock(id, this.#owner)).catch(() => undefined);
    }
    const next = state.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else this.#held.delete(id);
  }

  /** Moves a held lock to a new id (after `regenerate()`): the old one is released. */
  rename(oldId: string, newId: string): void {
    this.holdNew(newId);
    this.release(oldId);
  }
}
