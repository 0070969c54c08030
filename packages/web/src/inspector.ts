/**
 * The Inspector: an optional resource that shows what a running site holds — the registry's
 * interfaces, adapters, utilities, subscribers and handlers as tables and as a graph, live
 * session statistics, and one session's data by id. Read-only.
 *
 * Nothing mounts it unless the application does. It answers only loopback clients (unless
 * `allowRemote`), and only requests that carry its token: behind a reverse proxy on the same
 * host every request comes from loopback, so the address alone proves nothing.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { getCurrentRegistry } from '@dovetail/registry';
import { Sessions, decode } from '@dovetail/session';
import { InvalidOptionError } from './errors.js';
import { type Href, graphBody, page, registryTables, sessionData, sessionList, statisticsTable } from './inspector-pages.js';
import { SessionRates } from './inspector-stats.js';
import { errorPage, escapeHtml } from './internal/html.js';
import { kSiteSessions } from './internal/symbols.js';
import { Resource } from './resource.js';
import type { Request } from './request.js';
import type { Registry } from '@dovetail/registry';

/** Options of {@link Inspector}. */
export interface InspectorOptions {
  /**
   * The secret every request must carry, in the `X-Dovetail-Token` header or the `token` query
   * parameter; at least 16 characters. Required: there is no default and none is generated, so
   * that an inspector is never reachable with a secret nobody chose.
   */
  readonly token: string;
  /** The registry to show, and whose session events are counted. Default: the current registry. */
  readonly registry?: Registry;
  /** The session manager whose store is shown. Default: the Site's. */
  readonly sessions?: Sessions;
  /** Answer clients that are not on loopback too (the token is still required). Default false. */
  readonly allowRemote?: boolean;
  /** The clock of the per-minute statistics, epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
}

/** The shortest token accepted. */
const MIN_TOKEN = 16;
const PAGE_SIZE = 100;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** True for 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * The inspector resource; mount it where you like.
 *
 * Pages (under its mount point): `/` overview and session statistics, `/registry` tables,
 * `/graph` the SVG of interfaces and adapters, `/sessions` the session list, `/sessions/<id>` one
 * session's data. Every response carries `Cache-Control: no-store` and `Referrer-Policy: no-referrer`
 * (links carry the token when it came in the query).
 *
 * @throws InvalidOptionError (`DT_WEB_INVALID_OPTION`) without a token of at least 16 characters.
 * @example
 * ```ts
 * root.putChild('_dovetail', new Inspector({ token: process.env.DOVETAIL_INSPECTOR_TOKEN!, sessions }));
 * // curl -H "X-Dovetail-Token: $DOVETAIL_INSPECTOR_TOKEN" http://127.0.0.1:8080/_dovetail/registry
 * ```
 */
export class Inspector extends Resource {
  override isLeaf = true;
  readonly #token: Buffer;
  readonly #registry: Registry;
  readonly #sessions: Sessions | undefined;
  readonly #allowRemote: boolean;
  readonly #clock: () => number;
  readonly #rates: SessionRates;

  constructor(options: InspectorOptions) {
    super();
    const token = (options as Partial<InspectorOptions> | undefined)?.token;
    if (typeof token !== 'string' || token.length < MIN_TOKEN) {
      throw new InvalidOptionError(
        'Inspector option token',
        // A secret, even a rejected one, is never echoed into logs.
        typeof token === 'string' ? `a string of ${token.length} characters (not shown)` : token,
        `a secret string of at least ${MIN_TOKEN} characters that every request must carry (make one with ` +
          `\`node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"\` and pass it, e.g. from an environment variable)`,
      );
    }
    this.#token = digest(token);
    this.#registry = options.registry ?? getCurrentRegistry();
    this.#sessions = options.sessions;
    this.#allowRemote = options.allowRemote ?? false;
    this.#clock = options.clock ?? Date.now;
    this.#rates = new SessionRates(this.#registry, this.#clock);
  }

  /** Stops counting session events (unsubscribes from the registry). Idempotent. */
  close(): void {
    this.#rates.close();
  }

