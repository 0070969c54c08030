/**
 * Access logs: the fields of one finished request (`SiteOptions.accessLog`) and the two line
 * formats `dovetail serve --log` writes — Combined Log Format (Apache's, so existing log tools
 * read it) followed by `session=… ms=…`, or the same fields as one JSON object per line.
 *
 * @module
 */
import { kAccessFacts } from './internal/symbols.js';
import type { Request } from './request.js';

/** One finished request, as an access log records it. */
export interface AccessLogEntry {
  /** The client's address (the connection's peer; a proxy's when behind one), or `-`. */
  readonly remoteAddress: string;
  /** When the request arrived. */
  readonly time: Date;
  /** The request method as sent. */
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly target: string;
  /** `HTTP/1.1`, `HTTP/1.0`… */
  readonly protocol: string;
  /** The status sent, or 0 when the connection closed before any answer. */
  readonly status: number;
  /** The body's length (its Content-Length), or null when it had none (a stream, HEAD, no answer). */
  readonly bytes: number | null;
  /** The `Referer` header, or null. */
  readonly referer: string | null;
  /** The `User-Agent` header, or null. */
  readonly userAgent: string | null;
  /**
   * What the request did with its session: none (`-`), a new one (`created`), the one its cookie
   * named (`loaded`), or a cookie naming a session that was gone or expired meanwhile (`expired`).
   */
  readonly session: 'created' | 'loaded' | 'expired' | '-';
  /** Milliseconds from arrival to the response's end, rounded. */
  readonly ms: number;
}

/** The entry of `request`, which arrived at `started` (`performance.now()`) and `time`. @internal */
export function accessLogEntry(request: Request, time: Date, started: number): AccessLogEntry {
  const req = request.raw;
  const res = request.response;
  const { session, bytes } = request[kAccessFacts]();
  return {
    remoteAddress: req.socket.remoteAddress ?? '-',
    time,
    method: req.method ?? '-',
    target: req.url ?? '-',
    protocol: `HTTP/${req.httpVersion}`,
    status: res.headersSent ? res.statusCode : 0,
    bytes: request.method === 'HEAD' || !res.headersSent ? null : bytes,
    referer: header(req.headers.referer),
    userAgent: header(req.headers['user-agent']),
    session,
    ms: Math.round(performance.now() - started),
  };
}

function header(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `[10/Oct/2000:13:55:36 +0000]`: Apache's time, in UTC. */
function clfTime(t: Date): string {
  return `[${pad(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]!}/${t.getUTCFullYear()}:${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000]`;
}

/**
 * A quoted field as Apache writes it: `"` and `\` escaped, control and non-ASCII bytes as `\xHH`,
 * so a client cannot forge a second log line or break the quoting.
 */
function quoted(value: string | null): string {
  if (value === null) return '"-"';
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `"${out}"`;
}

/**
 * One line of Combined Log Format, then the session outcome and the time taken:
 * `127.0.0.1 - - [01/Dec/2026:23:15:02 +0000] "GET /counter HTTP/1.1" 200 23 "-" "curl/8.5.0" session=created ms=2`.
 *
 * @example
 * ```ts
 * new Site(root, { accessLog: (entry) => process.stdout.write(combinedLogLine(entry) + '\n') });
 * ```
 */
export function combinedLogLine(entry: AccessLogEntry): string {
  const request = quoted(`${entry.method} ${entry.target} ${entry.protocol}`);
  return (
    `${entry.remoteAddress} - - ${clfTime(entry.time)} ${request} ${entry.status} ${entry.bytes ?? '-'} ` +
    `${quoted(entry.referer)} ${quoted(entry.userAgent)} session=${entry.session} ms=${entry.ms}`
  );
}

/**
 * The same fields as one JSON object (time in ISO 8601), for log collectors that read JSON lines.
 *
 * @example
 * ```ts
 * new Site(root, { accessLog: (entry) => process.stdout.write(jsonLogLine(entry) + '\n') });
 * ```
 */
export function jsonLogLine(entry: AccessLogEntry): string {
  return JSON.stringify({ ...entry, time: entry.time.toISOString() });
}
