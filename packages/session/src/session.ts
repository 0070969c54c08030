/**
 * `Session`: one client's session, with three views of its data — components (Twisted, Nevow),
 * a dictionary (Pyramid) and package data (Zope) — all persisted the same way.
 *
 * A session is handed out by `Sessions` (the manager) with its lock held, and written back by
 * `sessions.commit()`. The session only records what happened (data, `expire()`,
 * `regenerate()`); the manager does the storing. How components are stored and restored is in
 * session-record.ts.
 */
import { randomBytes } from 'node:crypto';
import { implementer, interfaceNamed } from '@dovetail/interfaces';
import { Componentized, getCurrentRegistry } from '@dovetail/registry';
import { ISession } from './contracts.js';
import { SessionData } from './session-data.js';
import { restoreComponent, storeComponent, temporary } from './session-record.js';
import type { SessionRecord, StoredComponent } from './session-record.js';
import type { Registry } from '@dovetail/registry';

export { registerSessionClass } from './session-record.js';
export type { RestorableClass, SessionRecord, StoredComponent } from './session-record.js';

/** How the manager is told about things that happen outside a request (internal). */
export interface SessionOwner {
  /** The session was expired while no request held it: delete it now. */
  expiredOutsideRequest(session: Session): void;
  /** The time now, in milliseconds since the epoch, by the manager's clock. */
  now(): number;
}

/** A fresh session id: 32 random bytes, base64url (256 bits). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const FLASH = '_f_';
const CSRF = '_csrft_';

/**
 * One client's session.
 *
 * @example
 * ```ts
 * const session = await request.getSession();
 * ICounter(session).value += 1;       // components
 * session.set('visits', 3);           // dictionary
 * session.namespace('products.foo').set('color', 'red'); // package data
 * ```
 * @see docs/guide/sessions.md
 */
@implementer(ISession)
export class Session extends Componentized {
  /** The session id. Changes with `regenerate()`. */
  uid: string;
  /** When the session was created, epoch milliseconds. */
  created: number;
  /** When it was last accessed, epoch milliseconds. */
  lastAccessed: number;
  /** Seconds of inactivity after which it ends. */
  timeout: number;
  /** True until the session has been stored once. */
  isNew: boolean;
  /** True for a session handed out over HTTPS: never given to a plain-HTTP request. */
  readonly secure: boolean;
  /** True once `expire()`/`invalidate()` was called or the session timed out. */
  expired = false;

  readonly #data = new Map<string, unknown>();
  readonly #namespaces = new Map<string, SessionData>();
  #callbacks: (() => unknown)[] = [];
  #forced = false;
  #retiredUids: string[] = [];
  #held = false;
  #owner: SessionOwner | null;

  /** Use `sessions.create()`; constructing a session directly gives one no manager stores. */
  constructor(options: { uid?: string; created?: number; timeout?: number; secure?: boolean; isNew?: boolean; owner?: SessionOwner | null } = {}) {
    super();
    this.#owner = options.owner ?? null;
    const now = this.#now();
    this.uid = options.uid ?? newSessionId();
    this.created = options.created ?? now;
    this.lastAccessed = now;
    this.timeout = options.timeout ?? 900;
    this.secure = options.secure ?? false;
    this.isNew = options.isNew ?? true;
  }

