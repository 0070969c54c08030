/**
 * The options of `Sessions` and the settings of its cookie: their types, defaults, checks and
 * warnings.
 */
import { CookieMaxAgeError, MAX_COOKIE_AGE, SessionStoreConfigError } from './errors.js';
import { oneLine } from './logger.js';
import { MAX_TIMEOUT } from './session-record.js';
import type { Logger } from './logger.js';
import type { Session, SessionOptions } from './session.js';
import type { SessionStore } from './store.js';
import type { Registry } from '@dovetail/registry';

/** Settings of the session cookie. */
export interface CookieSettings {
  /** Cookie name over plain HTTP. @default 'DOVETAIL_SESSION' */
  readonly name: string;
  /** Cookie name over HTTPS (a secure session is never handed out over plain HTTP). @default 'DOVETAIL_SECURE_SESSION' */
  readonly secureName: string;
  /** @default '/' */
  readonly path: string;
  /** @default undefined (host-only) */
  readonly domain?: string;
  /** @default 'lax' */
  readonly sameSite: 'lax' | 'strict' | 'none';
  /** Mark every cookie Secure, also over plain HTTP (behind a TLS proxy). @default false */
  readonly secure: boolean;
  /** @default true */
  readonly httpOnly: boolean;
  /**
   * `Max-Age` in seconds (Set-Cookie's unit, not express-session's milliseconds), from 1 to
   * 34,560,000 (400 days, the longest browsers keep a cookie); absent gives a browser-session
   * cookie. The cookie is sent when a session is first stored and when its id changes, so without
   * `rolling` it ends `maxAge` seconds after that, however active the user; one session can have
   * its own with `session.cookieMaxAge`. The session itself ends after `timeout` seconds of
   * inactivity, whatever its cookie says.
   * @default undefined
   * @throws CookieMaxAgeError (`DT_SESSION_COOKIE_MAX_AGE`) for anything else (a value over 400
   *   days is named as the milliseconds it likely is).
   */
  readonly maxAge?: number;
  /**
   * Send the session cookie again with every response of a request that used its session (loaded
   * or stored it), so that a `maxAge` cookie lives `maxAge` seconds from the last visit rather
   * than from the first (express-session's `rolling`). A session that was never stored gets no
   * cookie either way.
   * @default false
   */
  readonly rolling: boolean;
}

/** Options of `Sessions`. */
export interface SessionsOptions {
  /** Where sessions are kept. @default new MemoryStore({ maxSessions }) */
  readonly store?: SessionStore;
  /** Seconds of inactivity after which a session ends, at most 400 days (34,560,000). @default 900 */
  readonly timeout?: number;
  /**
   * Seconds between writes of the last-access time to a store in another process (Zope's
   * write avoidance; a session whose data changed is written with the expiry it has until then):
   * a session then ends between `timeout` and `timeout + resolution` seconds after its last
   * access. MemoryStore is always exact. @default 60
   */
  readonly resolution?: number;
  /** HMAC keys for the session cookie, newest first; old ones still verify. @default one random key per process (sessions do not survive a restart) */
  readonly secrets?: readonly (string | Buffer)[];
  /** Cookie settings. */
  readonly cookie?: Partial<CookieSettings>;
  /** Bound of the default MemoryStore. @default 1_000_000 */
  readonly maxSessions?: number;
  /**
   * What the default MemoryStore does when `maxSessions` live sessions are stored and a new one
   * comes: `'refuse'` it (`SessionStoreError`, answered 503: nothing is dropped) or `'evict'` the
   * least recently used session (`ISessionExpired` is notified for it). @default 'refuse'
   */
  readonly whenFull?: 'refuse' | 'evict';
  /** Milliseconds a request waits for a session another request holds, then `SessionBusyError`. @default 5000 */
  readonly lockWait?: number;
  /**
   * Milliseconds a session's lease in a shared store (SQLite, Redis) lasts unless renewed: its
   * holder renews it every third of that while a request holds the session, so this is how long
   * a lock left by a process that died blocks its session. A process whose event loop stalls
   * for longer may lose the lease to another process; its commit is then refused
   * (`SessionConflictError`), never an overwrite. It is also the longest stretch this process
   * keeps a busy session's lease, handing it from request to request, before it lets another
   * process have a turn. @default 1000
   */
  readonly lockLease?: number;
  /**
   * Seconds between sweeps for expired sessions (the first at a random point of the first
   * interval, so processes started together take turns); 0 turns the timer off (call `sweep()`
   * yourself). @default 60
   */
  readonly sweepInterval?: number;
  /** The registry used for events, adapters and `ISessionDataContainer` routing. @default the current registry at each call */
  readonly registry?: Registry;
  /**
   * The class of the session handles made (a subclass of `Session`): one is made for each request
   * that gets a session, over the session's state, so keep what must last in the session's data.
   * @default Session
   */
  readonly sessionClass?: {
    /** Makes a handle from what the manager knows of the session (id, times, timeout, secure, or its state). */
    new (options: SessionOptions): Session;
  };
  /**
   * Where time comes from, in milliseconds since the epoch (Twisted passes a reactor; this is
   * its `seconds()`). Sessions' ages, expiry, sweeping and lock waits all read it, and the
   * default MemoryStore is given it too. Give a durable store the same clock in its own options.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * Where the manager writes, as `warn` lines, the problems that do not fail a request: a corrupt
   * stored session (treated as unknown), a throwing expiry callback, a failed sweep.
   * @default console
   */
  readonly logger?: Logger;
}

