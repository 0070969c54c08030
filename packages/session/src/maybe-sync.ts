/**
 * Chains that stay synchronous while every step is: MemoryStore and SqliteStore answer with plain
 * values, RedisStore with promises, and the manager's commit runs the same code for all of them —
 * without a promise, and without a turn of the microtask queue, where nothing has to wait.
 * Internal: never re-exported from index.ts.
 */

/** What a step gives: a value now, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** True for a promise or another thenable: what a store method returns when it answers asynchronously. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `next(value)` now when `value` is plain, else once it resolves. */
export function then<T, R>(value: T | PromiseLike<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value);
}
