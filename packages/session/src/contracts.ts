/**
 * The interfaces of @dovetail/session: what a session is (`ISession`), what keeps package data
 * (`ISessionDataContainer`, Zope's named data containers), and the session events.
 *
 * Contracts come first: each interface is typed by a TypeScript contract type declared here (or,
 * for stores, in store.ts), and the classes `implements` it. Nothing here imports an
 * implementation, as zope's interfaces.py imports nothing from the modules that implement it.
 */
import { Attribute, defineInterface, implementer, Method } from '@dovetail/interfaces';
import { IObjectEvent } from '@dovetail/registry';
import type { SessionStore } from './store.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/** The Map-like data one package keeps in a session (Zope's `ISessionPkgData`); implemented by `SessionData`. */
export interface SessionPkgData extends Iterable<[string, unknown]> {
  /** The package id. */
  readonly name: string;
  /** The value under `key`, or `fallback`. */
  get<T = unknown>(key: string, fallback?: T): T | undefined;
  /** Sets `key`; returns this. */
  set(key: string, value: unknown): this;
  /** True when `key` is set. */
  has(key: string): boolean;
  /** Removes `key`; true when it was set. */
  delete(key: string): boolean;
  /** Removes every key. */
  clear(): void;
  /** How many keys are set. */
  readonly size: number;
  /** The keys. */
  keys(): IterableIterator<string>;
  /** The values. */
  values(): IterableIterator<unknown>;
  /** The `[key, value]` pairs. */
  entries(): IterableIterator<[string, unknown]>;
  /** A plain object of the data, as stored. */
  toJSON(): Record<string, unknown>;
}

/**
 * What a session is (Twisted's `Session`, Pyramid's `ISession`, Zope's `ISession`): implemented by
 * `Session`. One request's handle on it; every change throws `SessionClosedError` once the
 * request's commit has started.
 */
export interface SessionContract {
  /** The session id (at least 128 random bits). Reading it counts as using the session: a new session is then stored. */
  readonly uid: string;
  /** When the session was created, epoch ms. */
  readonly created: number;
  /** When it was last accessed, epoch ms. */
  readonly lastAccessed: number;
  /** Seconds of inactivity after which it ends. */
  timeout: number;
  /** True until the session has been stored once. */
  readonly isNew: boolean;
  /** True for a session handed out over HTTPS. */
  readonly secure: boolean;
  /** True once it was expired or timed out. */
  readonly expired: boolean;
  /** Records an access now. */
  touch(): void;
  /** Ends the session (idempotent). */
  expire(): void;
  /** Pyramid's name for `expire()`. */
  invalidate(): void;
  /** A new id, the same data (at login). */
  regenerate(): void;
  /** Calls `callback` when the session ends. */
  notifyOnExpire(callback: () => unknown): void;
  /** Marks the session as changed. */
  changed(): void;
  /** The component kept for `iface`, built by adapter on first use; else `undefined`. */
  getComponent<T>(iface: InterfaceSpec<T>): T | undefined;
  /** The component kept for `iface`, built by adapter on first use; else `fallback`. */
  getComponent<T, F>(iface: InterfaceSpec<T>, fallback: F): T | F;
  /** Keeps a component for `iface`. */
  setComponent<T>(iface: InterfaceSpec<T>, component: T): void;
  /** The dictionary view: the value under `key`, or `fallback`. */
  get<T = unknown>(key: string, fallback?: T): T | undefined;
  /** Sets `key`; returns this. */
  set(key: string, value: unknown): this;
  /** True when `key` is set. */
  has(key: string): boolean;
  /** Removes `key`; true when it was set. */
  delete(key: string): boolean;
  /** The keys of the dictionary view. */
  keys(): IterableIterator<string>;
  /** The `[key, value]` pairs of the dictionary view. */
  entries(): IterableIterator<[string, unknown]>;
  /** How many keys the dictionary view has. */
  readonly size: number;
  /** Removes every key of the dictionary view. */
  clear(): void;
  /** The data of package `pkgId`. */
  namespace(pkgId: string): SessionPkgData;
  /** The package ids that have data. */
  namespaces(): string[];
  /** Adds a flash message to `queue`. */
  flash(message: unknown, queue?: string, allowDuplicate?: boolean): void;
  /** Removes and returns the messages of `queue`. */
  popFlash(queue?: string): unknown[];
  /** The messages of `queue`, left in place. */
  peekFlash(queue?: string): unknown[];
  /** Makes, keeps and returns a new CSRF token. */
  newCsrfToken(): string;
  /** The CSRF token, made on first use. */
  getCsrfToken(): string;
}

