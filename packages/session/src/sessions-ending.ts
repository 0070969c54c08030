/**
 * How the manager ends sessions: once each, whether a request expired it, it timed out while
 * live, or a sweep claimed it from the store (also with other processes sweeping the same store).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SessionExpired } from './contracts.js';
import { kClose, kState } from './internal-symbols.js';
import { ROUTED } from './session-routes.js';
import { ledger, untracked } from './sessions-context.js';
import type { SessionCreated} from './contracts.js';
import type { SessionState } from './session-state.js';
import type { ManagerContext, Tracked } from './sessions-context.js';
import type { StoredEntry } from './store.js';

/**
 * How many expired sessions a sweep claims and ends in one turn of the event loop. Ending one
 * decodes it and runs its callbacks and handlers (~50 µs); a sweep after a busy minute ends tens
 * of thousands, which in one go stalled every request of the process for 100 ms and more.
 * In batches of this size, with a turn of the event loop between them, requests wait ~5 ms at
 * most; the claims a batch sends to a shared store are as few.
 */
export const SWEEP_BATCH = 100;

/** Ends sessions for one manager. */
export class SessionEnder {
  constructor(readonly ctx: ManagerContext) {}

  /**
   * Ends a session once: deletes it (unless a sweep already removed it), runs its callbacks,
   * disposes its components, notifies `ISessionExpired`.
   */
  async end(state: SessionState, alreadyRemoved: boolean): Promise<void> {
    const ctx = this.ctx;
    let tracked = state.ledger as Tracked | null;
    if (!tracked) {
      tracked = untracked();
      state.ledger = tracked;
    }
    if (tracked.ended) return;
    tracked.ended = true;
    state.expired = true;
    const uid = state.uid;
    if (ctx.live.get(uid) === state) ctx.live.delete(uid);
    if (!alreadyRemoved && tracked.payload !== undefined) await ctx.store.delete(uid, ctx.locks.owner);
    for (const [name, store] of ctx.routes()) {
      if (tracked.routed?.has(name) || alreadyRemoved) await store.delete(uid + ROUTED + name);
    }
    for (const error of state.runExpiryCallbacks()) ctx.onError(error, 'a notifyOnExpire callback or dispose');
    // Handlers read the session's last state through a handle of their own, which cannot change it.
    const ended = new ctx.SessionClass({ [kState]: state, clock: ctx.clock });
    ended[kClose]('ended', ctx.clock());
    this.notify(new SessionExpired(ended), 'an ISessionExpired handler');
  }

  /** Notifies the registry's subscribers; a handler's error is logged, not thrown. */
  notify(event: SessionCreated | SessionExpired, what: string): void {
    try {
      this.ctx.reg().notify(event);
    } catch (e) {
      this.ctx.onError(e, what);
    }
  }

  /**
   * Claims the ended sessions from the store, `SWEEP_BATCH` at a time, and ends each (`decode`
   * builds the state of one this process does not hold live), letting the event loop serve what
   * waits between batches; returns how many.
   */
  async endClaimed(now: number, decode: (uid: string, entry: StoredEntry) => SessionState | undefined): Promise<number> {
    const ctx = this.ctx;
    let ended = 0;
    for (;;) {
      const batch = await ctx.store.sweep(now, SWEEP_BATCH);
      for (const { id, payload } of batch) {
        if (id.includes(ROUTED)) continue;
        const live = ctx.live.get(id);
        if (live && ctx.locks.isHeld(id)) {
          // A request holds it right now: it stays, and is written back at commit.
          ledger(live).payload = undefined;
          continue;
        }
        const state = live ?? decode(id, { payload, version: 1, expires: now }); // (the version of an ended session is never used)
        if (!state) continue;
        await this.end(state, true);
        ended++;
      }
      if (batch.length < SWEEP_BATCH) break;
      await nextTurn();
    }
    return ended;
  }

  /**
   * Drops what expired in the stores of routed namespaces — a session's entries there go with
   * it when it ends; this catches the rest (a process that died before) — `SWEEP_BATCH` per turn
   * of the event loop as well.
   */
  async sweepRouted(now: number): Promise<void> {
    for (const store of new Set(this.ctx.routes().values())) {
      while ((await store.sweep(now, SWEEP_BATCH)).length >= SWEEP_BATCH) await nextTurn();
    }
  }
}
