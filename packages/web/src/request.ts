/**
 * `Request`: one HTTP request as a resource sees it (Twisted's `twisted.web.server.Request`),
 * and the face of the response it builds (kept in a `ResponseDraft` until the Site sends it).
 * Everything costly (query, cookies, body, session) is worked out on first use and kept.
 *
 * @module
 */
import { type CookieJar, type CookieOptions, parseCookieHeader, serializeCookie } from './cookies.js';
import { InvalidOptionError, SessionsNotConfiguredError } from './errors.js';
import { isSecure } from './internal/is-secure.js';
import { checkFormType, parseJson, readBody } from './internal/read-body.js';
import { originForm, splitSegments } from './internal/request-target.js';
import { ResponseDraft } from './internal/response.js';
import { SessionBinding, type SessionOutcome } from './internal/session-binding.js';
import { type SiteConfig, defaultSiteConfig } from './internal/site-config.js';
import { kAbort, kCommit, kPrepare, kSend, kSendError, kAccessFacts, kSiteSessions } from './internal/symbols.js';
import type { Session } from '@dovetail/session';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Typed per-request state that other packages and applications add by declaration merging.
 * Declare members as you like; `request.state` gives them all as optional, since nothing is set
 * until someone sets it.
 *
 * @example
 * ```ts
 * declare module '@dovetail/web' {
 *   interface RequestState { user: { name: string } }
 * }
 * request.state.user = { name: 'ada' };
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface, so that apps can add to it by declaration merging
export interface RequestState {}

/** The session type `getSession()` hands out: `@dovetail/session`'s `Session`. */
export type WebSession = Session;

/**
 * One HTTP request, and the response a resource builds through it.
 *
 * Made by the Site for each request; resources read it (`method`, `postpath`, `query`, `cookies`,
 * `body()`, `getSession()`) and shape the response (`setResponseCode`, `setHeader`,
 * `addCookie`, `redirect`) before returning the body from their render method.
 *
 * @example
 * ```ts
 * class Hello extends Resource {
 *   renderGET(request: Request) {
 *     request.setHeader('cache-control', 'no-store');
 *     return `<p>Hello ${escape(request.query.get('name') ?? 'world')}</p>`;
 *   }
 * }
 * ```
 */
export class Request {
  /** The node request. Reading its body directly bypasses `maxBodyBytes`; use `body()`. */
  readonly raw: IncomingMessage;
  /**
   * The node response. Writing to it directly bypasses the session commit and the Site's error
   * handling: return a string, bytes, JSON value or stream from the render instead.
   */
  readonly response: ServerResponse;
  /** The request method, upper case as sent, e.g. `'GET'`. */
  readonly method: string;
  /** The path of the request target, without the query, not decoded, e.g. `'/a%20b/c'`. */
  readonly path: string;
  /** Decoded segments already traversed, in order. */
  readonly prepath: string[];
  /** Decoded segments still to traverse; what a leaf resource finds left over (`'/a/b'` → `['a', 'b']`). */
  readonly postpath: string[];
  readonly #config: SiteConfig;
  readonly #search: string;
  #query: URLSearchParams | null;
  #cookies: CookieJar | null;
  #body: Promise<Buffer> | null;
  readonly #reply: ResponseDraft;
  #sessions: SessionBinding<WebSession> | null;
  #state: Partial<RequestState> | null;

  /**
   * Made by the Site; construct one yourself only to test a resource without a server.
   *
   * @param raw - the node request (its `url` and `method` are read here)
   * @param response - the node response
   * @param config - the Site's settings (internal); defaults to a Site without sessions
   * @example
   * ```ts
   * const req = new IncomingMessage(new Socket()); req.url = '/a/b'; req.method = 'GET';
   * const request = new Request(req, new ServerResponse(req));
   * request.postpath; // ['a', 'b']
   * ```
   */
  constructor(raw: IncomingMessage, response: ServerResponse, config: SiteConfig = defaultSiteConfig()) {
    this.raw = raw;
    this.response = response;
    this.method = raw.method ?? 'GET';
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    this.#search = q === -1 ? '' : url.slice(q + 1);
    if (path.charCodeAt(0) !== 47 /* / */) path = originForm(path);
    this.path = path;
    this.prepath = [];
    this.postpath = path.charCodeAt(0) === 47 ? splitSegments(path) : [];
    this.#config = config;
    this.#query = null;
    this.#cookies = null;
    this.#body = null;
    this.#reply = new ResponseDraft();
    this.#sessions = null;
    this.#state = null;
  }

  /** The request headers, names in lower case (node's `IncomingHttpHeaders`). */
  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  /**
   * A request header, as Twisted's `getHeader`: repeated headers joined with `, ` (cookies with `; `).
   *
   * @example
   * ```ts
   * request.getHeader('Accept-Language'); // 'en;q=0.8' or undefined
   * ```
   */
  getHeader(name: string): string | undefined {
    const value = this.raw.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** The query string, parsed on first read (`?a=1&a=2` → `query.getAll('a')` is `['1', '2']`). */
  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.#search));
  }

  /**
   * The request cookies, parsed once on first read, from any `Cookie` header node accepted. A
   * missing or malformed header gives the cookies that could be read, never an error.
   */
  get cookies(): CookieJar {
    return (this.#cookies ??= parseCookieHeader(this.raw.headers.cookie));
  }

  /**
   * True on a TLS connection, or — only when the Site has `trustProxy: true` — when the first
   * `X-Forwarded-Proto` value is `https`.
   */
  get isSecure(): boolean {
    return isSecure(this.raw, this.#config.trustProxy);
  }

  /** Typed per-request state (see {@link RequestState}), created on first read. */
  get state(): Partial<RequestState> {
    return (this.#state ??= {});
  }

  /** The response status so far (200 unless set). */
  get code(): number {
    return this.#reply.status;
  }

  /**
   * Sets the response status.
   *
   * @throws {InvalidOptionError} `DT_WEB_INVALID_OPTION` unless an integer from 200 to 599.
   * @example
   * ```ts
   * request.setResponseCode(201);
   * ```
   */
  setResponseCode(code: number): void {
    if (!Number.isInteger(code) || code < 200 || code > 599) {
      throw new InvalidOptionError('setResponseCode(code)', code, 'an integer from 200 to 599');
    }
    this.#reply.status = code;
  }

  /**
   * Sets a response header, replacing an earlier value (use `addCookie` for cookies).
   *
   * @throws node's `ERR_INVALID_HTTP_TOKEN` / `ERR_INVALID_CHAR` TypeError for a bad name or value.
   * @example
   * ```ts
   * request.setHeader('Content-Type', 'text/plain; charset=utf-8');
   * ```
   */
  setHeader(name: string, value: string | number | readonly string[]): void {
    this.#reply.setHeader(name, value);
  }

  /**
   * A response header set so far (lower- or mixed-case name), or undefined.
   *
   * @example
   * ```ts
   * request.getResponseHeader('content-type');
   * ```
   */
  getResponseHeader(name: string): string | number | readonly string[] | undefined {
    return this.#reply.out?.[name.toLowerCase()];
  }

  /**
   * Answers with a redirect: sets the status and `Location`. Return nothing from the render (or a
   * short body).
   *
   * @param code - a 3xx status
   * @default code 302
   * @throws {InvalidOptionError} `DT_WEB_INVALID_OPTION` when `code` is not 300–399.
   * @example
   * ```ts
   * renderPOST(request: Request) { request.redirect('/done', 303); }
   * ```
   */
  redirect(url: string, code = 302): void {
    if (!Number.isInteger(code) || code < 300 || code > 399) {
      throw new InvalidOptionError('redirect(url, code)', code, 'an integer from 300 to 399');
    }
    this.setHeader('location', url);
    this.#reply.status = code;
  }

  /**
   * Adds a `Set-Cookie` header. Defaults: `Path=/; HttpOnly; SameSite=Lax`; the value is
   * percent-encoded, as `request.cookies` decodes it.
   *
   * @throws {InvalidCookieError} `DT_WEB_INVALID_COOKIE` for an invalid name or attribute.
   * @example
   * ```ts
   * request.addCookie('theme', 'dark', { maxAge: 30 * 86400 });
   * ```
   */
  addCookie(name: string, value: string, options?: CookieOptions): void {
    this.#reply.addSetCookie(serializeCookie(name, value, options));
  }

  /**
   * The request body, read once (later calls get the same Buffer).
   *
   * @throws {RequestTooLargeError} `DT_WEB_REQUEST_TOO_LARGE` (413) past the Site's `maxBodyBytes`.
   * @throws {BadRequestBodyError} `DT_WEB_BAD_REQUEST_BODY` (400) when the client stops half-way.
   * @example
   * ```ts
   * const bytes = await request.body();
   * ```
   */
  body(): Promise<Buffer> {
    return (this.#body ??= readBody(this.raw, this.#config.maxBodyBytes));
  }

  /**
   * The body parsed as JSON (UTF-8). The type parameter is not checked: validate what you get.
   *
   * @throws {BadRequestBodyError} `DT_WEB_BAD_REQUEST_BODY` (400) for a body that is not JSON.
   * @throws {RequestTooLargeError} `DT_WEB_REQUEST_TOO_LARGE` (413), as `body()`.
   * @example
   * ```ts
   * const { title } = await request.json<{ title: string }>();
   * ```
   */
  async json<T = unknown>(): Promise<T> {
    return parseJson(await this.body()) as T;
  }

  /**
   * The body as an `application/x-www-form-urlencoded` form.
   *
   * @throws {UnsupportedMediaTypeError} `DT_WEB_UNSUPPORTED_MEDIA_TYPE` (415) for another content type (e.g. multipart).
   * @throws {RequestTooLargeError} `DT_WEB_REQUEST_TOO_LARGE` (413), as `body()`.
   * @example
   * ```ts
   * const form = await request.form(); form.get('title');
   * ```
   */
  async form(): Promise<URLSearchParams> {
    checkFormType(this.raw.headers['content-type']);
    return new URLSearchParams((await this.body()).toString('utf8'));
  }

  /**
   * The session `getSession()` has loaded in this request, or `undefined` before that (and
   * after it expired): what `ISession(request)` and `IClientId(request)` adapt to.
   *
   * @example
   * ```ts
   * await request.getSession();
   * request.session?.uid;
   * ```
   */
  get session(): WebSession | undefined {
    return this.#sessions?.loaded ?? undefined;
  }

  /**
   * The session of this request: loaded from its cookie on the first call, created when the
   * cookie is missing, malformed, forged or unknown; the same session on later calls, and a fresh
   * one after it was expired. With an interface, `I(session)`.
   *
   * @throws {SessionsNotConfiguredError} `DT_WEB_NO_SESSIONS` when the Site has no `sessions`.
   * @throws `SessionBusyError` (503) when another request holds the session too long.
   * @example
   * ```ts
   * const counter = await request.getSession(ICounter);
   * counter.value += 1;
   * ```
   */
  getSession(): Promise<WebSession>;
  getSession<T>(iface: (session: WebSession) => T): Promise<T>;
  getSession<T>(iface?: (session: WebSession) => T): Promise<WebSession | T> {
    let binding = this.#sessions;
    if (binding === null) {
      const { sessions, sessionCookies } = this.#config;
      if (sessions === null || sessionCookies === null) return Promise.reject(new SessionsNotConfiguredError());
      const secure = this.isSecure;
      const cookie = sessionCookies[secure ? 1 : 0];
      binding = this.#sessions = new SessionBinding(sessions, cookie, secure, this.cookies[cookie.name]);
    }
    const session = binding.get();
    return iface === undefined ? session : session.then(iface);
  }

  /**
   * The Site's session manager (or null), for the Inspector when it was given none of its own.
   * @internal
   */
  [kSiteSessions](): unknown {
    return this.#config.sessions;
  }

  // ---- called by the Site only ------------------------------------------------------------------

  /**
   * Turns a render's result into the response body and content type, before anything is sent.
   * @internal
   */
  [kPrepare](result: unknown, resource: string): void {
    this.#reply.prepare(result, resource);
  }

  /**
   * For the access log: what this request did with its session, and the body length it
   * declared (null for a stream, or before an answer).
   * @internal
   */
  [kAccessFacts](): { session: SessionOutcome; bytes: number | null } {
    const length = this.#reply.out?.['content-length'];
    return { session: this.#sessions === null ? '-' : this.#sessions.outcome, bytes: typeof length === 'number' ? length : null };
  }

  /**
   * Commits the request's sessions and adds their Set-Cookie: false when there were none, true
   * when every commit completed synchronously (the Site then stays synchronous), else a promise.
   * Throws, or rejects, with the commit's error.
   * @internal
   */
  [kCommit](): Promise<void> | boolean {
    const binding = this.#sessions;
    if (binding === null) return false;
    const setCookie = binding.commit();
    if (setCookie === null) return true;
    const cacheControl = this.#config.sessionCacheControl;
    if (typeof setCookie === 'string') {
      this.#reply.addSessionCookie(setCookie, cacheControl);
      return true;
    }
    return setCookie.then((value) => {
      if (value !== null) this.#reply.addSessionCookie(value, cacheControl);
    });
  }

  /** Aborts the request's sessions (after a failed render); never rejects. @internal */
  [kAbort](): Promise<void> | null {
    return this.#sessions === null ? null : this.#sessions.abort();
  }

  /**
   * Writes the head and the prepared body. Calls `done` once the Site has nothing more to do for
   * this request (at once, or when a streamed body ended).
   * @internal
   */
  [kSend](head: boolean, done: (error?: Error) => void): void {
    this.#reply.send(this.response, this.#config, head, done);
  }

  /**
   * Answers an error: its status (500 when it has none), a short HTML page, no stack unless
   * `tracebacks`. When the head was already sent, the connection is cut instead.
   * @internal
   */
  [kSendError](error: unknown, tracebacks: boolean, head: boolean): number {
    return this.#reply.sendError(this.response, this.#config, error, tracebacks, head);
  }
}