/**
 * A session (Twisted's `Session`, Nevow's `ISession`, Pyramid's `ISession`, Zope's `ISession`).
 * `ISession(request)` gives the request's session once it is loaded.
 */
export const ISession: InterfaceSpec<SessionContract> = defineInterface<SessionContract>('dovetail.session.ISession', {
  doc: 'A session: components, dictionary data and package data kept for one client.',
  members: {
    uid: Attribute('The session id (at least 128 random bits).'),
    getComponent: Method('The component kept for an interface, built by adapter on first use; else fallback.', { params: ['iface', 'fallback'] }),
    setComponent: Method('Keep a component for an interface.', { params: ['iface', 'component'] }),
    expire: Method('End the session now.'),
    touch: Method('Record an access now.'),
    notifyOnExpire: Method('Call back when the session ends.', { params: ['callback'] }),
  },
});

/** Package data: the Map-like data one package keeps in a session (Zope's `ISessionPkgData`). */
export const ISessionPkgData: InterfaceSpec<SessionPkgData> = defineInterface<SessionPkgData>('dovetail.session.ISessionPkgData', {
  doc: 'The data one package keeps in a session; must be storable by the session codec.',
});

/**
 * Where session data is kept (Zope's `ISessionDataContainer`): register a `SessionStore` as a
 * utility providing it, named after a package id, and that package's data goes there.
 *
 * @example
 * ```ts
 * registry.registerUtility(new SqliteStore({ path: 'var/foo.db' }), ISessionDataContainer, { name: 'products.foo' });
 * ```
 */
export const ISessionDataContainer: InterfaceSpec<SessionStore> = defineInterface<SessionStore>('dovetail.session.ISessionDataContainer', {
  doc: 'Keeps session data (the SessionStore contract); named utilities route package data to their store.',
  members: {
    name: Attribute('A short name for messages and logs.'),
    inProcess: Attribute('True when the store lives in this process only.'),
    get: Method('The entry for an id, or undefined.', { params: ['id', 'now'] }),
    set: Method('Compare-and-set write; the new version, or undefined on conflict.', { params: ['id', 'payload', 'expires', 'expectedVersion'] }),
    touch: Method('Move the expiry without rewriting.', { params: ['id', 'expires'] }),
    delete: Method('Remove an entry; the holder of a live lease on it, other than owner, is told.', { params: ['id', 'owner'] }),
    sweep: Method('Claim expired entries, each once.', { params: ['now', 'limit'] }),
    close: Method('Close connections and timers.'),
  },
});

/** The event about a session: `object` is the session. */
export interface SessionEvent {
  /** The session the event is about. */
  readonly object: SessionContract;
}

/** Sent once when a new session is first stored. */
export const ISessionCreated: InterfaceSpec<SessionEvent> = defineInterface<SessionEvent>('dovetail.session.ISessionCreated', {
  extends: [IObjectEvent],
  doc: 'A new session was stored for the first time.',
});

/** Sent once per ended session (expired by time, expire(), invalidate()), its last data readable. */
export const ISessionExpired: InterfaceSpec<SessionEvent> = defineInterface<SessionEvent>('dovetail.session.ISessionExpired', {
  extends: [IObjectEvent],
  doc: 'A session ended; its last committed data is still readable on the event object.',
});

/**
 * The event notified when a session is first stored.
 *
 * @example
 * ```ts
 * registry.registerHandler((e: SessionCreated) => log(e.object.uid), [ISessionCreated]);
 * ```
 */
@implementer(ISessionCreated)
export class SessionCreated implements SessionEvent {
  constructor(readonly object: SessionContract) {}
}

/**
 * The event notified once when a session ends.
 *
 * @example
 * ```ts
 * registry.registerHandler((e: SessionExpired) => cleanUp(e.object), [ISessionExpired]);
 * ```
 */
@implementer(ISessionExpired)
export class SessionExpired implements SessionEvent {
  constructor(readonly object: SessionContract) {}
}
