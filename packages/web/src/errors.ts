/**
 * Errors of @dovetail/web, and how an error escaping a request is answered.
 *
 * Every error has a stable code `DT_WEB_<WHAT>`. The policy, the same in every package: each
 * error extends `DovetailError`, except those a zope or Twisted user catches as `TypeError` —
 * an argument of the wrong type (`putChild` given a non-string segment or a non-Resource, an
 * option that is not what it must be) — which extend `TypeError` and carry a code all the same. Web errors carry the HTTP `status` a
 * Site answers with; the errors of other packages carry none and are mapped to statuses here,
 * by {@link errorStatus}, the one place where that is decided.
 *
 * @module
 */
import { DovetailError } from '@dovetail/interfaces';
import { describe } from '@dovetail/interfaces/internal';

/**
 * Base class of the errors of @dovetail/web; each carries the HTTP `status` a Site answers with
 * when it escapes a render (500 for misuse found in the code).
 *
 * @example
 * ```ts
 * try { await request.json(); } catch (e) { if (e instanceof WebError) console.log(e.status, e.code); throw e; }
 * ```
 */
export abstract class WebError extends DovetailError {
  /** The HTTP status the Site answers with when this error escapes a render. */
  abstract readonly status: number;
}

/**
 * Statuses of the other packages' errors, by code: their errors say what went wrong, the web
 * layer decides how HTTP says it.
 */
const STATUS_BY_CODE: ReadonlyMap<string, number> = new Map([
  // Another request held the session for the whole bounded wait: try again shortly.
  ['DT_SESSION_BUSY', 503],
  // The store's backing service is down or full: try again once it is back.
  ['DT_SESSION_STORE_UNAVAILABLE', 503],
  // A Redis primary took the write but no replica acknowledged it (durability: 'replicated').
  ['DT_SESSION_NOT_REPLICATED', 503],
  // A compare-and-set lost against another writer: the request can be repeated.
  ['DT_SESSION_CONFLICT', 409],
]);

/**
 * `Retry-After` for a 503 whose error names no delay of its own (a store that is down): long
 * enough for a Redis restart or a failover to finish, short enough that clients come back soon.
 */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The HTTP status an error is answered with: a {@link WebError}'s `status`; 503 for a busy
 * session or a store that is unavailable, 409 for a lost compare-and-set; any other error's own
 * numeric `status` (400–599, as `http-errors` makes them); else 500.
 *
 * @example
 * ```ts
 * errorStatus(new MethodNotAllowedError('POST', ['GET'], 'Page')); // 405
 * errorStatus(new SessionBusyError(uid, 5000)); // 503
 * errorStatus(new Error('bug')); // 500
 * ```
 */
export function errorStatus(error: unknown): number {
  if (error instanceof WebError) return error.status;
  if (error === null || typeof error !== 'object') return 500;
  const { code, status } = error as { code?: unknown; status?: unknown };
  if (typeof code === 'string') {
    const mapped = STATUS_BY_CODE.get(code);
    if (mapped !== undefined) return mapped;
  }
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

/**
 * The `Retry-After` header value (whole seconds) for an error answered with `status`: the error's
 * own `retryAfter` (seconds, rounded up) when it has one, else {@link DEFAULT_RETRY_AFTER_SECONDS}
 * for a 503; undefined for other statuses.
 *
 * @example
 * ```ts
 * retryAfterHeader(new SessionBusyError(uid, 5000, 1), 503); // '1'
 * ```
 */
export function retryAfterHeader(error: unknown, status: number = errorStatus(error)): string | undefined {
  const own = (error as { retryAfter?: unknown } | null)?.retryAfter;
  if (typeof own === 'number' && Number.isFinite(own) && own >= 0) return String(Math.ceil(own));
  return status === 503 ? String(DEFAULT_RETRY_AFTER_SECONDS) : undefined;
}

/**
 * The resource has no handler for the request's method: answered 405 with `Allow`.
 *
 * @example
 * ```ts
 * // POST on a resource with only renderGET → 405, Allow: GET, HEAD
 * ```
 */
export class MethodNotAllowedError extends WebError {
  override readonly name = 'MethodNotAllowedError' as const;
  readonly code = 'DT_WEB_METHOD_NOT_ALLOWED' as const;
  readonly status = 405;
  /**
   * @param method - the request's method
   * @param allowed - the methods the resource answers
   * @param resource - the resource, described
   */
  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
    readonly resource: string,
  ) {
    super(
      `${method} is not allowed on ${resource}; it answers ${allowed.join(', ') || 'no method'}. ` +
        `Add a render${method}() method to the resource class to accept ${method}.`,
    );
  }
}

