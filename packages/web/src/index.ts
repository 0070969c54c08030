/**
 * The HTTP layer of dovetail: a Twisted-style resource tree (`Resource`, `getChildForRequest`)
 * served on node:http by a `Site`, a lazy `Request` that hands each request its session, and
 * safe cookie helpers.
 *
 * @module @dovetail/web
 */

// Serving
export { Site } from './site.js';

// Access logs
export { combinedLogLine, jsonLogLine } from './access-log.js';

// The resource tree
export { Resource, ErrorPage, NoResource, getChildForRequest, allowedMethods, HTTP_METHODS } from './resource.js';

// Requests
export { Request } from './request.js';

// The resource contract
export { IResource } from './contracts.js';
export type { RenderResult, RenderReturn, ResourceContract } from './contracts.js';

// ISession(request) and IClientId(request)
export { IClientId, ClientId } from './adapters.js';

// Express/Connect middleware
export { dovetailSessions } from './express.js';

// The inspector (an optional resource) and session data for templates
export { Inspector } from './inspector.js';
export { sessionPath } from './session-path.js';

// Cookies
export { CookieTemplate, parseCookieHeader, serializeCookie, validateCookieOptions } from './cookies.js';

// Errors
export {
  WebError,
  RenderResultError,
  SessionsNotConfiguredError,
  SessionPropertyError,
  ListenError,
  SiteStateError,
  InvalidChildSegmentError,
  InvalidChildResourceError,
  InvalidCookieError,
  InvalidOptionError,
} from './errors.js';
export {
  MethodNotAllowedError,
  MethodNotImplementedError,
  BadRequestTargetError,
  RequestTooLargeError,
  BadRequestBodyError,
  UnsupportedMediaTypeError,
} from './request-errors.js';
export { errorStatus } from './error-status.js';
/** `@dovetail/session`'s `SessionClosedError`, also exported here: a change through a session handle whose request has committed. */
export { SessionClosedError } from '@dovetail/session';

// Types
export type { SiteOptions } from './site-options.js';
export type { AccessLogEntry } from './access-log.js';
export type { Logger } from '@dovetail/session';
export type { HttpMethod } from './resource.js';
export type { RequestState, WebSession } from './request.js';
export type { CookieJar, CookieOptions } from './cookies.js';
export type { DovetailSessionsOptions, SessionMiddleware } from './express.js';
export type { ExpressSession, ExpressSessionData, ExpressSessionMethods, SessionCallback } from './express-session.js';
export type { InspectorOptions } from './inspector.js';
export type { SessionPathSource } from './session-path.js';
