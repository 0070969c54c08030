/**
 * How a `Request` writes its response: a render's result turned into a body and content type,
 * the head and body written to node's `ServerResponse`, and the error page with its headers.
 * The response state itself (status, headers, cookies, body) stays on the Request.
 * Internal: never re-exported.
 */
import { Readable, pipeline } from 'node:stream';
import { retryAfterHeader } from '../error-status.js';
import { RenderResultError } from '../errors.js';
import { RequestTooLargeError } from '../request-errors.js';
import { errorPage, reasonPhrase } from './html.js';
import type { ServerResponse } from 'node:http';

/** Response headers as `writeHead` takes them, names in lower case. */
export type OutHeaders = Record<string, string | number | string[]>;
/** A prepared response body: text, bytes, a stream, or nothing. */
export type Body = string | Uint8Array | Readable | null;

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const OCTETS = 'application/octet-stream';

/**
 * The body for a render's non-null result: a string as is (HTML), bytes and streams as is (async
 * iterables made streams), anything else as JSON.
 *
 * @throws {RenderResultError} for a value JSON cannot encode.
 */
export function toBody(result: NonNullable<unknown>, resource: string): Exclude<Body, null> {
  if (typeof result === 'string' || result instanceof Uint8Array) return result;
  if (typeof result === 'object' && (result instanceof Readable || Symbol.asyncIterator in result)) {
    return result instanceof Readable ? result : Readable.from(result as AsyncIterable<unknown>);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (cause) {
    throw new RenderResultError(resource, describeResult(result), { cause });
  }
  if (json === undefined) throw new RenderResultError(resource, describeResult(result));
  return json;
}

/** The content type of `body`, made by {@link toBody} from `result`. */
export function contentType(result: unknown, body: Exclude<Body, null>): string {
  return typeof result === 'string' ? HTML : typeof body === 'string' ? JSON_TYPE : OCTETS;
}

/**
 * Writes the head and `body` (none for HEAD). Calls `done` once nothing more is to be done (at
 * once, or when a streamed body ended).
 */
export function writeResponse(res: ServerResponse, status: number, out: OutHeaders, body: Body, head: boolean, done: (error?: Error) => void): void {
  if (body === null) {
    if (status !== 204 && status !== 304) out['content-length'] = 0;
    res.writeHead(status, out);
    res.end();
    done();
  } else if (typeof body === 'string' || body instanceof Uint8Array) {
    out['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    res.writeHead(status, out);
    if (head) res.end();
    else res.end(body);
    done();
  } else {
    res.writeHead(status, out);
    if (head) {
      body.destroy();
      res.end();
      done();
    } else {
      pipeline(body, res, (error) => done(error ?? undefined));
    }
  }
}

/** The short HTML page answering `error`: no stack unless `tracebacks`. */
export function errorPageFor(error: unknown, status: number, tracebacks: boolean): string {
  let detail = '';
  if (tracebacks) detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  // A client error's message tells the client what was wrong; a 405 speaks to the developer (Allow says it all).
  else if (status < 500 && status !== 405 && error instanceof Error) detail = error.message;
  return errorPage(status, reasonPhrase(status), detail);
}

/** The headers of an error `page`: its type and length, `Retry-After`, `Allow` and `Connection: close` as the error asks. */
export function errorHeaders(error: unknown, status: number, page: string, closing: boolean): OutHeaders {
  const out: OutHeaders = Object.create(null) as OutHeaders;
  out['content-type'] = HTML;
  out['content-length'] = Buffer.byteLength(page);
  const retryAfter = retryAfterHeader(error, status);
  if (retryAfter !== undefined) out['retry-after'] = retryAfter;
  const allowed = (error as { allowed?: unknown } | null)?.allowed;
  if (status === 405 && Array.isArray(allowed)) out['allow'] = allowed.join(', ');
  if (error instanceof RequestTooLargeError || closing) out['connection'] = 'close';
  return out;
}

function describeResult(result: unknown): string {
  if (typeof result === 'bigint') return 'a bigint';
  if (typeof result === 'function') return 'a function';
  if (typeof result === 'symbol') return 'a symbol';
  return 'a value JSON.stringify cannot encode (a cycle or a bigint inside?)';
}