/**
 * The request's method is not one the Site knows (GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS):
 * answered 501, as Twisted does.
 *
 * @example
 * ```ts
 * // `PROPFIND /` → 501 Not Implemented
 * ```
 */
export class MethodNotImplementedError extends WebError {
  override readonly name = 'MethodNotImplementedError' as const;
  readonly code = 'DT_WEB_METHOD_NOT_IMPLEMENTED' as const;
  readonly status = 501;
  /**
   * @param method - the request's method
   * @param served - the methods the Site serves
   */
  constructor(
    readonly method: string,
    readonly served: readonly string[],
  ) {
    super(`This server does not serve the method ${JSON.stringify(method)}; it serves ${served.join(', ')}. Send one of those.`);
  }
}

/**
 * The request target cannot be served (not an origin-form or absolute-form path): answered 400.
 *
 * @example
 * ```ts
 * // `GET foo HTTP/1.1` → 400 Bad Request
 * ```
 */
export class BadRequestTargetError extends WebError {
  override readonly name = 'BadRequestTargetError' as const;
  readonly code = 'DT_WEB_BAD_REQUEST_TARGET' as const;
  readonly status = 400;
  /**
   * @param target - the request target as received
   */
  constructor(readonly target: string) {
    super(`The request target ${describe(target)} is not a path; send a target that starts with "/".`);
  }
}

/**
 * The request body is larger than the Site's `maxBodyBytes`: answered 413.
 *
 * @example
 * ```ts
 * new Site(root, { maxBodyBytes: 10 * 1024 * 1024 }); // raise the limit for uploads
 * ```
 */
export class RequestTooLargeError extends WebError {
  override readonly name = 'RequestTooLargeError' as const;
  readonly code = 'DT_WEB_REQUEST_TOO_LARGE' as const;
  readonly status = 413;
  /**
   * @param limit - the Site's `maxBodyBytes`
   * @param received - how many bytes had arrived when the limit was passed
   * @param options - `cause`, when there is one
   */
  constructor(
    readonly limit: number,
    readonly received: number,
    options?: ErrorOptions,
  ) {
    super(
      `The request body is larger than the limit of ${limit} bytes (at least ${received} bytes were sent). ` +
        `Send a smaller body, or raise the Site's maxBodyBytes option.`,
      options,
    );
  }
}

/**
 * The request body could not be read as asked (`json()` on text that is not JSON, a body that
 * ended early): answered 400.
 *
 * @example
 * ```ts
 * const data = await request.json(); // body `{oops` → 400, code DT_WEB_BAD_REQUEST_BODY
 * ```
 */
export class BadRequestBodyError extends WebError {
  override readonly name = 'BadRequestBodyError' as const;
  readonly code = 'DT_WEB_BAD_REQUEST_BODY' as const;
  readonly status = 400;
  /**
   * @param expected - what the body should have been (e.g. JSON)
   * @param problem - what was wrong with it
   */
  constructor(
    readonly expected: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`The request body should be ${expected}, but ${problem}. Send a well-formed body.`, options);
  }
}

/**
 * `form()` was called on a body of a type it does not decode (only
 * `application/x-www-form-urlencoded`): answered 415.
 *
 * @example
 * ```ts
 * // a multipart/form-data upload: read request.body() and decode it with a multipart parser
 * ```
 */
