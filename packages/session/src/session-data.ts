/**
 * `SessionData`: the Map-like data one package keeps in a session (Zope's `ISessionPkgData`),
 * as returned by `session.namespace('products.foo')`.
 */
import { implementer } from '@dovetail/interfaces';
import { ISessionPkgData } from './contracts.js';

/**
 * The data of one package in one session. Keys are strings; values must be storable by the
 * session codec (checked at commit, not here — as Zope checks picklability at commit).
 *
 * @example
 * ```ts
 * const foo = session.namespace('products.foo');
 * foo.set('color', 'red');
 * foo.get('color'); // 'red'
 * ```
 */
@implementer(ISessionPkgData)
export class SessionData {
  readonly #values: Map<string, unknown>;

  /** @param name - the package id this data belongs to. */
  constructor(
    readonly name: string,
    values: Iterable<[string, unknown]> = [],
  ) {
    this.#values = new Map(values);
  }

  /** The value under `key`, or `fallback` (default `undefined`). */
  get<T = unknown>(key: string, fallback?: T): T | undefined {
    return this.#values.has(key) ? (this.#values.get(key) as T) : fallback;
  }

  /** Sets `key` to `value`; returns this, as `Map#set` does. */
  set(key: string, value: unknown): this {
    this.#values.set(key, value);
    return this;
  }

  /** True when `key` is set. */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** Removes `key`; true when it was set. */
  delete(key: string): boolean {
    return this.#values.delete(key);
  }

  /** Removes every key. */
  clear(): void {
    this.#values.clear();
  }

  /** How many keys are set. */
  get size(): number {
    return this.#values.size;
  }

  /** The keys. */
  keys(): IterableIterator<string> {
    return this.#values.keys();
  }

  /** The values. */
  values(): IterableIterator<unknown> {
    return this.#values.values();
  }

  /** The `[key, value]` pairs. */
  entries(): IterableIterator<[string, unknown]> {
    return this.#values.entries();
  }

  /** Iterates `[key, value]` pairs. */
  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.#values.entries();
  }

  /** A plain object of the data, as stored. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }
}
