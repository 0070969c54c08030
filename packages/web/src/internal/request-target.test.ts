import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { originForm, splitSegments } from './request-target.js';

/** Twisted's reading of a path: split after the leading slash, then unquote each segment (a bad escape stays). */
function twisted(path: string): string[] {
  return path
    .slice(1)
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

describe('a path split into segments', () => {
  it('splits after the leading slash, keeping empty segments, and decodes each', () => {
    expect(splitSegments('/')).toEqual(['']);
    expect(splitSegments('/counter')).toEqual(['counter']);
    expect(splitSegments('/a//b/')).toEqual(['a', '', 'b', '']);
    expect(splitSegments('/a%20b/%2F/c')).toEqual(['a b', '/', 'c']);
  });

  it('leaves a malformed escape as sent', () => {
    expect(splitSegments('/100%/x%zz')).toEqual(['100%', 'x%zz']);
  });

  it("is Twisted's reading for any path (property)", () => {
    const segment = fc.stringMatching(/^[a-z%20F/.\-~]{0,6}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), (parts) => {
        const path = '/' + parts.join('/');
        expect(splitSegments(path)).toEqual(twisted(path));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a target in absolute form', () => {
  it('becomes its path; other forms stay', () => {
    expect(originForm('http://example.com/a/b?q=1')).toBe('/a/b?q=1');
    expect(originForm('http://example.com')).toBe('/');
    expect(originForm('*')).toBe('*');
  });
});
