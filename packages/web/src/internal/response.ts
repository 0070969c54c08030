/**
 * The response a `Request` builds: its status, headers, cookies and body so far
 * (`ResponseDraft`), a render's result turned into a body and content type, the head and body
 * written to node's `ServerResponse`, and the error page with its headers. Internal: never
 * re-exported.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { errorStatus, retryAfterHeader } from '../error-status.js';
import { RenderResultError } from '../errors.js';
import { RequestTooLargeError } from '../request-errors.js';
import { sessionCacheControl } from './cache-control.js';
import { errorPage, reasonPhrase } from './html.js';
import type { SiteConfig } from './site-config.js';
import type { ServerResponse } from 'node:http';

/** Response headers as `writeHead` takes them, names in lower case. */
export type OutHeaders = Record<string, string | number | string[]>;
/** A prepared response body: text, bytes, a stream, or nothing. */
export type Body = string | Uint8Array | Readable | null;

const HTML = 'text/html; charset=utf-8';

/** The response of one request as its resource builds it, until the Site sends it. */
export class ResponseDraft {
  status = 200;
  /** Headers set so far (names in lower case); null until the first. */
  out: OutHeaders | null = null;
  setCookies: string[] | null = null;
  body: Body = null;

  /** The headers, created on first need. */
  headers(): OutHeaders {
    return (this.out ??= Object.create(null) as OutHeaders);
  }

  /** Sets a header after node's checks of its name and value(s). */
  setHeader(name: string, value: string | number | readonly string[]): void {
    validateHeaderName(name);
    if (typeof value === 'object') for (const v of value) validateHeaderValue(name, v);
    else validateHeaderValue(name, String(value));
    this.headers()[name.toLowerCase()] = typeof value === 'object' ? [...value] : value;
  }

  /** Adds a serialized `Set-Cookie` value. */
  addSetCookie(setCookie: string): void {
    (this.setCookies ??= []).push(setCookie);
  }

  /** Adds the session's Set-Cookie, and keeps the response out of shared caches (`cacheControl`: the Site's setting). */
  addSessionCookie(setCookie: string, cacheControl: string | null): void {
    this.addSetCookie(setCookie);
    if (cacheControl !== null) {
      const out = this.headers();
      out['cache-control'] = sessionCacheControl(out['cache-control'], cacheControl);
    }
  }

  /** Turns a render's result into the body and, unless set, the content type. */
  prepare(result: unknown, resource: string): void {
    if (result === null || result === undefined) {
      this.body = null;
      return;
    }
    const body = toBody(result, resource);
    const out = this.headers();
    if (out['content-type'] === undefined) out['content-type'] = contentType(result, body);
    this.body = body;
  }

  /** Writes the head and the prepared body to `res`; `done` as {@link writeResponse}. */
  send(res: ServerResponse, config: SiteConfig, head: boolean, done: (error?: Error) => void): void {
    const out = this.headers();
    if (this.setCookies !== null) out['set-cookie'] = this.setCookies;
    if (config.noSniff && out['x-content-type-options'] === undefined) out['x-content-type-options'] = 'nosniff';
    if (config.closing) out['connection'] = 'close';
    writeResponse(res, this.status, out, this.body, head, done);
  }

  /**
   * Answers `error` instead: its status (500 when it has none), a short HTML page, no stack
   * unless `tracebacks`; when the head was already sent, the connection is cut. Returns the status.
   */
  sendError(res: ServerResponse, config: SiteConfig, error: unknown, tracebacks: boolean, head: boolean): number {
    const status = errorStatus(error);
    if (res.headersSent) {
      res.destroy();
      return status;
    }
    const page = errorPageFor(error, status, tracebacks);
    const out = errorHeaders(error, status, page, config.closing);
    if (config.noSniff) out['x-content-type-options'] = 'nosniff';
    this.status = status;
    this.out = out;
    this.setCookies = null;
    res.writeHead(status, out);
    if (head) res.end();
    else res.end(page);
    return status;
  }
}
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
