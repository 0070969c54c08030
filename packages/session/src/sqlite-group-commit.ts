/**
 * Group commit for `SqliteStore`: the writes one process makes in a turn of the event loop go to
 * the database in one transaction.
 *
 * In WAL mode most of an autocommit write is the transaction around it (file locks, the WAL
 * commit), not the statement: a lease or commit `UPDATE` costs ~15 µs of CPU on its own and ~3 µs
 * in a transaction of 16. So the first write of a turn runs at once, on its own, and answers
 * synchronously — a lone request never waits. Every later call of that turn joins a queue that
 * runs, in call order, in one IMMEDIATE transaction at the end of the turn; its promise settles
 * only once that transaction is committed, so nothing is acknowledged before it is durable, and a
 * failed transaction fails every call in it. Reads made while a queue is open join it too, so each
 * caller sees its own writes in program order.
 */
// Not the global: an application's fake timers must not hold its sessions' writes back.
import { setImmediate } from 'node:timers';
import type BetterSqlite3 from 'better-sqlite3';

type Db = BetterSqlite3.Database;

interface Queued {
  readonly operation: string;
  readonly fn: () => unknown;
  /** The answer when the database is busy (held by another process) rather than an error. */
  readonly busy: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The per-call outcome inside the group's transaction. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const NO_BUSY_ANSWER: unique symbol = Symbol('no busy answer');

/** Runs a store's statements, grouping the writes of one turn into one transaction. */
export class GroupCommit {
  #queue: Queued[] | null = null;
  #wroteThisTurn = false;
  readonly #transaction: (group: readonly Queued[]) => Outcome[];

  constructor(
    db: Db,
    /** Wraps a backend error as the store reports it. */
    private readonly wrap: (operation: string, error: unknown) => Error,
    /** True for SQLITE_BUSY: another process holds the write lock longer than the busy wait. */
    private readonly isBusy: (error: unknown) => boolean,
  ) {
    const run = db.transaction((group: readonly Queued[]): Outcome[] =>
      // A statement that fails is undone alone (SQLite rolls back that statement); the others stand.
      group.map((q): Outcome => {
        try {
          return { ok: true, value: q.fn() };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    this.#transaction = (group) => run.immediate(group);
  }

  /** Runs a read: at once, or after the queued calls of this turn when there are any. */
  read<T>(operation: string, fn: () => T): T | Promise<T> {
    if (this.#queue === null) return this.#now(operation, fn);
    return this.#enqueue(operation, fn, NO_BUSY_ANSWER);
  }

  /**
   * Runs a write: at once when it is the first of this turn, otherwise with the rest of the turn
   * in one transaction. `busy` is the answer when the database is held by another process
   * (`acquire` treats that as a busy session); without it that is an error.
   */
  write<T>(operation: string, fn: () => T, busy?: T): T | Promise<T> {
    if (this.#queue !== null) return this.#enqueue(operation, fn, busy === undefined ? NO_BUSY_ANSWER : busy);
    if (this.#wroteThisTurn) {
      this.#queue = [];
      return this.#enqueue(operation, fn, busy === undefined ? NO_BUSY_ANSWER : busy);
    }
    this.#wroteThisTurn = true;
    setImmediate(() => this.flush());
    return this.#now(operation, fn);
  }

  /** Commits what is queued now (the end of the turn, or before the database closes). */
  flush(): void {
    this.#wroteThisTurn = false;
    const group = this.#queue;
    this.#queue = null;
    if (group === null) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.#transaction(group);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the group is written.
      for (const q of group) {
        if (q.busy !== NO_BUSY_ANSWER && this.isBusy(error)) q.resolve(q.busy);
        else q.reject(this.wrap(q.operation, error));
      }
      return;
    }
    group.forEach((q, i) => {
      const o = outcomes[i]!;
      if (o.ok) q.resolve(o.value);
      else q.reject(this.wrap(q.operation, o.error));
    });
  }

  #now<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.wrap(operation, e);
    }
  }

  #enqueue<T>(operation: string, fn: () => T, busy: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue!.push({ operation, fn, busy, resolve: resolve as (value: unknown) => void, reject });
    });
  }
}
