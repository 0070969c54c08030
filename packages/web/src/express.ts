/**
 * `dovetailSessions`: Express/Connect middleware giving `req.session`, a dovetail `Session` that
 * also speaks express-session (see express-session.ts), and `req.sessionID`, committed before
 * the response head leaves (the same rules as `Site`).
 *
 * @module
 */
import { SessionClosedError } from '@dovetail/session';
import { isThenable } from '@dovetail/session/internal';
import { parseCookieHeader } from './cookies.js';
import { errorStatus, retryAfterHeader } from './error-status.js';
import { SessionPropertyError } from './errors.js';
import { cacheControlOption, sessionCacheControl } from './internal/cache-control.js';
import { reasonPhrase } from './internal/html.js';
import { withHttpFields } from './internal/http-error-fields.js';
import { isSecure } from './internal/is-secure.js';
import { SessionBinding } from './internal/session-binding.js';
import { sessionCookieTemplates } from './internal/session-cookies.js';
import { sessionProxy } from './internal/session-proxy.js';
import { StoreOutages, oneLine } from './internal/store-outages.js';
import { atTurnEnd } from './internal/turn-end.js';
import { queuedInTurn, startInSlice } from './internal/turn-slices.js';
import type { ExpressSession } from './express-session.js';
import type { Logger, Session, Sessions } from '@dovetail/session';
import type { IncomingMessage, ServerResponse } from 'node:http';

declare global {
  // Declaration merging on Express's Request (a no-op without @types/express).
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own types are a global namespace; merging is the only way in
  namespace Express {
    interface Request {
      /** The dovetail session of this request, with express-session's members (set by `dovetailSessions`). */
      readonly session: ExpressSession;
      /**
       * The session id (express-session's `req.sessionID`; the cookie carries it signed). Like
       * `req.session.uid`, reading it during the request makes a new session worth storing; after
       * the response, a request that had no session reads `''`.
       */
      readonly sessionID: string;
    }
  }
}

/** Options of {@link dovetailSessions}. */
export interface DovetailSessionsOptions {
  /** The session manager. */
  sessions: Sessions;
  /**
   * Believe `X-Forwarded-Proto` for "is this request HTTPS". Only behind a proxy that sets it.
   * @default false
   */
  trustProxy?: boolean;
  /**
   * `Cache-Control` for every response that sets or clears the session cookie. When the route
   * set its own `Cache-Control`, `private` is added to it instead (and `public` dropped). `false`
   * leaves the header alone.
   * @default 'no-store'
   */
  sessionCacheControl?: string | false;
  /**
   * Where the middleware writes: the two lines of a session store outage (`warn`: when the store
   * becomes unavailable — 503 with `Retry-After`, not logged request by request — and when it
   * answers again, with the count answered 503 meanwhile), and a commit error it must answer
   * itself because the response was already streaming (`error`). Other errors go to the app's
   * error handling (`next(err)`), which logs them. `console` fits, and so do pino and winston.
   * @default console
   */
  logger?: Logger;
}

/** A Connect/Express middleware. */
export type SessionMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

type Method = (...args: unknown[]) => unknown;

/** Where the accessors of `req.session` and `req.sessionID` find the request's session. */
const kRequestSession = Symbol('dovetail.requestSession');
type SessionRequest = IncomingMessage & { [kRequestSession]: { session(): Session; sessionID(): string } };

// The same getters for every request. V8 keeps an accessor's functions in the object's hidden
// class: with a closure per request, each node:http request after the first became a dictionary,
// and every read of it slower.
const SESSION_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: SessionRequest): Session {
    return this[kRequestSession].session();
  },
  set(): never {
    throw new SessionPropertyError('assign', 'req.session', "it is the request's session; end it with req.session.destroy()");
  },
};
const SESSION_ID_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: SessionRequest): string {
    return this[kRequestSession].sessionID();
  },
};

type HeldMethod = 'writeHead' | 'write' | 'end';
type Patchable = Record<HeldMethod, Method>;
const METHODS = ['writeHead', 'write', 'end'] as const;

/** Where a response's held methods find what to do with a call. */
const kHeld = Symbol('dovetail.heldResponse');
type HeldResponse = ServerResponse & { [kHeld]: { readonly call: (method: HeldMethod, args: unknown[]) => unknown } };

