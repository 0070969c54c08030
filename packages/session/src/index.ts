/**
 * Sessions with three views of their data — components (`ICounter(session)`), a dictionary
 * (`session.get/set`) and package data (`session.namespace(pkg)`) — kept in memory, SQLite,
 * Redis or a cookie, with per-session locks so concurrent requests never lose an update.
 *
 * @see docs/guide/sessions.md
 *
 * @module @dovetail/session
 */

// Sessions and their manager
export { Session } from './session.js';
export { newSessionId } from './session-id.js';
export { registerSessionClass } from './session-record.js';
export { Sessions } from './sessions.js';
export { SessionData } from './session-data.js';
// Interfaces and events
export {
  ISession,
  ISessionPkgData,
  ISessionDataContainer,
  ISessionCreated,
  ISessionExpired,
  SessionCreated,
  SessionExpired,
} from './contracts.js';
// Stores
export { isClientSide, WAIT_TURN_MS } from './store.js';
export { MemoryStore } from './memory-store.js';
export { SqliteStore } from './sqlite-store.js';
export { RedisStore } from './redis-store.js';
export { CookieStore } from './cookie-store.js';
// Secrets
export { keptSecretFile } from './secret-file.js';
export { checkSecret } from './signing.js';
// The codec
export { encode, decode, codecVersion } from './codec.js';
// Errors
export {
  SessionError,
  SessionDataError,
  SessionBusyError,
  SessionConflictError,
  SessionStoreError,
  SessionNotReplicatedError,
  SessionStoreConfigError,
  SessionClosedError,
  CookieMaxAgeError,
} from './errors.js';

export type { SessionOptions } from './session.js';
export type { SessionRecord, StoredComponent, RestorableClass } from './session-record.js';
export type { SessionsOptions, CookieSettings } from './sessions-options.js';
export type { Logger } from './logger.js';
export type { SessionEvent, SessionContract, SessionPkgData } from './contracts.js';
export type { SessionStore, ClientSideStore, StoredEntry, ExpiredEntry, Acquired, ListedEntry, ListPage } from './store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export type { SqliteStoreOptions } from './sqlite-options.js';
export type { RedisStoreOptions, RedisStoreUrlOptions, RedisStoreClientOptions, RedisStoreClusterOptions, RedisCommonOptions, RedisDurability } from './redis-options.js';
export type { RedisClientLike, RedisClusterRootNode } from './redis-connection.js';
export type { CookieStoreOptions } from './cookie-store.js';
