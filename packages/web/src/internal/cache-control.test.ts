import { describe, expect, it } from '@jest/globals';
import { sessionCacheControl } from './cache-control.js';

describe('sessionCacheControl', () => {
  it('none set by the app → the fallback', () => {
    expect(sessionCacheControl(undefined, 'no-store')).toBe('no-store');
    expect(sessionCacheControl('  ', 'no-store')).toBe('no-store');
  });

  it('the app set its own → private added', () => {
    expect(sessionCacheControl('max-age=60', 'no-store')).toBe('max-age=60, private');
  });

  it('public → replaced by private (a session page is never for a shared cache)', () => {
    expect(sessionCacheControl('public, max-age=60', 'no-store')).toBe('max-age=60, private');
    expect(sessionCacheControl('Public,s-maxage=10', 'no-store')).toBe('s-maxage=10, private');
  });

  it('already private or no-store → unchanged', () => {
    expect(sessionCacheControl('private, max-age=5', 'no-store')).toBe('private, max-age=5');
    expect(sessionCacheControl('no-store', 'no-store')).toBe('no-store');
    expect(sessionCacheControl('private="set-cookie"', 'no-store')).toBe('private="set-cookie"');
  });

  it('a list of header values → joined, then patched', () => {
    expect(sessionCacheControl(['max-age=60', 'must-revalidate'], 'no-store')).toBe('max-age=60, must-revalidate, private');
  });
});
