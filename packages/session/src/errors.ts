/**
 * Errors of @dovetail/session.
 *
 * Each error has a literal `name`, a stable `code` (`DT_SESSION_<WHAT>`, documented in
 * docs/errors.md) and a message that says what was asked, what was found and what to do.
 * Messages never contain a full session id: only its last characters (`shortId`).
 *
 * @module
 */
import { DovetailError } from '@dovetail/interfaces';

/** How many characters of a session id a message may show. */
const SHOWN = 6;

/**
 * A session id cut short for a message or a log line: `…` and its last characters, enough to
 * correlate lines, too little to hijack the session. The last ones, not the first: an id begins
 * with its creation time, which the sessions made in the same few seconds share.
 *
 * @example
 * ```ts
 * shortId('AZPtRiVc8xY1…q2-7wK'); // '…q2-7wK'
 * ```
 */
export function shortId(id: string): string {
  return `…${id.length <= SHOWN ? id.slice(-2) : id.slice(-SHOWN)}`;
}

/**
 * Base class of the errors of @dovetail/session.
 *
 * @example
 * ```ts
 * try { await sessions.commit(session); }
 * catch (e) { if (e instanceof SessionError) log.warn(e.code, e.message); else throw e; }
 * ```
 */
export abstract class SessionError extends DovetailError {}

/**
 * Session data cannot be stored: a value the codec cannot carry (a function, a socket, a cycle…),
 * a payload that cannot be decoded, or a cookie that would be too large.
 *
 * @example
 * ```ts
 * try { encode({ components: { 'myapp.IChat': { socket } } }); }
 * catch (e) { if (e instanceof SessionDataError) console.log(e.path); } // components['myapp.IChat'].socket
 * ```
 */
