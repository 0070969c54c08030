/**
 * The fields Express error handlers read on an error — `status`, `statusCode` and `headers` (the
 * `http-errors` convention, which Express's final handler honours) — added to an error the
 * Express middleware passes on, from the web layer's own mapping (`errorStatus`,
 * `retryAfterHeader`). Internal: never re-exported.
 */
import { errorStatus, retryAfterHeader } from '../error-status.js';

/**
 * `error`, given `status` and `statusCode` (503 for a busy session or a store that is down, 409
 * for a lost compare-and-set, 500 for the rest) and, with a 503, `headers: { 'Retry-After': … }`,
 * unless it has its own. The fields are not enumerable: logging the error shows what it showed.
 */
export function withHttpFields(error: unknown): unknown {
  if (error === null || typeof error !== 'object' || !Object.isExtensible(error)) return error;
  const fields = error as { status?: unknown; statusCode?: unknown; headers?: unknown };
  const status = errorStatus(error);
  const define = (name: string, value: unknown): void => void Object.defineProperty(error, name, { value, writable: true, configurable: true, enumerable: false });
  if (typeof fields.status !== 'number') define('status', status);
  if (typeof fields.statusCode !== 'number') define('statusCode', status);
  const retryAfter = retryAfterHeader(error, status);
  if (retryAfter !== undefined && fields.headers === undefined) define('headers', { 'Retry-After': retryAfter });
  return error;
}
