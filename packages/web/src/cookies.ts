/**
 * Cookie helpers around the `cookie` package: a `Cookie` header parser that never throws, and
 * `Set-Cookie` serialisation with safe defaults (`HttpOnly; SameSite=Lax; Path=/`).
 *
 * @module
 */
import { parseCookie, stringifySetCookie } from 'cookie';
import { InvalidCookieError } from './errors.js';

/** Parsed cookies: name → value, a null-prototype record (no `__proto__` surprises). */
export type CookieJar = Readonly<Record<string, string | undefined>>;

/** Attributes of a `Set-Cookie` header. */
export interface CookieOptions {
  /**
   * The `Path` attribute.
   * @default '/'
   */
  path?: string;
  /** The `Domain` attribute; absent means "this host only". */
  domain?: string;
  /**
   * The `SameSite` attribute. `'none'` requires `secure: true` (browsers drop it otherwise).
   * @default 'lax'
   */
  sameSite?: 'lax' | 'strict' | 'none';
  /**
   * The `HttpOnly` attribute: scripts in the page cannot read the cookie.
   * @default true
   */
  httpOnly?: boolean;
  /**
   * The `Secure` attribute: the browser sends the cookie over HTTPS only.
   * @default false
   */
  secure?: boolean;
  /** `Max-Age` in seconds (an integer); absent means a browser-session cookie. */
  maxAge?: number;
  /** The `Expires` attribute. Prefer `maxAge`. */
  expires?: Date;
  /**
   * The `Partitioned` attribute (CHIPS).
   * @default false
   */
  partitioned?: boolean;
}

const EMPTY: CookieJar = Object.freeze(Object.create(null) as Record<string, string | undefined>);

/**
 * Parses a `Cookie` request header. Never throws: a missing or malformed header gives the
 * cookies that could be read, or none. There is no length cap of our own: node already refuses
 * request heads larger than its `maxHeaderSize` (16 KiB by default) with 431, and anything it
 * accepted is read, so a large unrelated cookie sent before ours never hides ours.
 *
 * @param header - the raw `Cookie` header value (node joins repeated headers with `; `)
 * @example
 * ```ts
 * parseCookieHeader('a=1; b=two').b; // 'two'
 * ```
 */
export function parseCookieHeader(header: string | undefined): CookieJar {
  if (header === undefined || header.length === 0) return EMPTY;
  try {
    return parseCookie(header);
  } catch {
    return EMPTY;
  }
}

// RFC 6265 token / cookie-octet / av-octet, the same checks the `cookie` package applies.
const NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE_RE = /^("?)[\u0021\u0023-\u002B\u002D-\u003A\u003C-\u005B\u005D-\u007E]*\1$/;
const DOMAIN_RE = /^([.]?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const PATH_RE = /^[\u0020-\u003A\u003C-\u007E]*$/;

/**
 * A `Set-Cookie` writer for one cookie name, checked once: the attributes are validated and
 * serialised when the template is made, so each response only appends the value.
 *
 * @example
 * ```ts
 * const sid = new CookieTemplate('sid', { secure: true });
 * res.setHeader('set-cookie', sid.serialize('abc')); // 'sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export class CookieTemplate {
  /** The cookie name. */
  readonly name: string;
  /** The attributes after defaults were applied. */
  readonly options: Readonly<CookieOptions>;
  readonly #suffix: string;
  readonly #clear: string;
  /** The last `Max-Age` asked for that differs from the template's, and its suffix (one session's own lifetime). */
  #other: { maxAge: number | null; suffix: string } | null = null;

  /**
   * @throws {InvalidCookieError} `DT_WEB_INVALID_COOKIE` for a name that is not an RFC 6265 token,
   *   or an invalid path, domain, maxAge, or `SameSite=None` without `Secure`.
   */
  constructor(name: string, options: CookieOptions = {}) {
    const opts = validateCookieOptions(name, options);
    this.name = name;
    this.options = Object.freeze(opts);
    this.#suffix = stringifySetCookie('x', '', opts).slice(2);
    this.#clear = stringifySetCookie(name, '', { ...opts, maxAge: 0, expires: new Date(0) });
  }

  /**
   * The `Set-Cookie` header value for `value`, written as is (session ids and signed values are
   * already cookie-safe; use {@link serializeCookie} for arbitrary text).
   *
   * @param maxAge - this cookie's own `Max-Age` in whole seconds instead of the template's, or
   *   `null` for none (a browser-session cookie); `undefined` keeps the template's.
   * @throws {InvalidCookieError} `DT_WEB_INVALID_COOKIE` when `value` holds characters a cookie cannot carry, or `maxAge` is not an integer.
   * @example
   * ```ts
   * new CookieTemplate('sid').serialize('v1.abc'); // 'sid=v1.abc; Path=/; HttpOnly; SameSite=Lax'
   * new CookieTemplate('sid').serialize('v1.abc', 3600); // 'sid=v1.abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax'
   * ```
   */
  serialize(value: string, maxAge?: number | null): string {
    if (!VALUE_RE.test(value)) {
      throw new InvalidCookieError(this.name, 'the value holds characters a cookie cannot carry (use encodeURIComponent)');
    }
    return `${this.name}=${value}${maxAge === undefined || maxAge === this.options.maxAge ? this.#suffix : this.#suffixWith(maxAge)}`;
  }

  #suffixWith(maxAge: number | null): string {
    const other = this.#other;
    if (other !== null && other.maxAge === maxAge) return other.suffix;
    const opts = { ...this.options };
    delete opts.maxAge;
    delete opts.expires;
    if (maxAge !== null) opts.maxAge = validateCookieOptions(this.name, { ...opts, maxAge }).maxAge!;
    const suffix = stringifySetCookie('x', '', opts).slice(2);
    this.#other = { maxAge, suffix };
    return suffix;
  }

  /**
   * The `Set-Cookie` header value that deletes the cookie (`Max-Age=0`, `Expires` in 1970),
   * with the same `Path`/`Domain` so the browser matches it.
   *
   * @example
   * ```ts
   * new CookieTemplate('sid').clear(); // 'sid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 …'
   * ```
   */
  clear(): string {
    return this.#clear;
  }
}