// The same three functions on every response held for its commit, its state beside them. With a
// closure per response stored on it, and the request holding the response (req.session's state
// does, as Express's req.res does), whole requests outlived young-generation collections: 3–4 MB
// promoted a scavenge at 20,000 requests a second, each scavenge four times as long, and the
// full collections that then freed them.
const HELD = Object.fromEntries(
  METHODS.map((m) => [
    m,
    function (this: HeldResponse, ...args: unknown[]): unknown {
      return this[kHeld].call(m, args);
    },
  ]),
) as Patchable;
/** The methods of a response whose commit failed once its body had started. */
const DISCARDED: Patchable = {
  writeHead(this: ServerResponse): ServerResponse {
    return this;
  },
  write(): boolean {
    return true;
  },
  end(this: ServerResponse): ServerResponse {
    return this;
  },
};

/**
 * Express/Connect middleware: `req.session` is the request's dovetail `Session`, with
 * express-session's members and properties ({@link ExpressSession}), and `req.sessionID` its id.
 *
 * With a session cookie the session is loaded (and locked) before `next()`; without one
 * `req.session` creates a session on first use, and a new session is stored (and given a
 * cookie) only when something changed it or its id was read. The session is committed before
 * the head is written (the response is held meanwhile); a response with a 5xx status —
 * Express's error path — drops the request's session changes instead. Errors — a busy session
 * or a store that is down at load, a commit refused — go to `next(err)` carrying `status`,
 * `statusCode` and (for 503) `headers['Retry-After']`, so the app's error handler answers.
 *
 * @example
 * ```ts
 * const app = express();
 * app.use(dovetailSessions({ sessions: new Sessions({ store: new SqliteStore({ path: 'var/s.db' }) }) }));
 * app.get('/counter', (req, res) => { res.send(`Visit #${++ICounter(req.session).value}`); });
 * ```
 */
