/**
 * `Site`: serves a resource tree over node:http (Twisted's `twisted.web.server.Site`): traversal,
 * rendering, the session commit before the first byte, error pages, and a graceful close.
 *
 * @module
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { withRegistry } from '@dovetail/registry';
import { isThenable } from '@dovetail/session/internal';
import { accessLogEntry } from './access-log.js';
import { InvalidOptionError, ListenError, SiteStateError } from './errors.js';
import { cacheControlOption } from './internal/cache-control.js';
import { HealthResource } from './internal/health.js';
import { sessionCookieTemplates } from './internal/session-cookies.js';
import { StoreOutages, oneLine } from './internal/store-outages.js';
import { kAbort, kCommit, kPrepare, kSend, kSendError } from './internal/symbols.js';
import { atTurnEnd } from './internal/turn-end.js';
import { queuedInTurn, startInSlice } from './internal/turn-slices.js';
import { MethodNotImplementedError, BadRequestTargetError } from './request-errors.js';
import { Request } from './request.js';
import { HTTP_METHODS, Resource, getChildForRequest, isHttpMethod } from './resource.js';
import type { AccessLogEntry } from './access-log.js';
import type { SiteConfig } from './internal/site-config.js';
import type { SiteOptions } from './site-options.js';
import type { Logger } from '@dovetail/session';
import type { ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';

const MIB = 1024 * 1024;

/**
 * Serves a resource tree: each request is traversed from `root`, rendered, its sessions committed,
 * then answered.
 *
 * @example
 * ```ts
 * const root = new Resource();
 * root.putChild('counter', new CounterPage());
 * const site = new Site(root, { sessions: new Sessions() });
 * const { port } = await site.listen(8080);
 * // ... later
 * await site.close();
 * ```
 */
export class Site {
  /** The root of the resource tree. */
  readonly root: Resource;
  /** Whether 500 pages show the stack trace. */
  readonly displayTracebacks: boolean;
  /**
   * The node `http` request listener, bound once: `http.createServer(site.handler)` or
   * `https.createServer(tls, site.handler)`.
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #config: SiteConfig;
  readonly #logger: Logger;
  readonly #accessLog: ((entry: AccessLogEntry) => void) | null;
  readonly #outages: StoreOutages;
  readonly #shutdownTimeoutMs: number;
  readonly #tls: TlsServerOptions | null;
  readonly #healthPath: string | null;
  readonly #health: HealthResource;
  /** The session store's `queuedInTurn`, when it has one: requests then start a slice at a time (see turn-slices.ts). */
  readonly #queued: (() => number) | null;
  #server: Server | null;
  #state: 'new' | 'listening' | 'closing' | 'closed';
  #inflight: number;
  #drained: (() => void) | null;
  #closing: Promise<void> | null;
  readonly #done: (error?: Error) => void;