export class SessionDataError extends SessionError {
  override readonly name = 'SessionDataError' as const;
  readonly code = 'DT_SESSION_DATA' as const;
  /**
   * @param path - where the offending value sits, as a JS accessor path such as
   *   `components['myapp.ICounter'].socket`; `''` for the whole session.
   * @param reason - what was found there, e.g. `a function`, `a cycle back to components`.
   * @param hint - what to do; a default about storing plain data is used when absent.
   */
  constructor(
    readonly path: string,
    readonly reason: string,
    hint?: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot store session data at ${path === '' ? '(the whole session)' : path}: ${reason}. ` +
        (hint ??
          'Keep only plain data in a session (objects, arrays, strings, numbers, booleans, null, ' +
            'undefined, Date, Map, Set, bigint, Uint8Array); keep live objects such as sockets, ' +
            'timers or promises elsewhere and store an id that finds them.'),
      options,
    );
  }
}

/**
 * A session stayed locked by another request for longer than the bounded wait: nothing was
 * overwritten, and the request can be retried after `retryAfter` seconds (the web layer answers
 * 503 with `Retry-After`).
 *
 * @example
 * ```ts
 * if (e instanceof SessionBusyError) setTimeout(retry, e.retryAfter * 1000);
 * ```
 */
export class SessionBusyError extends SessionError {
  override readonly name = 'SessionBusyError' as const;
  readonly code = 'DT_SESSION_BUSY' as const;
  /** The session id cut short: `…` and its last characters (never the whole id). */
  readonly shortSessionId: string;
  /**
   * @param sessionId - the busy session's id; only its last characters are kept and shown.
   * @param waitedMs - how long the lock was waited for.
   * @param retryAfter - seconds the client should wait before retrying (`Retry-After`).
   */
  constructor(
    sessionId: string,
    readonly waitedMs: number,
    readonly retryAfter = 1,
    options?: ErrorOptions,
  ) {
    const short = shortId(sessionId);
    super(
      `Session ${short} is busy: another request held its lock for all of the ${waitedMs} ms this ` +
        `request waited. Retry after ${retryAfter} s; if this happens often, make the requests that ` +
        `hold the session shorter or raise the lock wait.`,
      options,
    );
    this.shortSessionId = short;
  }
}

/**
 * A compare-and-set lost: someone else wrote the session since it was loaded, so nothing was
 * written by this commit.
 *
 * @example
 * ```ts
 * if (e instanceof SessionConflictError) return retryRequest();
 * ```
 */
export class SessionConflictError extends SessionError {
  override readonly name = 'SessionConflictError' as const;
  readonly code = 'DT_SESSION_CONFLICT' as const;
  /** The session id cut short: `…` and its last characters (never the whole id). */
  readonly shortSessionId: string;
  /**
   * @param sessionId - the session's id; only its last characters are kept and shown.
   * @param expectedVersion - the version this writer loaded.
   * @param store - the store's name.
   */
  constructor(
    sessionId: string,
    readonly expectedVersion: number,
    readonly store: string,
    options?: ErrorOptions,
  ) {
    const short = shortId(sessionId);
    super(
      `Session ${short} was changed in store '${store}' by another writer after this request loaded ` +
        `version ${expectedVersion}; nothing was written. Load the session again and re-apply the ` +
        `change, or retry the request.`,
      options,
    );
    this.shortSessionId = short;
  }
}

/**
 * The service behind a store failed (Redis gone away, disk full, database locked, store full or
 * closed). The backend's error is the `cause`; nothing committed is lost, and the request can be
 * retried once the service is back (the web layer answers 503 with `Retry-After`).
 *
 * @example
 * ```ts
 * if (e instanceof SessionStoreError) console.warn(e.store, 'unavailable:', e.message);
 * ```
 */
export class SessionStoreError extends SessionError {
  override readonly name = 'SessionStoreError' as const;
  readonly code = 'DT_SESSION_STORE_UNAVAILABLE' as const;
  /**
   * @param store - the store's name, e.g. `redis:redis://127.0.0.1:6379`.
   * @param operation - what was asked, e.g. `set`, `sweep`, `open the database`.
   * @param detail - what was found; defaults to the cause's message.
   * @param hint - what to do; defaults to checking the backing service.
   */
  constructor(
    readonly store: string,
    readonly operation: string,
    detail?: string,
    hint?: string,
    options?: ErrorOptions,
  ) {
    const cause = options?.cause;
    const found = detail ?? (cause instanceof Error ? cause.message : cause === undefined ? 'failed' : String(cause));
    super(
      `Session store '${store}' could not ${operation}: ${found}. ` +
        (hint ?? 'Check that the backing service is running and reachable; the request can be retried.'),
      options,
    );
  }
}

/**
 * A write reached the Redis primary but no replica acknowledged it in time, with the store's
 * `durability: 'replicated'`: the write is not acknowledged, because a failover now could lose
 * it. The web layer answers 503 with `Retry-After`; the request can be retried (it reloads the
 * session, which may or may not hold the write).
 *
 * @example
 * ```ts
 * if (e instanceof SessionNotReplicatedError) console.warn(e.store, 'has no replica in sync');
 * ```
 */
export class SessionNotReplicatedError extends SessionError {
  override readonly name = 'SessionNotReplicatedError' as const;
  readonly code = 'DT_SESSION_NOT_REPLICATED' as const;
  /**
   * @param store - the store's name.
   * @param operation - what was asked, e.g. `commit`, `delete`.
   * @param waitedMs - how long a replica's acknowledgement was waited for (`WAIT 1 <ms>`).
   */
  constructor(
    readonly store: string,
    readonly operation: string,
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `Session store '${store}' could not ${operation} durably: the primary took the write, but no replica ` +
        `acknowledged it within ${waitedMs} ms (durability: 'replicated'), so it is not acknowledged and a ` +
        `failover could lose it. Check that the primary has a replica in sync (INFO replication); the request can be retried.`,
      options,
    );
  }
}

/**
 * A store was constructed with bad options (a missing path or url, a short secret, a missing
 * optional dependency). Thrown at construction or first use, never per request.
 *
 * @example
 * ```ts
 * new SqliteStore({ path: '' }); // throws SessionStoreConfigError (DT_SESSION_STORE_CONFIG)
 * ```
 */
