/**
 * The two session cookies of a `Sessions` manager, plain and secure, as validated templates:
 * the secure one always carries `Secure`. Shared by the Site and the Express middleware.
 */
import { CookieTemplate } from '../cookies.js';
import type { SessionsLike } from './sessions-api.js';

/** Plain-HTTP and HTTPS cookie templates for `sessions`, built (and validated) once. */
export function sessionCookieTemplates(sessions: SessionsLike): readonly [CookieTemplate, CookieTemplate] {
  const { path, domain, sameSite, httpOnly, secure, maxAge } = sessions.cookie;
  const base = { path, domain, sameSite, httpOnly, maxAge };
  return [
    new CookieTemplate(sessions.cookieName(false), { ...base, secure }),
    new CookieTemplate(sessions.cookieName(true), { ...base, secure: true }),
  ];
}
