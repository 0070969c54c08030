/**
 * The `Cache-Control` of a response that sets or clears the session cookie: such a response
 * names one visitor's session, so no shared cache may keep it and hand it to someone else.
 * Shared by the Site and the Express middleware. Internal: never re-exported.
 */
import { InvalidOptionError } from '../errors.js';

/**
 * `fallback` (by default `no-store`) when the app set no `Cache-Control`; otherwise the app's own
 * directives with `private` added and `public` dropped (as Django's `patch_cache_control` does),
 * unchanged when they already say `private` or `no-store`.
 */
export function sessionCacheControl(existing: string | number | readonly string[] | undefined, fallback: string): string {
  const text = existing === undefined ? '' : typeof existing === 'object' ? existing.join(', ') : String(existing);
  if (text.trim() === '') return fallback;
  const directives = text.split(',').map((d) => d.trim()).filter((d) => d !== '');
  const name = (d: string): string => {
    const eq = d.indexOf('=');
    return (eq === -1 ? d : d.slice(0, eq)).trim().toLowerCase();
  };
  const kept = directives.filter((d) => name(d) !== 'public');
  if (!kept.some((d) => name(d) === 'private' || name(d) === 'no-store')) kept.push('private');
  return kept.join(', ');
}

/**
 * Checks the `sessionCacheControl` option: `'no-store'` when absent, null for `false`.
 *
 * @throws {InvalidOptionError} `DT_WEB_INVALID_OPTION` for anything but `false` or a header value.
 */
export function cacheControlOption(value: string | false | undefined, option: string): string | null {
  if (value === undefined) return 'no-store';
  if (value === false) return null;
  if (typeof value !== 'string' || value.trim() === '' || !/^[\t\x20-\x7e]*$/.test(value)) {
    throw new InvalidOptionError(option, value, "a Cache-Control header value such as 'no-store', or false");
  }
  return value;
}
