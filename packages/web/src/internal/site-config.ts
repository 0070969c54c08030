/**
 * The settings a Site hands every Request it makes: one object per Site, shared by its requests.
 * Internal: never re-exported.
 */
import type { CookieTemplate } from '../cookies.js';
import type { SessionsLike } from './sessions-api.js';
import type { Session } from '@dovetail/session';

/** Per-Site settings read by Request on demand. */
export interface SiteConfig {
  readonly maxBodyBytes: number;
  readonly trustProxy: boolean;
  /** The session manager, or null when the Site has none. */
  readonly sessions: SessionsLike<Session> | null;
  /** The session cookie writers `[plain HTTP, HTTPS]`, built and checked once with the Site. */
  readonly sessionCookies: readonly [CookieTemplate, CookieTemplate] | null;
  /** `Cache-Control` for responses that set or clear the session cookie, or null to leave it alone. */
  readonly sessionCacheControl: string | null;
  /** Send `X-Content-Type-Options: nosniff` (unless the app set the header). */
  readonly noSniff: boolean;
  /** Set when the Site is closing: responses then carry `Connection: close`. */
  closing: boolean;
}

/** A SiteConfig for a Request made outside a Site (tests, adapters). */
export function defaultSiteConfig(overrides: Partial<SiteConfig> = {}): SiteConfig {
  return {
    maxBodyBytes: 1024 * 1024,
    trustProxy: false,
    sessions: null,
    sessionCookies: null,
    sessionCacheControl: 'no-store',
    noSniff: true,
    closing: false,
    ...overrides,
  };
}
