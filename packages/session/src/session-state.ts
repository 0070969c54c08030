/**
 * `SessionState`: what a session is apart from the request working on it — its ids and times,
 * the data of its three views, its components and expiry callbacks. The manager keeps one per
 * loaded session (MemoryStore keeps it between requests once the session has come back); each
 * request reaches it through its own `Session` handle, and a handle whose request has committed
 * can no longer change it.
 * Internal: never re-exported from index.ts.
 */
import { interfaceNamed } from '@dovetail/interfaces';
import { encode } from './codec.js';
import { restoreComponent, sameStored, snapshotOf, storeComponent, temporary } from './session-record.js';
import type { SessionRecord, StoredComponent, StoredRecord } from './session-record.js';
import type { Session } from './session.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { Registry } from '@dovetail/registry';

/** {@link SessionState.touched}: the request fetched, set or dropped a component. */
export const TOUCHED_COMPONENTS = 1;
/** {@link SessionState.touched}: the request used the dictionary or package data, or set the timeout or cookie lifetime. */
export const TOUCHED_DATA = 2;

const TOUCHED = TOUCHED_COMPONENTS | TOUCHED_DATA;
const SECURE = 4;
const NEW = 8;
const EXPIRED = 16;
const SHOWN = 32;
const FORCED = 64;

/** What {@link SessionState.takeRetiredUids} gives when no id was given up: one array for every commit. */
const NO_IDS: readonly string[] = Object.freeze([]);

/**
 * One session's state. Fields that most sessions never use stay `null` until used, and the
 * yes-or-no ones are bits of one number (a field each cost 8 bytes): MemoryStore keeps a million
 * of these.
 */
export class SessionState {
  uid: string;
  created: number;
  lastAccessed: number;
  timeout: number;
  /** The `TOUCHED_*` bits, `SECURE`, `NEW`, `EXPIRED`, `SHOWN` and `FORCED`: read and set through the accessors below. */
  #flags: number;
  /** The dictionary view's data. */
  data: Map<string, unknown> | null = null;
  /** Package data by package id. */
  namespaces: Map<string, Map<string, unknown>> | null = null;
  /** The components, shared by every handle on this state (each handle is a `Componentized` over this table). */
  readonly components = new Map<InterfaceSpec<unknown>, unknown>();
  callbacks: (() => unknown)[] | null = null;
  /** The ids given up by `regenerate()` since the last commit. */
  retired: string[] | null = null;
  /** The handle components refer to (the last one handed out); see {@link SessionState.rebind}. */
  handle: Session | null = null;
  /** Components a new session built by adaptation, with their state then (a copy, or encoded): not a change by themselves. */
  pristine: Map<InterfaceSpec<unknown>, StoredComponent | string> | null = null;
  /** This session's own cookie `Max-Age` in seconds (`null`: a browser-session cookie), or undefined for the manager's. */
  cookieMaxAge: number | null | undefined = undefined;
  /** What the manager that made this state knows of its stored copy (its own type; null for a free-standing session). */
  ledger: object | null = null;

  constructor(uid: string, created: number, timeout: number, secure: boolean, isNew: boolean) {
    this.uid = uid;
    this.created = created;
    this.lastAccessed = created;
    this.timeout = timeout;
    this.#flags = (secure ? SECURE : 0) | (isNew ? NEW : 0);
  }

  /**
   * What the request holding the session has used (`TOUCHED_*` bits; 0: nothing), set by its
   * handle and cleared when the next request gets a handle: what the commit must encode again.
   * A part the request did not use is as last committed — unless something kept past an earlier
   * commit changed it, which is not tracked (as a value changed in place after its commit).
   */
  get touched(): number {
    return this.#flags & TOUCHED;
  }
  set touched(bits: number) {
    this.#flags = (this.#flags & ~TOUCHED) | (bits & TOUCHED);
  }

