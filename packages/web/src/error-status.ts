/**
 * How an error escaping a request is answered: its HTTP status and `Retry-After`. Errors of
 * @dovetail/web carry their status; the errors of the other packages carry none and are mapped
 * here, the one place where that is decided.
 *
 * @module
 */
import { WebError } from './errors.js';

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
