/**
 * The interfaces of @dovetail/session: what a session is (`ISession`), what keeps package data
 * (`ISessionDataContainer`, Zope's named data containers), and the session events.
 */
import { Attribute, defineInterface, implementer, Method } from '@dovetail/interfaces';
import { IObjectEvent } from '@dovetail/registry';
import type { SessionData } from './session-data.js';
import type { Session } from './session.js';
import type { SessionStore } from './store.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/**
 * A session (Twisted's `Session`, Nevow's `ISession`, Pyramid's `ISession`, Zope's `ISession`).
 * `ISession(request)` gives the request's session once it is loaded.
 */
export const ISession: InterfaceSpec<Session> = defineInterface<Session>('dovetail.session.ISession', {
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
export const ISessionPkgData: InterfaceSpec<SessionData> = defineInterface<SessionData>('dovetail.session.ISessionPkgData', {
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
    delete: Method('Remove an entry.', { params: ['id'] }),
    sweep: Method('Claim expired entries, each once.', { params: ['now', 'limit'] }),
    close: Method('Close connections and timers.'),
  },
});

/** The event about a session: `object` is the session. */
export interface SessionEvent {
  /** The session the event is about. */
  readonly object: Session;
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
  constructor(readonly object: Session) {}
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
  constructor(readonly object: Session) {}
}