  /** Sent only over HTTPS (kept under the secure cookie name). */
  get secure(): boolean {
    return (this.#flags & SECURE) !== 0;
  }

  /** Not yet stored. */
  get isNew(): boolean {
    return (this.#flags & NEW) !== 0;
  }
  set isNew(on: boolean) {
    this.#flag(NEW, on);
  }

  /** `expire()` was asked for, or the session has ended: its request's commit ends it, and no request gets it again. */
  get expired(): boolean {
    return (this.#flags & EXPIRED) !== 0;
  }
  set expired(on: boolean) {
    this.#flag(EXPIRED, on);
  }

  /** The uid was read through a handle (a page may show it): a new session is then stored. */
  get shown(): boolean {
    return (this.#flags & SHOWN) !== 0;
  }
  set shown(on: boolean) {
    this.#flag(SHOWN, on);
  }

  /** `changed()` or `regenerate()` asked for a write. */
  get forced(): boolean {
    return (this.#flags & FORCED) !== 0;
  }
  set forced(on: boolean) {
    this.#flag(FORCED, on);
  }

  #flag(bit: number, on: boolean): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit;
  }

  /** The ids given up by `regenerate()` since the last commit; resets them. */
  takeRetiredUids(): readonly string[] {
    const retired = this.retired;
    this.retired = null;
    return retired ?? NO_IDS;
  }

  /** True when `changed()` or `regenerate()` asked for a write; resets the flag. */
  takeForced(): boolean {
    const forced = this.forced;
    this.forced = false;
    return forced;
  }

  /**
   * Points the components' references to the session (an adapter's `original`, a `session`
   * property) at `handle`, the handle of the request now holding the session, so that a kept
   * component works on the open handle and never on a closed one.
   */
  rebind(handle: Session): void {
    const old = this.handle;
    this.handle = handle;
    if (old === null || old === handle) return;
    for (const component of this.components.values()) {
      if (component === null || typeof component !== 'object') continue;
      const props = component as Record<string, unknown>;
      for (const key in props) if (props[key] === old) props[key] = handle;
    }
  }

  /** Runs every expiry callback once, each even if another throws, then disposes the components; returns their errors. */
  runExpiryCallbacks(): unknown[] {
    const errors: unknown[] = [];
    const callbacks = this.callbacks ?? [];
    this.callbacks = null;
    for (const cb of callbacks) {
      try {
        cb();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const component of this.components.values()) {
      const dispose = (component as { [Symbol.dispose]?: () => void } | null)?.[Symbol.dispose];
      if (typeof dispose === 'function') {
        try {
          dispose.call(component);
        } catch (e) {
          errors.push(e);
        }
      }
    }
    return errors;
  }

  /**
   * The session as a record for the codec.
   * @throws SessionDataError (`DT_SESSION_DATA`) for a component that could not be restored.
   */
  toRecord(registry: Registry, skipNamespaces: ReadonlySet<string> | null, withLastAccess = true): SessionRecord {
    const components = this.componentsRecord(registry);
    const namespaces: Record<string, Record<string, unknown>> = {};
    if (this.namespaces !== null) {
      for (const [name, ns] of this.namespaces) {
        if (ns.size > 0 && !skipNamespaces?.has(name)) namespaces[name] = Object.fromEntries(ns);
      }
    }
    // The manager keeps the last access in the store's expiry, not in the payload (so that an
    // access alone does not change it); building the record without it keeps the object in
    // V8's fast mode, which `delete` would not (with the await-free load: 4.2 → 2.9 µs per load + commit).
    const record = {
      created: this.created,
      timeout: this.timeout,
      secure: this.secure,
      data: this.data === null ? {} : Object.fromEntries(this.data),
      namespaces,
      components,
    };
    // Added only when set (most sessions never set it): adding keeps the object in fast mode.
    if (this.cookieMaxAge !== undefined) (record as Partial<SessionRecord>).cookieMaxAge = this.cookieMaxAge;
    return withLastAccess ? { ...record, lastAccessed: this.lastAccessed } : (record as SessionRecord);
  }

  /**
   * The components as the record stores them (temporary adapters left out).
   * @throws SessionDataError (`DT_SESSION_DATA`) for a component that could not be restored.
   */
  componentsRecord(registry: Registry): Record<string, StoredComponent> {
    const components: Record<string, StoredComponent> = {};
    for (const [iface, component] of this.components) {
      if (temporary(component)) continue;
      components[iface.name] = storeComponent(this.handle!, iface, component, registry);
    }
    return components;
  }

  /**
   * True when `record` (this new session's) holds nothing but what was there when it was made:
   * no dictionary or package data, and only components built by adaptation that have not changed
   * since. Such a session is not stored (express-session's `saveUninitialized: false`).
   */
  isPristine(record: SessionRecord): boolean {
    if (record.cookieMaxAge !== undefined) return false;
    for (const _ in record.data) return false;
    for (const _ in record.namespaces) return false;
    if (this.namespaces !== null) for (const ns of this.namespaces.values()) if (ns.size > 0) return false;
    for (const [iface, component] of this.components) {
      if (temporary(component)) continue;
      const stored = record.components[iface.name];
      const before = this.pristine?.get(iface);
      if (stored === undefined || before === undefined) return false;
      if (typeof before === 'string' ? before !== encodeOrNull(stored) : !sameStored(before, stored)) return false;
    }
    return true;
  }

  /** Remembers what a component a new session just built by adaptation looks like stored. */
  rememberPristine(iface: InterfaceSpec<unknown>, component: unknown, registry: Registry): void {
    if (temporary(component)) return;
    let before: StoredComponent | string | null;
    try {
      const stored = storeComponent(this.handle!, iface, component, registry);
      before = snapshotOf(stored) ?? encodeOrNull(stored);
    } catch {
      before = null; // not storable: the commit will say so
    }
    if (before !== null) (this.pristine ??= new Map()).set(iface, before);
  }

  /**
   * Replaces everything in the session by `record` (loading, or rolling back a live session to
   * its last committed state) and its last access by `lastAccessed`; restored components refer
   * to `this.handle`. The last access comes apart because it is not in a stored payload: adding
   * it to a decoded record with a spread made an object so slow to read that this method took
   * 2.8 µs instead of 0.5 (with the spread itself, 0.7 µs more).
   * `shared`: the record's components are a twin's, which later loads read too (record-twin.ts).
   * @returns the names of components that could not be restored.
   */
  applyRecord(record: StoredRecord, lastAccessed: number, registry: Registry, shared = false): string[] {
    this.created = record.created;
    this.lastAccessed = lastAccessed;
    this.timeout = record.timeout;
    this.cookieMaxAge = record.cookieMaxAge;
    // Maps are refilled in place: a handle's views (its dictionary, its namespaces) stay on them.
    // Loops over own keys rather than `Object.entries`: a shared store's session is loaded at
    // every request, and most records have no data and one component.
    if (this.data !== null) refill(this.data, record.data);
    else if (hasOwnKeys(record.data)) this.data = new Map(Object.entries(record.data));
    if (this.namespaces !== null) for (const values of this.namespaces.values()) values.clear();
    for (const name in record.namespaces) if (Object.hasOwn(record.namespaces, name)) this.applyNamespace(name, record.namespaces[name]!);
    this.components.clear();
    const lost: string[] = [];
    for (const name in record.components) {
      if (!Object.hasOwn(record.components, name)) continue;
      const iface = interfaceNamed(name);
      if (!iface) {
        lost.push(name);
        continue;
      }
      const restored = restoreComponent(this.handle!, iface, record.components[name]!, registry, shared);
      if (restored === undefined) lost.push(name);
      else this.components.set(iface, restored);
    }
    return lost;
  }

  /** Sets the data of one namespace (loaded from the record or from its own store). */
  applyNamespace(name: string, values: Record<string, unknown>): void {
    const all = (this.namespaces ??= new Map());
    const existing = all.get(name);
    if (existing !== undefined) refill(existing, values);
    else all.set(name, new Map(Object.entries(values)));
  }

  /** The data of one namespace as stored, or undefined when empty. */
  namespaceRecord(name: string): Record<string, unknown> | undefined {
    const ns = this.namespaces?.get(name);
    return ns !== undefined && ns.size > 0 ? Object.fromEntries(ns) : undefined;
  }
}

/** Empties `map` and fills it with the own properties of `values`. */
function refill(map: Map<string, unknown>, values: Record<string, unknown>): void {
  map.clear();
  for (const key in values) if (Object.hasOwn(values, key)) map.set(key, values[key]);
}

/** True when `values` has an own enumerable property (without making the array `Object.keys` would). */
function hasOwnKeys(values: object): boolean {
  for (const key in values) if (Object.hasOwn(values, key)) return true;
  return false;
}

function encodeOrNull(stored: StoredComponent): string | null {
  try {
    return encode(stored);
  } catch {
    return null;
  }
}