export class UnsupportedMediaTypeError extends WebError {
  override readonly name = 'UnsupportedMediaTypeError' as const;
  readonly code = 'DT_WEB_UNSUPPORTED_MEDIA_TYPE' as const;
  readonly status = 415;
  /**
   * @param contentType - the request's `Content-Type`
   * @param supported - the type the reader accepts
   */
  constructor(
    readonly contentType: string,
    readonly supported: string,
  ) {
    super(
      `The request body is ${describe(contentType)}, which cannot be read here; expected ${supported}. ` +
        `For other types read request.body() and decode it yourself.`,
    );
  }
}

/**
 * A render returned a value the Site cannot send (e.g. an object `JSON.stringify` rejects): answered 500.
 *
 * @example
 * ```ts
 * // renderGET() { return { n: 1n }; } → 500, code DT_WEB_BAD_RENDER_RESULT
 * ```
 */
export class RenderResultError extends WebError {
  override readonly name = 'RenderResultError' as const;
  readonly code = 'DT_WEB_BAD_RENDER_RESULT' as const;
  readonly status = 500;
  /**
   * @param resource - the resource, described
   * @param result - what its render returned, described
   */
  constructor(
    readonly resource: string,
    readonly result: string,
    options?: ErrorOptions,
  ) {
    super(
      `${resource} rendered ${result}, which cannot be sent as a response. Return a string, a Uint8Array, ` +
        `a JSON-serialisable value, a Readable/AsyncIterable, or nothing.`,
      options,
    );
  }
}

/**
 * `request.getSession()` was called on a Site created without `sessions`: answered 500.
 *
 * @example
 * ```ts
 * new Site(root, { sessions: new Sessions() });
 * ```
 */
export class SessionsNotConfiguredError extends WebError {
  override readonly name = 'SessionsNotConfiguredError' as const;
  readonly code = 'DT_WEB_NO_SESSIONS' as const;
  readonly status = 500;
  constructor() {
    super(
      `request.getSession() was called, but the Site has no session manager. ` +
        `Create the Site with one: new Site(root, { sessions: new Sessions({ ... }) }).`,
    );
  }
}

/**
 * `site.listen()` could not bind (the port is taken, the address is not local, no permission).
 *
 * @example
 * ```ts
 * try { await site.listen(8080); } catch (e) { if (e instanceof ListenError) await site.listen(0); }
 * ```
 */
export class ListenError extends WebError {
  override readonly name = 'ListenError' as const;
  readonly code = 'DT_WEB_LISTEN_FAILED' as const;
  readonly status = 500;
  /**
   * @param host - the address asked for
   * @param port - the port asked for
   * @param reason - why it failed, in words (port in use, no permission, …)
   * @param options - `cause`: the system error
   */
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot listen on ${host}:${port}: ${reason}`, options);
  }
}

/**
 * `site.listen()` was called on a Site that is already listening or closed.
 *
 * @example
 * ```ts
 * await site.close(); // then create a new Site to listen again
 * ```
 */
export class SiteStateError extends WebError {
  override readonly name = 'SiteStateError' as const;
  readonly code = 'DT_WEB_SITE_STATE' as const;
  readonly status = 500;
  /**
   * @param asked - what was asked (`listen()`, …)
   * @param state - the Site's state: listening, closing or closed
   */
  constructor(readonly asked: string, readonly state: string) {
    super(`Cannot ${asked}: the Site is ${state}. Create a new Site for a new server.`);
  }
}

/**
 * `putChild()` was given a segment that is not a string, or contains "/".
 *
 * @example
 * ```ts
 * root.putChild('counter', new CounterPage()); // a string segment, no slashes
 * ```
 */
export class InvalidChildSegmentError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'InvalidChildSegmentError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_WEB_INVALID_CHILD_SEGMENT' as const;
  /**
   * @param given - the segment given
   */
  constructor(readonly given: unknown) {
    super(
      `putChild() needs a path segment as a string without "/", but was given ${describe(given)}. ` +
        `Pass one decoded segment, e.g. putChild('counter', page); nest resources for deeper paths.`,
    );
  }
}

/**
 * `putChild()` was given a child that is not a Resource.
 *
 * @example
 * ```ts
 * root.putChild('about', new AboutPage()); // AboutPage extends Resource
 * ```
 */
export class InvalidChildResourceError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'InvalidChildResourceError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_WEB_INVALID_CHILD' as const;
  /**
   * @param segment - the segment
   * @param given - the child given
   */
  constructor(readonly segment: string, readonly given: unknown) {
    super(
      `putChild(${JSON.stringify(segment)}, …) needs a Resource as the child, but was given ${describe(given)}. ` +
        `Pass an instance of a class that extends Resource.`,
    );
  }
}

/**
 * A cookie name, value or attribute cannot be put in a `Set-Cookie` header.
 *
 * @example
 * ```ts
 * request.addCookie('theme', 'dark', { path: '/', maxAge: 3600 });
 * ```
 */
export class InvalidCookieError extends WebError {
  override readonly name = 'InvalidCookieError' as const;
  readonly code = 'DT_WEB_INVALID_COOKIE' as const;
  readonly status = 500;
  /**
   * @param cookieName - the cookie's name
   * @param problem - what cannot be put in a `Set-Cookie` header
   * @param options - `cause`, when there is one
   */
  constructor(
    readonly cookieName: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot set cookie ${describe(cookieName)}: ${problem}.`, options);
  }
}