  /** Refuses, or hands the request on to `renderGET`/`renderHEAD` (other methods: 405). */
  override render(request: Request): string | Promise<string> {
    request.setHeader('Cache-Control', 'no-store');
    request.setHeader('Referrer-Policy', 'no-referrer');
    const refusal = this.#refuse(request);
    if (refusal !== undefined) return refusal;
    return super.render(request) as string | Promise<string>;
  }

  /** The page named by the rest of the path. */
  async renderGET(request: Request): Promise<string> {
    const [first = '', second, ...more] = request.postpath;
    const href = this.#href(request);
    const sessions = this.#sessionsFor(request);
    if (first === '' && second === undefined) return page('Overview', href, await this.#statistics(sessions) + this.#overviewLinks(href));
    if (first === 'registry' && second === undefined) return page('Registry', href, registryTables(this.#registry));
    if (first === 'graph' && second === undefined) return page('Interfaces and adapters', href, graphBody(this.#registry));
    if (first === 'sessions' && sessions !== undefined && more.length === 0) {
      const now = this.#clock();
      if (second === undefined || second === '') {
        const listed = await sessions.store.list(request.query.get('cursor') ?? undefined, PAGE_SIZE);
        return page('Sessions', href, (await this.#statistics(sessions)) + sessionList(listed, href, now));
      }
      const entry = await sessions.store.get(second, sessions.now());
      if (entry !== undefined) return page(`Session ${second}`, href, sessionData(second, this.#decode(entry.payload), entry.expires));
    }
    request.setResponseCode(404);
    return errorPage(404, 'Not Found', 'No such inspector page (or no such live session).');
  }

  /** HEAD: as GET, without the body (the Site drops it). */
  renderHEAD(request: Request): Promise<string> {
    return this.renderGET(request);
  }

  #refuse(request: Request): string | undefined {
    if (!this.#allowRemote && !isLoopback(request.raw.socket.remoteAddress)) {
      request.setResponseCode(403);
      return errorPage(403, 'Forbidden', 'The inspector answers loopback clients only (Inspector option allowRemote).');
    }
    const given = request.getHeader('x-dovetail-token') ?? request.query.get('token') ?? undefined;
    if (given === undefined || !timingSafeEqual(digest(given), this.#token)) {
      request.setResponseCode(401);
      return errorPage(401, 'Unauthorized', 'Send the inspector token in the X-Dovetail-Token header or the token query parameter.');
    }
    return undefined;
  }

  #href(request: Request): Href {
    const base = '/' + request.prepath.join('/'); // a leaf: prepath ends at the inspector itself
    const fromQuery = request.getHeader('x-dovetail-token') === undefined ? request.query.get('token') : null;
    return (path, query = {}) => {
      const params = new URLSearchParams(query);
      if (fromQuery !== null) params.set('token', fromQuery);
      const search = params.toString();
      return `${base}/${path}${search === '' ? '' : `?${search}`}`;
    };
  }

  #sessionsFor(request: Request): Sessions | undefined {
    if (this.#sessions !== undefined) return this.#sessions;
    const site = request[kSiteSessions]();
    return site instanceof Sessions ? site : undefined;
  }

  async #statistics(sessions: Sessions | undefined): Promise<string> {
    if (sessions === undefined) return statisticsTable(undefined);
    return statisticsTable({
      store: sessions.store.name,
      count: await sessions.store.count(),
      createdPerMinute: this.#rates.created.perMinute(),
      expiredPerMinute: this.#rates.expired.perMinute(),
    });
  }

  #overviewLinks(href: Href): string {
    const link = (path: string, label: string): string => `<li><a href="${escapeHtml(href(path))}">${label}</a></li>`;
    return `<ul>${link('registry', 'Registry tables')}${link('graph', 'Graph of interfaces and adapters')}${link('sessions', 'Sessions')}</ul>`;
  }

  #decode(payload: string): unknown {
    try {
      return decode(payload);
    } catch (e) {
      return `undecodable payload: ${(e as Error).message}`;
    }
  }
}