/**
 * Checks a cookie name and attributes and fills in the defaults (`Path=/`, `HttpOnly`,
 * `SameSite=Lax`). Call it at configuration time.
 *
 * @returns the options with defaults applied
 * @throws {InvalidCookieError} `DT_WEB_INVALID_COOKIE` naming the first problem found.
 * @example
 * ```ts
 * validateCookieOptions('sid', { sameSite: 'strict' }); // { path: '/', httpOnly: true, sameSite: 'strict', secure: false }
 * ```
 */
export function validateCookieOptions(name: string, options: CookieOptions = {}): CookieOptions {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new InvalidCookieError(String(name), 'a cookie name must be a non-empty RFC 6265 token (letters, digits, !#$%&\'*+-.^_`|~)');
  }
  const path = options.path ?? '/';
  if (typeof path !== 'string' || !PATH_RE.test(path)) {
    throw new InvalidCookieError(name, `the path ${JSON.stringify(path)} holds characters not allowed in a cookie (";" or controls)`);
  }
  const { domain, maxAge, expires } = options;
  if (domain !== undefined && (typeof domain !== 'string' || !DOMAIN_RE.test(domain))) {
    throw new InvalidCookieError(name, `the domain ${JSON.stringify(domain)} is not a host name`);
  }
  if (maxAge !== undefined && !Number.isInteger(maxAge)) {
    throw new InvalidCookieError(name, `maxAge must be an integer number of seconds, was ${String(maxAge)}`);
  }
  if (expires !== undefined && !(expires instanceof Date && Number.isFinite(expires.getTime()))) {
    throw new InvalidCookieError(name, 'expires must be a valid Date');
  }
  const sameSite = options.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw new InvalidCookieError(name, `sameSite must be 'lax', 'strict' or 'none', was ${JSON.stringify(sameSite)}`);
  }
  const secure = options.secure ?? false;
  if (sameSite === 'none' && !secure) {
    throw new InvalidCookieError(name, "sameSite: 'none' needs secure: true (browsers drop such cookies otherwise)");
  }
  const out: CookieOptions = { path, httpOnly: options.httpOnly ?? true, sameSite, secure };
  if (domain !== undefined) out.domain = domain;
  if (maxAge !== undefined) out.maxAge = maxAge;
  if (expires !== undefined) out.expires = expires;
  if (options.partitioned) out.partitioned = true;
  return out;
}

/**
 * Serialises one `Set-Cookie` header value with the defaults `Path=/; HttpOnly; SameSite=Lax`.
 * The value is percent-encoded (`encodeURIComponent`), as {@link parseCookieHeader} decodes it.
 *
 * @throws {InvalidCookieError} `DT_WEB_INVALID_COOKIE` for an invalid name or attribute.
 * @example
 * ```ts
 * serializeCookie('theme', 'dark mode', { maxAge: 86400 });
 * // 'theme=dark%20mode; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax'
 * ```
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  const opts = validateCookieOptions(name, options);
  try {
    return stringifySetCookie(name, String(value), opts);
  } catch (cause) {
    throw new InvalidCookieError(name, (cause as Error).message, { cause });
  }
}
