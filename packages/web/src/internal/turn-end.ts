/**
 * The responses that are ready in one turn of the event loop are written together, at its end.
 *
 * Node reads every socket that has a request in one pass (the poll phase) and runs each
 * request's handler as it reads it; a handler that answers without waiting on a store (a
 * MemoryStore session, a page that renders at once) would write its response there and then,
 * one `writev` among the reads. Written in the check phase that follows the pass instead, the
 * turn's responses leave back to back: the kernel then wakes a client (or a proxy) waiting on
 * several of them once, not once per response, and each `writev` costs less. A response waits
 * at most for the rest of the pass it was ready in: the handlers of the requests read with it.
 *
 * The Site and the Express middleware use it only for responses ready in the pass that read
 * their request: those a store's answer lets go (SQLite's group commit, a Redis reply) already
 * leave back to back, and held for the next check phase they would wait for a whole turn of new
 * requests.
 *
 * `setImmediate` comes from node:timers, not the global: a test's fake timers replace the global
 * and would otherwise hold every response until the test advanced them.
 */
import { setImmediate } from 'node:timers';

let due: Array<() => void> | null = null;

/** Runs `write` at the end of this turn of the event loop, with every other write asked for in it, in the order asked. */
export function atTurnEnd(write: () => void): void {
  if (due === null) {
    due = [];
    setImmediate(writeDue);
  }
  due.push(write);
}

function writeDue(): void {
  const writes = due!;
  due = null;
  // A write must not throw: the Site and the Express middleware answer their own errors.
  for (const write of writes) write();
}