  /**
   * @throws {InvalidOptionError} `DT_WEB_INVALID_OPTION` for a root that is not a Resource or an option out of range.
   * @throws {InvalidCookieError} `DT_WEB_INVALID_COOKIE` when the session manager's cookie settings are invalid.
   */
  constructor(root: Resource, options: SiteOptions = {}) {
    if (!(root instanceof Resource)) throw new InvalidOptionError('new Site(root)', root, 'a Resource');
    const maxBodyBytes = options.maxBodyBytes ?? MIB;
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
      throw new InvalidOptionError('SiteOptions.maxBodyBytes', maxBodyBytes, 'a non-negative integer number of bytes');
    }
    const shutdown = options.shutdownTimeoutMs ?? 10_000;
    if (!(shutdown >= 0)) throw new InvalidOptionError('SiteOptions.shutdownTimeoutMs', shutdown, 'a non-negative number of milliseconds');
    const sessions = options.sessions ?? null;
    const health = options.health ?? false;
    if (health !== false && !(typeof health === 'string' && health.startsWith('/'))) {
      throw new InvalidOptionError('SiteOptions.health', health, "false or a path starting with '/'");
    }
    this.#healthPath = health === false ? null : health;
    this.#health = new HealthResource(sessions?.store ?? null, () => this.#config.closing);
    this.#queued = queuedInTurn(sessions?.store);
    this.root = root;
    this.displayTracebacks = options.displayTracebacks ?? false;
    this.#config = {
      maxBodyBytes,
      trustProxy: options.trustProxy ?? false,
      sessions,
      sessionCookies: sessions === null ? null : sessionCookieTemplates(sessions),
      sessionCacheControl: cacheControlOption(options.sessionCacheControl, 'SiteOptions.sessionCacheControl'),
      noSniff: options.noSniff ?? true,
      closing: false,
    };
    const logger = options.logger ?? console;
    this.#logger = logger;
    this.#accessLog = options.accessLog ?? null;
    this.#outages = new StoreOutages((line) => logger.warn(line));
    this.#shutdownTimeoutMs = shutdown;
    this.#tls = options.tls ?? null;
    this.#server = null;
    this.#state = 'new';
    this.#inflight = 0;
    this.#drained = null;
    this.#closing = null;
    this.#done = () => this.#finished();
    const registry = options.registry;
    this.handler = registry ? (req, res) => withRegistry(registry, () => this.#handle(req, res)) : (req, res) => this.#handle(req, res);
  }

  /** The server made by `listen()`, or null. */
  get server(): Server | null {
    return this.#server;
  }

  /**
   * Starts a node:http server for this Site (node:https with the `tls` option).
   *
   * @param port - 0 picks a free port
   * @param host - the address to bind
   * @default host '127.0.0.1'
   * @returns the bound address (its `port` is the real one when 0 was asked)
   * @throws {ListenError} `DT_WEB_LISTEN_FAILED` when the port is taken or the address cannot be bound.
   * @throws {SiteStateError} `DT_WEB_SITE_STATE` when the Site already listens or was closed.
   * @example
   * ```ts
   * const { port } = await site.listen(0);
   * await fetch(`http://127.0.0.1:${port}/counter`);
   * ```
   */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    if (this.#state !== 'new') return Promise.reject(new SiteStateError('listen()', this.#state));
    // An https.Server is an http.Server over TLS (same request events, same connection
    // management), so close() treats both alike.
    const server = this.#tls === null ? createServer(this.handler) : (createHttpsServer(this.#tls, this.handler) as unknown as Server);
    this.#server = server;
    this.#state = 'listening';
    return new Promise<AddressInfo>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.#server = null;
        this.#state = 'new';
        reject(new ListenError(host, port, listenReason(error, port), { cause: error }));
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        server.on('error', (error) => this.#report(error, null));
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (their session commits too),
   * closes idle keep-alive connections, then resolves. Connections still busy after
   * `shutdownTimeoutMs` are cut. Safe to call twice.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', () => void site.close());
   * ```
   */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#closing ?? undefined;
    this.#state = 'closing';
    this.#config.closing = true;
    this.#closing = this.#shutdown();
    await this.#closing;
  }

  async #shutdown(): Promise<void> {
    const server = this.#server;
    const closed = server === null ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    server?.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        server?.closeAllConnections();
        resolve();
      }, this.#shutdownTimeoutMs);
      timer.unref();
    });
    const drained = this.#inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#drained = resolve));
    await Promise.race([drained, timeout]);
    server?.closeIdleConnections();
    await Promise.race([closed, timeout]);
    clearTimeout(timer);
    this.#state = 'closed';
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    this.#inflight++;
    if (this.#queued !== null) startInSlice(() => this.#start(req, res), this.#queued);
    else this.#start(req, res);
  }

  #start(req: IncomingMessage, res: ServerResponse): void {
    const request = new Request(req, res, this.#config);
    if (this.#accessLog !== null) this.#logAccess(request);
    // Which store outage this request started in, if any (see StoreOutages).
    const epoch = this.#outages.epoch;
    try {
      if (!isHttpMethod(request.method)) throw new MethodNotImplementedError(request.method, HTTP_METHODS);
      if (request.path.charCodeAt(0) !== 47 && request.path !== '*') throw new BadRequestTargetError(request.path);
      const resource = request.path === this.#healthPath ? this.#health : getChildForRequest(this.root, request);
      const result = resource.render(request);
      if (isThenable(result)) {
        void this.#settle(request, resource, result, epoch);
        return;
      }
      request[kPrepare](result, resourceName(resource));
      this.#commitAndSend(request, epoch);
    } catch (error) {
      void this.#fail(request, error, epoch);
    }
  }

  /** An asynchronous render's end: its commit is awaited here too, rather than in a `#sendAfter` of its own (a promise less a request). */
  async #settle(request: Request, resource: Resource, pending: PromiseLike<unknown>, epoch: number): Promise<void> {
    let commit: Promise<void> | boolean;
    try {
      request[kPrepare](await pending, resourceName(resource));
      commit = request[kCommit]();
      if (typeof commit !== 'boolean') await commit;
    } catch (error) {
      return this.#fail(request, error, epoch);
    }
    this.#committed(request, commit, epoch);
  }

  /** The one commit step: sessions are committed (and their cookies set) before the head is written. */
  #commitAndSend(request: Request, epoch: number): void {
    const commit = request[kCommit]();
    if (typeof commit === 'boolean') this.#committed(request, commit, epoch);
    else void this.#sendAfter(request, commit, epoch);
  }

  async #sendAfter(request: Request, commit: Promise<void>, epoch: number): Promise<void> {
    try {
      // A commit error: the manager rolled that session back and the others were aborted.
      await commit;
    } catch (error) {
      return this.#fail(request, error, epoch);
    }
    this.#committed(request, commit, epoch);
  }

  /** Sends the response once its commit is done: `commit`, what the request's commit step gave (a promise: now settled). */
  #committed(request: Request, commit: Promise<void> | boolean, epoch: number): void {
    if (commit !== false) this.#outages.succeeded();
    // A store that answered later: the responses its answer lets go are written back to back already.
    if (typeof commit !== 'boolean') this.#write(request, epoch);
    else this.#send(request, epoch);
  }

  /** Writes a response that was ready in the pass that read its request with the others of this turn (see turn-end.ts). */
  #send(request: Request, epoch: number): void {
    atTurnEnd(() => this.#write(request, epoch));
  }

  /** Writes the response; a head that cannot be written is answered as an error. */
  #write(request: Request, epoch: number): void {
    try {
      request[kSend](request.method === 'HEAD', this.#done);
    } catch (error) {
      void this.#fail(request, error, epoch);
    }
  }

  async #fail(request: Request, error: unknown, epoch: number): Promise<void> {
    try {
      const abort = request[kAbort]();
      if (abort !== null) await abort;
      const status = request[kSendError](error, this.displayTracebacks, request.method === 'HEAD');
      // A store outage is logged once (StoreOutages), not reported per request.
      if (status >= 500 && !this.#outages.failed(error, epoch)) this.#report(error, request);
    } catch (inner) {
      this.#report(inner, request);
      request.response.destroy();
    } finally {
      this.#finished();
    }
  }

  /** Hands the request's access-log entry to `accessLog` once its response is done. */
  #logAccess(request: Request): void {
    const accessLog = this.#accessLog!;
    const time = new Date();
    const started = performance.now();
    request.response.once('close', () => {
      try {
        accessLog(accessLogEntry(request, time, started));
      } catch (error) {
        this.#report(error, null);
      }
    });
  }

  #report(error: unknown, request: Request | null): void {
    const what = request === null ? 'server error' : `${request.method} ${request.path} answered ${request.response.statusCode}`;
    try {
      this.#logger.error(`[dovetail/web] ${what}: ${oneLine(error)}`, error);
    } catch {
      // A failing logger must not take the server down.
    }
  }

  #finished(error?: Error): void {
    if (error !== undefined) this.#report(error, null);
    if (--this.#inflight === 0 && this.#drained !== null) {
      const drained = this.#drained;
      this.#drained = null;
      drained();
    }
  }
}

function resourceName(resource: Resource): string {
  return (Object.getPrototypeOf(resource) as { constructor: { name: string } }).constructor.name || 'a resource';
}

function listenReason(error: NodeJS.ErrnoException, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use by another process. Stop that process, pick another port, or pass 0 for a free one.`;
    case 'EACCES':
      return `no permission to bind port ${port} (ports below 1024 need privileges). Use a port above 1023.`;
    case 'EADDRNOTAVAIL':
      return 'the address is not one of this machine\'s. Use 127.0.0.1, 0.0.0.0 or a local address.';
    default:
      return `${error.message}.`;
  }
}
