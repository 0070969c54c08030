/**
 * The requests one pass of the event loop reads are started a slice at a time.
 *
 * Node reads every socket that has a request in one pass (the poll phase) and runs each
 * request's handler as it reads it. A store client that pipelines (node-redis) writes the
 * commands asked of it in a turn when the turn ends, so with 32 requests read in one pass the
 * first request's command waits until the 32nd has been handled, and then the store works while
 * this process has nothing to do: process and store take turns instead of working side by side.
 * Started `SLICE` at a time, the rest of a pass's requests start at the end of the turn, after
 * the client has written what the first slice asked for, and the store answers those while the
 * process handles the next slice.
 *
 * A request waits at most for the handlers of the slices before it: each slice starts in the
 * check phase after the one before it, its `setImmediate`s queued after the one the client queued
 * for its write. Requests that come while others wait start after them, in the order they came,
 * each in its own async context.
 *
 * Only for a store that says it writes at the end of a turn (`SessionStore.writesAtTurnEnd`):
 * one that answers in this process gathers a turn's work already (SQLite's group commit takes
 * a turn's commits in one transaction), and slices would only split it.
 *
 * `setImmediate` comes from node:timers, not the global: a test's fake timers replace the global
 * and would otherwise hold every request.
 */
import { setImmediate } from 'node:timers';

/** How many requests a pass of the event loop starts before the rest wait for the end of the turn. */
export const SLICE = 8;

/** Requests started in the current slice. */
let started = 0;
/** Requests waiting for a slice. */
let waiting = 0;

/**
 * Runs `start` now, or at the end of the turn when this pass has already started a slice of
 * requests (or others wait). `start` must not throw: the Site and the Express middleware answer
 * their own errors.
 */
export function startInSlice(start: () => void): void {
  if (waiting === 0 && started < SLICE) {
    begin(start);
    return;
  }
  waiting++;
  // One immediate a request, so that each starts in its own async context (AsyncLocalStorage).
  const tryAgain = (): void => {
    if (started >= SLICE) {
      // Queued after the write the client queued for the slice that just ran.
      setImmediate(tryAgain);
      return;
    }
    waiting--;
    begin(start);
  };
  setImmediate(tryAgain);
}

function begin(start: () => void): void {
  if (started++ === 0) setImmediate(sliceEnded);
  start();
}

function sliceEnded(): void {
  started = 0;
}