  #now(): number {
    return this.#owner ? this.#owner.now() : Date.now();
  }

  // ------------------------------------------------------------------------------ lifecycle

  /** Records an access now (Twisted's `touch`); the manager persists it at most once per `resolution`. */
  touch(): void {
    this.lastAccessed = this.#now();
  }

  /**
   * Ends the session now: its `notifyOnExpire` callbacks run (each even if another throws),
   * it is deleted from the store, and a later `getSession()` in the same request gives a
   * fresh session. Idempotent.
   *
   * @example
   * ```ts
   * request.getSession().then((s) => s.expire());
   * ```
   */
  expire(): void {
    if (this.expired) return;
    this.expired = true;
    if (!this.#held) this.#owner?.expiredOutsideRequest(this);
  }

  /** Pyramid's name for {@link Session.expire}: drop the session and everything in it. */
  invalidate(): void {
    this.expire();
  }

  /**
   * Gives the session a new id and keeps its data; the old id stops working at commit. Call it
   * at login, against session fixation.
   *
   * @example
   * ```ts
   * session.regenerate(); session.set('user', name);
   * ```
   */
  regenerate(): void {
    this.#retiredUids.push(this.uid);
    this.uid = newSessionId();
    this.#forced = true;
  }

  /**
   * Calls `callback` when the session ends. Callbacks live with the session object: they run
   * for sessions that end while this process holds them (always with MemoryStore); the
   * `ISessionExpired` event reaches every ended session in every store.
   *
   * @example
   * ```ts
   * session.notifyOnExpire(() => manager.close());
   * ```
   */
  notifyOnExpire(callback: () => unknown): void {
    this.#callbacks.push(callback);
  }

  /** Marks the session as changed, so that the next commit writes it even if its data looks the same. */
  changed(): void {
    this.#forced = true;
  }

  // ------------------------------------------------------------------------------ dictionary view

  /** The value under `key`, or `fallback` (Pyramid's `session.get`). */
  get<T = unknown>(key: string, fallback?: T): T | undefined {
    return this.#data.has(key) ? (this.#data.get(key) as T) : fallback;
  }

  /** Sets `key` (Pyramid's `session[key] = value`); checked by the codec at commit. Returns this. */
  set(key: string, value: unknown): this {
    this.#data.set(key, value);
    return this;
  }

  /** True when `key` is set. */
  has(key: string): boolean {
    return this.#data.has(key);
  }

  /** Removes `key`; true when it was set. */
  delete(key: string): boolean {
    return this.#data.delete(key);
  }

  /** The keys of the dictionary view. */
  keys(): IterableIterator<string> {
    return this.#data.keys();
  }

  /** The `[key, value]` pairs of the dictionary view. */
  entries(): IterableIterator<[string, unknown]> {
    return this.#data.entries();
  }

  /** How many keys the dictionary view has. */
  get size(): number {
    return this.#data.size;
  }

  /** Removes every key of the dictionary view (components and package data stay). */
  clear(): void {
    this.#data.clear();
  }

  // ------------------------------------------------------------------------------ package data

  /**
   * The data of package `pkgId` (Zope's `ISession(request)[pkg_id]`), created on first use.
   * Stored with the session, or in the `ISessionDataContainer` utility named `pkgId` if one is
   * registered.
   *
   * @example
   * ```ts
   * session.namespace('products.foo').set('color', 'red');
   * ```
   */
  namespace(pkgId: string): SessionData {
    let ns = this.#namespaces.get(pkgId);
    if (!ns) this.#namespaces.set(pkgId, (ns = new SessionData(pkgId)));
    return ns;
  }

  /** The package ids that have data. */
  namespaces(): string[] {
    return [...this.#namespaces.keys()];
  }

  // ------------------------------------------------------------------------------ Pyramid extras

  /**
   * Adds a flash message to `queue` (not twice when `allowDuplicate` is false).
   *
   * @example
   * ```ts
   * session.flash('Your item was added.');
   * ```
   */
  flash(message: unknown, queue = '', allowDuplicate = true): void {
    const list = (this.#data.get(FLASH + queue) as unknown[] | undefined) ?? [];
    if (!allowDuplicate && list.some((m) => m === message)) return;
    this.#data.set(FLASH + queue, [...list, message]);
  }

  /** Removes and returns the messages of `queue` (each shown once). */
  popFlash(queue = ''): unknown[] {
    const list = (this.#data.get(FLASH + queue) as unknown[] | undefined) ?? [];
    this.#data.delete(FLASH + queue);
    return list;
  }

  /** Returns the messages of `queue` without removing them. */
  peekFlash(queue = ''): unknown[] {
    return [...((this.#data.get(FLASH + queue) as unknown[] | undefined) ?? [])];
  }

  /** Makes, keeps and returns a new CSRF token (40 hex characters, as Pyramid). */
  newCsrfToken(): string {
    const token = randomBytes(20).toString('hex');
    this.#data.set(CSRF, token);
    return token;
  }

  /** The CSRF token, made on first use. */
  getCsrfToken(): string {
    const token = this.#data.get(CSRF);
    return typeof token === 'string' ? token : this.newCsrfToken();
  }

  /** @returns `<Session abc123…>` (never the whole id). */
  override toString(): string {
    return `<Session ${this.uid.slice(0, 6)}…>`;
  }

  // ------------------------------------------------------------------------------ for the manager

  /** @internal Whether a request holds the session (its lock is taken). */
  set held(held: boolean) {
    this.#held = held;
  }

  /** @internal The ids given up by `regenerate()` since the last commit. */
  takeRetiredUids(): string[] {
    const retired = this.#retiredUids;
    this.#retiredUids = [];
    return retired;
  }

  /** @internal True when `changed()` or `regenerate()` asked for a write; resets the flag. */
  takeForced(): boolean {
    const forced = this.#forced;
    this.#forced = false;
    return forced;
  }

  /** @internal Runs every expiry callback once, each even if another throws; returns their errors. */
  runExpiryCallbacks(): unknown[] {
    const errors: unknown[] = [];
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const cb of callbacks) {
      try {
        cb();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const [, component] of this.componentEntries()) {
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
   * @internal The session as a record for the codec.
   * @throws SessionDataError (`DT_SESSION_DATA`) for a component that could not be restored.
   */
  toRecord(registry: Registry, skipNamespaces: ReadonlySet<string> | null, withLastAccess = true): SessionRecord {
    const components: Record<string, StoredComponent> = {};
    for (const [iface, component] of this.componentEntries()) {
      if (temporary(component)) continue;
      components[iface.name] = storeComponent(this, iface, component, registry);
    }
    const namespaces: Record<string, Record<string, unknown>> = {};
    for (const [name, ns] of this.#namespaces) {
      if (ns.size > 0 && !skipNamespaces?.has(name)) namespaces[name] = ns.toJSON();
    }
    // The manager keeps the last access in the store's expiry, not in the payload (so that an
    // access alone does not change it); building the record without it keeps the object in
    // V8's fast mode, which `delete` would not (with the await-free load: 4.2 → 2.9 µs per load + commit).
    const record = {
      created: this.created,
      timeout: this.timeout,
      secure: this.secure,
      data: Object.fromEntries(this.#data),
      namespaces,
      components,
    };
    return withLastAccess ? { ...record, lastAccessed: this.lastAccessed } : (record as SessionRecord);
  }

  /**
   * @internal Replaces everything in the session by `record` (loading, or rolling back a live
   * session to its last committed state).
   * @returns the names of components that could not be restored.
   */
  applyRecord(record: SessionRecord, registry: Registry = getCurrentRegistry()): string[] {
    this.created = record.created;
    this.lastAccessed = record.lastAccessed;
    this.timeout = record.timeout;
    this.#data.clear();
    for (const [k, v] of Object.entries(record.data)) this.#data.set(k, v);
    this.#namespaces.clear();
    for (const [name, values] of Object.entries(record.namespaces)) this.#namespaces.set(name, new SessionData(name, Object.entries(values)));
    for (const [iface] of [...this.componentEntries()]) this.dropComponent(iface);
    const lost: string[] = [];
    for (const [name, stored] of Object.entries(record.components)) {
      const iface = interfaceNamed(name);
      if (!iface) {
        lost.push(name);
        continue;
      }
      const restored = restoreComponent(this, iface, stored, registry);
      if (restored === undefined) lost.push(name);
      else this.keepComponent(iface, restored);
    }
    return lost;
  }

  /** @internal Sets the data of one routed namespace (loaded from its own store). */
  applyNamespace(name: string, values: Record<string, unknown>): void {
    this.#namespaces.set(name, new SessionData(name, Object.entries(values)));
  }

  /** @internal The data of one namespace as stored, or undefined when empty. */
  namespaceRecord(name: string): Record<string, unknown> | undefined {
    const ns = this.#namespaces.get(name);
    return ns && ns.size > 0 ? ns.toJSON() : undefined;
  }
}
