/**
 * A map that remembers only what was used lately: two generations of at most `capacity`
 * entries each. New entries go into the current generation; when it is full it becomes the
 * previous one and the one before is dropped whole. An entry found in the previous generation
 * moves back into the current one, so whatever is still in use stays, and memory never exceeds
 * two generations — without an LRU list to keep up on every hit, and without the cliff of
 * clearing everything at once.
 */
export class RecentMap<K, V> {
  #current = new Map<K, V>();
  #previous = new Map<K, V>();

  /** @param capacity entries per generation: at most twice as many are kept. */
  constructor(readonly capacity: number) {}

  /** How many entries are kept now (at most `2 × capacity`). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** The value of `key`, if remembered; using it keeps it for another generation. */
  get(key: K): V | undefined {
    const value = this.#current.get(key);
    if (value !== undefined) return value;
    const old = this.#previous.get(key);
    if (old !== undefined) {
      this.#previous.delete(key);
      this.set(key, old);
    }
    return old;
  }

  /** Remembers `value` under `key` in the current generation. */
  set(key: K, value: V): void {
    if (this.#current.size >= this.capacity && !this.#current.has(key)) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, value);
  }

  /** Forgets `key`, in both generations. */
  delete(key: K): void {
    this.#current.delete(key);
    this.#previous.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }
}
