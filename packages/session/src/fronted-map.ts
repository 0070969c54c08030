/**
 * A big table with the entries used lately kept again in a small one in front of it.
 *
 * A lookup in a `Map` of a million entries walks a bucket chain through memory that no request
 * touched lately: the bucket, the entry, and every other key of the chain, strings scattered
 * over the heap (a cache and TLB miss each). On a site the sessions busy at any moment are few,
 * and in the small table they stay in cache: finding them then costs about the same among a
 * thousand live sessions or a million. Internal: never re-exported from index.ts.
 */
import { RecentMap } from './recent-map.js';

/** Entries used lately, per generation of the table in front (as many as the signer remembers). */
const FRONT = 4096;

/**
 * A `Map` for many entries, of which few are busy. Every entry of the front is in the table with
 * the same value, so `set` of the value already there touches only the front.
 */
export class FrontedMap<K, V> implements Iterable<[K, V]> {
  readonly #all = new Map<K, V>();
  readonly #front: RecentMap<K, V>;

  /** @param front entries kept in front, per generation (at most twice as many). */
  constructor(front = FRONT) {
    this.#front = new RecentMap(front);
  }

  /** How many entries there are. */
  get size(): number {
    return this.#all.size;
  }

  /** The value of `key`; it is kept in front for the next lookups. */
  get(key: K): V | undefined {
    const near = this.#front.get(key);
    if (near !== undefined) return near;
    const value = this.#all.get(key);
    if (value !== undefined) this.#front.set(key, value);
    return value;
  }

  /** The value of `key`, without bringing it to the front. */
  peek(key: K): V | undefined {
    return this.#all.get(key);
  }

  /** True when `key` has an entry. */
  has(key: K): boolean {
    return this.#all.has(key);
  }

  /** The value of `key` when it was used lately (it is in front), else `undefined`. */
  near(key: K): V | undefined {
    return this.#front.get(key);
  }

  /**
   * Sets `key` to `value`, kept in front as in use; `busy: false` for a key that may never be
   * used again (a new session: most never come back), which then goes behind only.
   */
  set(key: K, value: V, busy = true): void {
    const near = this.#front.get(key);
    if (near === value) return;
    this.#all.set(key, value);
    if (busy || near !== undefined) this.#front.set(key, value);
  }

  /** Removes `key`; true when it had an entry. */
  delete(key: K): boolean {
    this.#front.delete(key);
    return this.#all.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#front.clear();
    this.#all.clear();
  }

  /** The entries in the order they were first set, as a `Map`'s. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.#all[Symbol.iterator]();
  }
}
