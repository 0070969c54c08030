/**
 * The health check a Site answers at `SiteOptions.health` (`dovetail serve`:
 * `/.well-known/dovetail/health`), for load balancers and orchestrators. Internal: the Site
 * routes to it before traversal, so no application resource can shadow it.
 *
 * @module
 */
import { retryAfterHeader } from '../error-status.js';
import { Resource } from '../resource.js';
import type { Request } from '../request.js';
import type { SessionStore } from '@dovetail/session';

/**
 * The id the probe reads. A store answers a read of an id it does not keep in O(1) (one indexed
 * lookup in SQLite, one `HGETALL` in Redis), unlike `count()`, which SQLite answers by scanning.
 */
const PROBE_ID = 'dovetail-health-probe';

/** The body of a health answer: `ok` (200), `unavailable` or `closing` (503). */
export interface HealthBody {
  readonly status: 'ok' | 'unavailable' | 'closing';
}

/**
 * Answers 200 `{"status":"ok"}` when the session store answers a read, 503 with `Retry-After`
 * (as every store-down 503) when it does not, and 503 while the Site is closing, so that a load
 * balancer stops sending new requests to a process that is draining.
 */
export class HealthResource extends Resource {
  override isLeaf = true;

  /**
   * @param store - the session store to probe, or null (a Site without sessions is healthy while it serves)
   * @param closing - whether the Site is closing
   */
  constructor(
    readonly store: SessionStore | null,
    readonly closing: () => boolean,
  ) {
    super();
  }

  /** Probes the store; never throws (an outage is an answer here, not an error to log). */
  async renderGET(request: Request): Promise<HealthBody> {
    request.setHeader('Cache-Control', 'no-store');
    if (this.closing()) return unavailable(request, 'closing', undefined);
    if (this.store === null) return { status: 'ok' };
    try {
      await this.store.get(PROBE_ID, Date.now());
      return { status: 'ok' };
    } catch (error) {
      return unavailable(request, 'unavailable', error);
    }
  }
}

function unavailable(request: Request, status: 'closing' | 'unavailable', error: unknown): HealthBody {
  request.setResponseCode(503);
  // The error's own delay, or the default one every store-down 503 carries.
  request.setHeader('Retry-After', retryAfterHeader(error, 503)!);
  return { status };
}
