import { DovetailError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CookieTemplate, parseCookieHeader, serializeCookie, validateCookieOptions } from './cookies.js';
import { InvalidCookieError } from './errors.js';

describe('parseCookieHeader', () => {
  it('two cookies → both, by name', () => {
    const jar = parseCookieHeader('a=1; b=two');
    expect(jar.a).toBe('1');
    expect(jar.b).toBe('two');
  });

  it('missing header → no cookies', () => {
    expect(Object.keys(parseCookieHeader(undefined))).toEqual([]);
  });

  it('a 12 KiB header with ours last → ours read', () => {
    const big = `big=${'x'.repeat(12 * 1024)}; sid=abc`;
    expect(parseCookieHeader(big).sid).toBe('abc');
  });

  it('__proto__ as a cookie name → a plain entry, no prototype pollution', () => {
    const jar = parseCookieHeader('__proto__=x; constructor=y');
    expect(jar['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('arbitrary header text → never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (header) => {
        expect(() => parseCookieHeader(header)).not.toThrow();
      }),
    );
  });

  it('a bad percent escape → the raw value', () => {
    expect(parseCookieHeader('a=%E0%A4%A').a).toBe('%E0%A4%A');
  });
});

describe('serializeCookie', () => {
  it('no options → Path=/; HttpOnly; SameSite=Lax', () => {
    expect(serializeCookie('theme', 'dark')).toBe('theme=dark; Path=/; HttpOnly; SameSite=Lax');
  });

  it('secure and maxAge → Max-Age and Secure', () => {
    const header = serializeCookie('t', 'v', { secure: true, maxAge: 60 });
    expect(header).toContain('Max-Age=60');
    expect(header).toContain('Secure');
  });

  it('a value with spaces → percent-encoded', () => {
    expect(serializeCookie('t', 'a b;c')).toMatch(/^t=a%20b%3Bc;/);
  });

  it('an invalid name → InvalidCookieError with code', () => {
    expect(() => serializeCookie('bad name', 'v')).toThrow(InvalidCookieError);
    try {
      serializeCookie('a;b', 'v');
    } catch (e) {
      expect((e as InvalidCookieError).code).toBe('DT_WEB_INVALID_COOKIE');
      expect(e).toBeInstanceOf(DovetailError);
    }
  });
});

describe('validateCookieOptions', () => {
  it('defaults → path /, httpOnly, lax, not secure', () => {
    expect(validateCookieOptions('sid')).toEqual({ path: '/', httpOnly: true, sameSite: 'lax', secure: false });
  });

  it.each([
    ['a path with ;', { path: '/a;b' }],
    ['a domain with a space', { domain: 'exa mple.com' }],
    ['a fractional maxAge', { maxAge: 1.5 }],
    ['sameSite none without secure', { sameSite: 'none' as const }],
    ['an unknown sameSite', { sameSite: 'loose' as unknown as 'lax' }],
  ])('%s → InvalidCookieError', (_label, options) => {
    expect(() => validateCookieOptions('sid', options)).toThrow(InvalidCookieError);
  });

  it('sameSite none with secure → accepted', () => {
    expect(validateCookieOptions('sid', { sameSite: 'none', secure: true }).sameSite).toBe('none');
  });
});

describe('CookieTemplate', () => {
  it('serialize → name=value plus the attributes computed once', () => {
    const t = new CookieTemplate('DOVETAIL_SESSION', { secure: true, domain: 'example.com' });
    expect(t.serialize('abc.def')).toBe('DOVETAIL_SESSION=abc.def; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('clear → Max-Age=0 and an Expires in 1970, same path', () => {
    const header = new CookieTemplate('sid', { path: '/app' }).clear();
    expect(header).toMatch(/^sid=;/);
    expect(header).toContain('Max-Age=0');
    expect(header).toContain('Path=/app');
    expect(header).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('a value with ; → InvalidCookieError', () => {
    expect(() => new CookieTemplate('sid').serialize('a;b')).toThrow(InvalidCookieError);
  });

  it('an invalid name → throws at construction', () => {
    expect(() => new CookieTemplate('s i d')).toThrow(InvalidCookieError);
  });
});