export class SessionStoreConfigError extends SessionError {
  override readonly name = 'SessionStoreConfigError' as const;
  readonly code = 'DT_SESSION_STORE_CONFIG' as const;
  /**
   * @param store - the store class, e.g. `SqliteStore`.
   * @param problem - what was given or found.
   * @param fix - what to do instead.
   */
  constructor(
    readonly store: string,
    readonly problem: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot set up ${store}: ${problem}. ${fix}`, options);
  }
}

/**
 * A session was changed (or adapted, or committed with a change) through a handle that no request
 * holds any more: its commit had started, it was aborted, or it has ended. Nothing is saved from
 * such a change, so it is refused loudly instead of being lost on one store and kept on another.
 *
 * @example
 * ```ts
 * await sessions.commit(session);
 * session.set('x', 2); // throws SessionClosedError (DT_SESSION_CLOSED)
 * const again = await sessions.load(cookie); again!.set('x', 2); await sessions.commit(again!);
 * ```
 */
export class SessionClosedError extends SessionError {
  override readonly name = 'SessionClosedError' as const;
  readonly code = 'DT_SESSION_CLOSED' as const;
  /** The session id cut short: `…` and its last characters (never the whole id); '' when no session was loaded. */
  readonly shortSessionId: string;
  /**
   * @param action - what was asked, e.g. `set('x')`, `adapt it to myapp.ICounter`, `commit it`.
   * @param sessionId - the session's id; only its last characters are kept and shown.
   * @param closedAt - when the handle closed (its commit started), epoch ms; absent when unknown.
   * @param why - how the handle closed: `committed` (the default), `aborted` or `ended`.
   */
  constructor(
    readonly action: string,
    sessionId = '',
    readonly closedAt?: number,
    readonly why: 'committed' | 'aborted' | 'ended' = 'committed',
    options?: ErrorOptions,
  ) {
    const short = sessionId === '' ? '' : shortId(sessionId);
    const at = closedAt === undefined ? '' : ` at ${new Date(closedAt).toISOString()}`;
    const what = short === '' ? "this request's session" : `session ${short}`;
    const found =
      why === 'ended'
        ? `it has ended (expired or invalidated)${at}, so nothing done to it is stored`
        : `this handle closed when the request's ${why === 'aborted' ? 'changes were dropped' : 'commit started'}${at}, so a change made through it would not be stored`;
    super(
      `Cannot ${action} on ${what}: ${found}. ` +
        (why === 'ended'
          ? 'Work on the new session the next getSession() or sessions.create() gives.'
          : 'Make changes before the response is sent (await them in the render or handler), or load the session again ' +
            '(sessions.load(cookie), request.getSession() in a new request) and commit that handle.'),
      options,
    );
    this.shortSessionId = short;
  }
}

/**
 * A cookie `maxAge` that cannot be right: not a whole number of seconds from 1 up, or longer than
 * browsers keep a cookie (400 days) — which is what a value in milliseconds, as express-session
 * takes it, looks like. `maxAge` is in seconds, Set-Cookie's own unit.
 *
 * @example
 * ```ts
 * new Sessions({ cookie: { maxAge: 24 * 3600 * 1000 } }); // throws CookieMaxAgeError: write 86400
 * ```
 */
export class CookieMaxAgeError extends SessionError {
  override readonly name = 'CookieMaxAgeError' as const;
  readonly code = 'DT_SESSION_COOKIE_MAX_AGE' as const;
  /**
   * @param where - what was given the value, e.g. `Sessions({ cookie: { maxAge } })`.
   * @param value - the value given.
   */
  constructor(
    readonly where: string,
    readonly value: unknown,
    options?: ErrorOptions,
  ) {
    const n = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    const found = n === undefined ? `is ${String(value)}` : `is ${n}`;
    let advice: string;
    if (n !== undefined && n > MAX_COOKIE_AGE) {
      const seconds = Math.round(n / 1000);
      advice =
        `${n} seconds is ${describeSeconds(n)}, longer than browsers keep a cookie (400 days): it looks like milliseconds, as express-session counts. ` +
        `maxAge is in seconds (Set-Cookie's Max-Age): write ${seconds}${seconds > 0 ? ` (${describeSeconds(seconds)})` : ''}.`;
    } else {
      advice = `maxAge is a whole number of seconds from 1 to ${MAX_COOKIE_AGE} (400 days), e.g. 86400 for a day.`;
    }
    super(`Cannot use cookie maxAge for ${where}: it ${found}. ${advice}`, options);
  }
}

/** The longest cookie `maxAge` accepted, in seconds: 400 days, the longest lifetime browsers give a cookie. */
export const MAX_COOKIE_AGE = 400 * 24 * 3600;

/** `n` seconds in words: `3 days`, `27 years`. */
function describeSeconds(n: number): string {
  const units: [number, string][] = [[365 * 86400, 'year'], [86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, unit] of units) {
    if (n >= size) {
      const count = Math.floor(n / size);
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${n} second${n === 1 ? '' : 's'}`;
}
