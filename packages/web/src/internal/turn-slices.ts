/**
 * The requests one pass of the event loop reads are started a slice at a time, on a store whose
 * client writes at the end of a turn.
 *
 * Node reads every socket that has a request in one pass (the poll phase) and runs each
 * request's handler as it reads it. A store client that pipelines (node-redis) writes the
 * commands asked of it in a turn when the turn ends, so with 32 requests read in one pass the
 * first request's command waits until the 32nd has been handled, and then the store works while
 * this process has nothing to do: process and store take turns instead of working side by side.
 * Once the store holds `SLICE` commands for the end of the turn (`SessionStore.queuedInTurn`),
 * the pass's next requests start in the check phase, after the client's write, and the store
 * answers those commands while the process handles the next slice. Requests that send nothing
 * (they wait for a session another request holds) start at once, as before.
 *
 * A request waits at most for the handlers of the slices before it: each slice starts in the
 * check phase after the one before it, its `setImmediate`s queued after the one the client queued
 * for its write. Requests that come while others wait start after them, in the order they came,
 * each in its own async context.
 *
 * Not for a store that answers in this process: SQLite's group commit takes a turn's commits in
 * one transaction, and slices would only split it.
 *
 * `setImmediate` comes from node:timers, not the global: a test's fake timers replace the global
 * and would otherwise hold every request.
 */
import { setImmediate } from 'node:timers';
import type { SessionStore } from '@dovetail/session';

/** How many commands the store may hold for the end of the turn before the pass starts no more requests. */
export const SLICE = 8;

/** Requests waiting for a slice. */
let waiting = 0;

/**
 * Runs `start` now, or at the end of the turn when the store already holds a slice of commands
 * for it (`queued`: the store's `queuedInTurn`) or other requests wait. `start` must not throw:
 * the Site and the Express middleware answer their own errors.
 */
export function startInSlice(start: () => void, queued: () => number): void {
  if (waiting === 0 && queued() < SLICE) {
    start();
    return;
  }
  waiting++;
  // One immediate a request, so that each starts in its own async context (AsyncLocalStorage).
  const tryAgain = (): void => {
    if (queued() >= SLICE) {
      // Queued after the write the client queued for the slice that just started.
      setImmediate(tryAgain);
      return;
    }
    waiting--;
    start();
  };
  setImmediate(tryAgain);
}

/** The store's `queuedInTurn`, bound, or null for a store without one (or no store). */
export function queuedInTurn(store: SessionStore | undefined): (() => number) | null {
  const queued = store?.queuedInTurn;
  return queued === undefined ? null : queued.bind(store);
}