export function dovetailSessions(options: DovetailSessionsOptions): SessionMiddleware {
  const { sessions } = options;
  const trustProxy = options.trustProxy ?? false;
  const logger = options.logger ?? console;
  const templates = sessionCookieTemplates(sessions);
  const outages = new StoreOutages((line) => logger.warn(line));
  const cacheControl = cacheControlOption(options.sessionCacheControl, 'dovetailSessions({ sessionCacheControl })');

  // On a store whose client writes at the end of a turn, a slice at a time, as the Site starts them (see turn-slices.ts).
  const queued = queuedInTurn(sessions.store);
  if (queued === null) return serve;
  return (req, res, next) =>
    startInSlice(() => {
      try {
        serve(req, res, next);
      } catch (error) {
        next(error);
      }
    }, queued);

  function serve(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    // Mounted twice (app and router): the first one serves.
    if (Object.prototype.hasOwnProperty.call(req, 'sessionID')) {
      next();
      return;
    }
    const secure = isSecure(req, trustProxy);
    const cookie = templates[secure ? 1 : 0];
    const incoming = parseCookieHeader(req.headers.cookie)[cookie.name];
    const binding = new SessionBinding<Session>(sessions, cookie, secure, incoming);
    const epoch = outages.epoch;
    /** A save()/reload() failed, or an error was already passed on: an error response then drops the changes. */
    let failed = false;

    const current = (): Session => {
      const loaded = binding.loaded;
      if (loaded !== null) return loaded;
      // No cookie to load (or the session ended): get() creates one synchronously.
      binding.get().catch(() => undefined);
      const created = binding.loaded;
      if (created === null) throw new SessionClosedError('use req.session', '', binding.settledAt);
      return created;
    };
    let proxy: Session | null = null;
    (req as SessionRequest)[kRequestSession] = {
      session: () => (proxy ??= sessionProxy(sessions, { current, failed: () => void (failed = true) })),
      sessionID: () => {
        const session = binding.settledAt === undefined ? current() : binding.loaded;
        return session === null ? '' : session.uid;
      },
    };
    Object.defineProperty(req, 'session', SESSION_ACCESSOR);
    Object.defineProperty(req, 'sessionID', SESSION_ID_ACCESSOR);

    // Hold writeHead/write/end until the commit settled.
    const r = res as unknown as Patchable;
    const originals = { writeHead: r.writeHead, write: r.write, end: r.end };
    const queue: [Method, unknown[]][] = [];
    let phase: 'open' | 'committing' | 'done' = 'open';
    let needDrain = false;
    let status = 0;

    const settle = async (): Promise<void> => {
      // A commit that did not wait on the store: the response goes with the others of this turn (turn-end.ts).
      let ready = false;
      try {
        if (status >= 500 || (failed && status >= 400)) {
          await binding.abort();
        } else {
          const committed = binding.commit();
          ready = !isThenable(committed);
          const setCookie = await committed;
          if (setCookie !== null && !res.headersSent) {
            appendSetCookie(res, setCookie);
            if (cacheControl !== null) res.setHeader('cache-control', sessionCacheControl(res.getHeader('cache-control'), cacheControl));
          }
        }
      } catch (error) {
        phase = 'done';
        const held = queue.splice(0);
        const outage = outages.failed(error, epoch);
        if (held.some(([method]) => method === originals.end) && !res.headersSent) {
          // The route answered in full: the app's error handler answers instead (its response
          // goes straight out, uncommitted), as for any other error of the request.
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          const status = errorStatus(error);
          res.statusCode = status;
          for (const m of METHODS) r[m] = originals[m];
          failed = true;
          next(withHttpFields(error));
          return;
        }
        // A streaming response has started its body: nothing else may be written into it.
        for (const m of METHODS) r[m] = DISCARDED[m];
        answerError(res, error, originals);
        if (errorStatus(error) >= 500 && !outage) {
          logger.error(`[dovetail/web express] ${req.method ?? '-'} ${req.url ?? '-'}: the session commit failed: ${oneLine(error)}`, error);
        }
        return;
      }
      if (binding.opened && status < 500) outages.succeeded();
      if (ready) atTurnEnd(sendHeld);
      else sendHeld();
    };
    // The writes held for the commit, in order. One node refuses (writeHead(1000)) cuts the connection.
    const sendHeld = (): void => {
      for (const m of METHODS) r[m] = originals[m];
      phase = 'done';
      try {
        for (const [method, args] of queue.splice(0)) method.apply(res, args);
        if (needDrain) res.emit('drain');
      } catch (error) {
        logger.error(`[dovetail/web express] ${req.method ?? '-'} ${req.url ?? '-'}: the response could not be written: ${oneLine(error)}`, error);
        res.destroy();
      }
    };

    (res as HeldResponse)[kHeld] = {
      call: (m, args) => {
        const original = originals[m];
        if (phase === 'done') return original.apply(res, args);
        if (m === 'writeHead') moveHeadersToResponse(res, args);
        queue.push([original, args]);
        if (phase === 'open') {
          phase = 'committing';
          status = m === 'writeHead' && typeof args[0] === 'number' ? args[0] : res.statusCode;
          void settle();
        }
        if (m !== 'write') return res;
        needDrain = true;
        return false;
      },
    };
    for (const m of METHODS) r[m] = HELD[m];
    // A client gone before any answer: release the session.
    res.once('close', () => {
      if (phase === 'open') void binding.abort();
    });

    if (incoming === undefined || incoming === '') {
      next();
      return;
    }
    binding.get().then(
      () => next(),
      (error: unknown) => {
        // The error carries status/statusCode/headers (Express's final handler and most app
        // handlers read them); the response gets them too, for a handler that reads those instead.
        // Logged once per outage here; the error still goes to Express's error handling.
        outages.failed(error, epoch);
        if (!res.headersSent) {
          const status = errorStatus(error);
          res.statusCode = status;
          const retryAfter = retryAfterHeader(error, status);
          if (retryAfter !== undefined) res.setHeader('retry-after', retryAfter);
        }
        failed = true;
        next(withHttpFields(error));
      },
    );
  }
}

/**
 * `writeHead(status, [message], headers)` held for the commit: its headers object goes onto the
 * response now, so the commit sees them (its Cache-Control gets `private`) and node's merge
 * cannot undo what the commit adds.
 */
function moveHeadersToResponse(res: ServerResponse, args: unknown[]): void {
  const last = args.length - 1;
  const headers = args[last];
  if (last < 1 || headers === null || typeof headers !== 'object' || Array.isArray(headers)) return;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value !== undefined) res.setHeader(name, value as string | number | readonly string[]);
  }
  args.length = last;
}

function appendSetCookie(res: ServerResponse, value: string): void {
  const existing = res.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('set-cookie', [...list, value]);
}

/** Answers a commit error instead of the held response (its status, Retry-After for a busy session). */
function answerError(res: ServerResponse, error: unknown, originals: Record<'writeHead' | 'end', Method>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = errorStatus(error);
  const body = `${status} ${reasonPhrase(status)}`;
  const headers: Record<string, string | number> = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  const retryAfter = retryAfterHeader(error, status);
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  originals.writeHead.call(res, status, headers);
  originals.end.call(res, body);
}
