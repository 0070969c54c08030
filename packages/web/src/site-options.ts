/**
 * The options of a `Site`: TLS, body limit, proxies, sessions, logging, the registry its requests
 * run with, the health check.
 *
 * @module
 */
import type { AccessLogEntry } from './access-log.js';
import type { Registry } from '@dovetail/registry';
import type { Logger, Sessions } from '@dovetail/session';
import type { ServerOptions as TlsServerOptions } from 'node:https';

/** Options of {@link Site}. */
export interface SiteOptions {
  /**
   * Show the (escaped) stack trace on 500 pages. Never in production.
   * @default false
   */
  displayTracebacks?: boolean;
  /**
   * The largest request body `request.body()` reads; larger ones are answered 413.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Believe `X-Forwarded-Proto` for `request.isSecure`. Only behind a proxy that sets it.
   * @default false
   */
  trustProxy?: boolean;
  /**
   * Serve HTTPS: `listen()` starts a node:https server with these options (at least `cert` and
   * `key`, PEM), as Twisted's `--https`. Requests are then secure: the session cookie is the
   * Secure one.
   * @default undefined (plain HTTP)
   */
  tls?: TlsServerOptions;
  /**
   * `Cache-Control` for every response that sets or clears the session cookie (a page naming
   * one visitor's session must not sit in a shared cache). When the render set its own
   * `Cache-Control`, `private` is added to it instead (and `public` dropped). `false` leaves the
   * header alone.
   * @default 'no-store'
   */
  sessionCacheControl?: string | false;
  /**
   * Send `X-Content-Type-Options: nosniff` on every response (HTML, JSON, error pages), so that
   * browsers keep to the declared content type; a render that sets the header itself wins.
   * @default true
   */
  noSniff?: boolean;
  /** The session manager (`new Sessions(...)` from `@dovetail/session`); without one `getSession()` throws. */
  sessions?: Sessions | null;
  /**
   * Where the Site writes: every error answered 5xx and every server or stream error after the
   * head was sent (`error`, one line then the error), and the two lines of a session store outage
   * (`warn`: when the store becomes unavailable — requests are then answered 503 with
   * `Retry-After`, not logged one by one — and when it answers again, with the count answered
   * 503 meanwhile). `console` fits, and so do pino and winston loggers.
   * @default console
   */
  logger?: Logger;
  /**
   * Called once per request when its response is finished (or its connection closed): the
   * fields of an access-log line. `dovetail serve --log` writes them in Combined Log Format.
   * @default undefined (no access log)
   */
  accessLog?: (entry: AccessLogEntry) => void;
  /**
   * How long `close()` lets in-flight requests run before cutting their connections.
   * @default 10000
   */
  shutdownTimeoutMs?: number;
  /**
   * The registry every request of this Site runs with as the current one (`withRegistry`), so
   * `I(obj)` and the module-level functions see this app's adapters and not another app's in
   * the same process. Without it, requests see whatever is current (the global registry).
   * @default undefined
   */
  registry?: Registry;
  /**
   * The path of a health check for load balancers and orchestrators, answered before traversal
   * (GET or HEAD): 200 `{"status":"ok"}` when the session store answers a read, 503 with
   * `Retry-After` when it does not or while the Site is closing. `dovetail serve` turns it on at
   * `/.well-known/dovetail/health`.
   * @default false (no health check; the path is the application's)
   */
  health?: string | false;
}