/**
 * An option that must be a finite number >= 0: `value`, or `fallback` when absent.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) for anything else.
 */
export function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new SessionStoreConfigError('Sessions', `option ${name} is ${String(value)}`, `Pass a finite number >= 0 (default ${fallback}).`);
  }
  return v;
}

/**
 * An option that must be a finite number > 0.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) for anything else.
 */
export function positive(name: string, value: number | undefined, fallback: number): number {
  const v = nonNegative(name, value, fallback);
  if (v === 0) throw new SessionStoreConfigError('Sessions', `option ${name} is 0`, `Pass a number > 0 (default ${fallback}).`);
  return v;
}

/**
 * The `timeout` option: seconds from 0 to {@link MAX_TIMEOUT}.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) for anything else.
 */
export function timeoutOption(value: number | undefined): number {
  const v = nonNegative('timeout', value, 900);
  if (v > MAX_TIMEOUT) {
    throw new SessionStoreConfigError('Sessions', `option timeout is ${v} s, over 400 days`, `Pass at most ${MAX_TIMEOUT} (browsers keep no cookie longer).`);
  }
  return v;
}

/**
 * The cookie settings in effect: the defaults, overridden by `cookie`, frozen.
 *
 * @throws CookieMaxAgeError (`DT_SESSION_COOKIE_MAX_AGE`) for a `maxAge` that is not whole seconds from 1 to 400 days.
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) for a `rolling` that is not a boolean.
 */
export function cookieSettings(cookie: Partial<CookieSettings> | undefined): CookieSettings {
  const settings = {
    name: 'DOVETAIL_SESSION',
    secureName: 'DOVETAIL_SECURE_SESSION',
    path: '/',
    sameSite: 'lax' as const,
    secure: false,
    httpOnly: true,
    rolling: false,
    ...cookie,
  };
  if (settings.maxAge !== undefined) checkCookieMaxAge('Sessions({ cookie: { maxAge } })', settings.maxAge);
  if (typeof settings.rolling !== 'boolean') {
    throw new SessionStoreConfigError('Sessions', `option cookie.rolling is ${String(settings.rolling)}`, 'Pass true or false (default false).');
  }
  return Object.freeze(settings);
}

/**
 * `value` when it is a cookie `maxAge` in whole seconds from 1 to 400 days.
 *
 * @throws CookieMaxAgeError (`DT_SESSION_COOKIE_MAX_AGE`) otherwise, naming `where`.
 */
export function checkCookieMaxAge(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_COOKIE_AGE) throw new CookieMaxAgeError(where, value);
  return value;
}

/** How the manager reports a problem that does not fail a request: one `warn` line naming it and its cause. */
export function warnTo(logger: Logger): (error: unknown, context: string) => void {
  return (error, context) => logger.warn(`dovetail sessions: ${context}: ${oneLine(error)}`);
}

let warnedEphemeral = false;

/** Once per process: a durable store with a random per-process secret loses every session at restart. */
export function warnEphemeralSecret(store: string): void {
  if (warnedEphemeral) return;
  warnedEphemeral = true;
  process.emitWarning(
    `Sessions on '${store}' have no secrets: the cookies are signed with a random key made for this process, ` +
      `so every session becomes unreachable when the process restarts. Pass secrets: [...] (newest first).`,
    { code: 'DT_WARN_EPHEMERAL_SECRET' },
  );
}
