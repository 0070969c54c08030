/**
 * Errors of @dovetail/web: the base class and the errors of code that misuses the web layer.
 * The errors of a request the client got wrong are in request-errors.ts; how any error is
 * answered (status, `Retry-After`) is decided in error-status.ts.
 *
 * Every error has a stable code `DT_WEB_<WHAT>`. The policy, the same in every package: each
 * error extends `DovetailError`, except those a zope or Twisted user catches as `TypeError` —
 * an argument of the wrong type (`putChild` given a non-string segment or a non-Resource, an
 * option that is not what it must be) — which extend `TypeError` and carry a code all the same.
 * Web errors carry the HTTP `status` a Site answers with.
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
