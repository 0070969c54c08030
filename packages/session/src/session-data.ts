/**
 * `SessionData`: the Map-like data one package keeps in a session (Zope's `ISessionPkgData`),
 * as returned by `session.namespace('products.foo')`; the session's dictionary view is one too.
 */
import { implementer } from '@dovetail/interfaces';
import { ISessionPkgData } from './contracts.js';
import { kBind, kCheckOpen } from './internal-symbols.js';
import type { SessionPkgData } from './contracts.js';

/** Who may change a bound `SessionData`: its session handle (internal). */
export interface WriteGuard {
  /** Throws `SessionClosedError` when the handle may no longer change the session. */
  [kCheckOpen](action: string): void;
}

/**
 * The data of one package in one session. Keys are strings; values must be storable by the
 * session codec (checked at commit, not here — as Zope checks picklability at commit).
 *
 * Got from a session, it changes that session: once the request's commit has started, every
 * change through it throws `SessionClosedError`, as changes through the session itself do.
 *
 * @example
 * ```ts
 * const foo = session.namespace('products.foo');
 * foo.set('color', 'red');
 * foo.get('color'); // 'red'
 * ```
 */
@implementer(ISessionPkgData)
export class SessionData implements SessionPkgData {
  #values: Map<string, unknown>;
  #guard: WriteGuard | null = null;

  /**
   * A free-standing SessionData (not part of any session).
   * @param name - the package id this data belongs to.
   */
  constructor(
    readonly name: string,
    values: Iterable<[string, unknown]> = [],
  ) {
    this.#values = new Map(values);
  }

  /** @internal A view over `values` (a session's own Map), whose changes `guard` allows. */
  static [kBind](name: string, values: Map<string, unknown>, guard: WriteGuard): SessionData {
    const data = new SessionData(name);
    data.#values = values;
    data.#guard = guard;
    return data;
  }

  /** The value under `key`, or `fallback` (default `undefined`). */
  get<T = unknown>(key: string, fallback?: T): T | undefined {
    return this.#values.has(key) ? (this.#values.get(key) as T) : fallback;
  }

  /**
   * Sets `key` to `value`; returns this, as `Map#set` does.
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) once the session's request committed.
   */
  set(key: string, value: unknown): this {
    this.#guard?.[kCheckOpen](`set('${key}')`);
    this.#values.set(key, value);
    return this;
  }

  /** True when `key` is set. */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /**
   * Removes `key`; true when it was set.
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) once the session's request committed.
   */
  delete(key: string): boolean {
    this.#guard?.[kCheckOpen](`delete('${key}')`);
    return this.#values.delete(key);
  }

  /**
   * Removes every key.
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) once the session's request committed.
   */
  clear(): void {
    this.#guard?.[kCheckOpen]('clear()');
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