/**
 * An option given to `new Site()` (or a response status) is out of range or of the wrong type.
 *
 * @example
 * ```ts
 * new Site(root, { maxBodyBytes: 1024 * 1024 }); // a positive integer
 * ```
 */
export class InvalidOptionError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'InvalidOptionError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_WEB_INVALID_OPTION' as const;
  /**
   * @param option - the option, by name
   * @param given - the value given
   * @param expected - what it must be
   */
  constructor(
    readonly option: string,
    readonly given: unknown,
    readonly expected: string,
  ) {
    super(`${option} must be ${expected}, but was given ${describe(given)}.`);
  }
}

/**
 * A `dovetail` command line that cannot be served (a bad flag, a module without a root
 * resource, a store that cannot be used): printed as one line without a stack trace, and the
 * process exits with `exitCode` (2 for usage mistakes).
 *
 * @example
 * ```ts
 * // dovetail serve app.js --port 99999 → "dovetail: --port must be a port number (0–65535), not '99999'." (exit 2)
 * ```
 */
export class CliError extends DovetailError {
  override readonly name = 'CliError' as const;
  readonly code = 'DT_WEB_COMMAND_LINE' as const;
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * express-session code used `req.session` in a way that would not reach the session (under
 * `dovetailSessions`): assigning a member of `Session` that cannot be assigned (a method, a
 * read-only property such as `size` or `id`), reading `req.session.cookie` (express-session's
 * cookie object, which has no counterpart), or replacing `req.session` itself. Refused loudly
 * rather than lost silently; any other property is a dictionary key and works
 * (`req.session.views = 1` is `set('views', 1)`).
 *
 * @example
 * ```ts
 * req.session.cookie.maxAge = 3600_000; // throws SessionPropertyError: use req.session.cookieMaxAge = 3600
 * ```
 */
export class SessionPropertyError extends WebError {
  override readonly name = 'SessionPropertyError' as const;
  readonly code = 'DT_WEB_SESSION_PROPERTY' as const;
  readonly status = 500;
  /**
   * @param action - what was done: `read`, `assign`, `delete` or `define`.
   * @param property - the property, e.g. `size`, or `req.session` itself.
   * @param why - what the property is, e.g. `it is a method of Session`.
   */
  constructor(
    readonly action: string,
    readonly property: string,
    why: string,
  ) {
    const what = property === 'req.session' ? property : `req.session.${property}`;
    const fix =
      property === 'cookie'
        ? "Give one session its own cookie lifetime with req.session.cookieMaxAge = seconds (express-session's cookie.maxAge counts milliseconds); set the cookie's attributes for every session with new Sessions({ cookie: { ... } })."
        : property === 'req.session'
          ? 'Change the session through req.session (req.session.destroy() ends it, req.session.regenerate({ keep: false }) starts an empty one).'
          : `Keep the data under another name, or use req.session.set('${property}', value) and req.session.get('${property}').`;
    super(`Cannot ${action} ${what}: ${why}. ${fix}`);
  }
}
