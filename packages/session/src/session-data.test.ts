import { describe, expect, it } from '@jest/globals';
import { ISessionPkgData } from './contracts.js';
import { SessionData } from './session-data.js';

describe('SessionData', () => {
  it('is Map-like: get (with fallback), set (chained), has, delete, clear, size, keys, values, entries, iteration', () => {
    const d = new SessionData('products.foo', [['a', 1]]);
    expect(d.name).toBe('products.foo');
    expect(d.set('b', 2).set('c', undefined)).toBe(d);
    expect(d.get('a')).toBe(1);
    expect(d.get('c', 'fallback')).toBeUndefined(); // set to undefined is set
    expect(d.get('zz', 'fallback')).toBe('fallback');
    expect(d.has('c')).toBe(true);
    expect(d.size).toBe(3);
    expect([...d.keys()]).toEqual(['a', 'b', 'c']);
    expect([...d.values()]).toEqual([1, 2, undefined]);
    expect([...d.entries()]).toEqual([...d]);
    expect(d.delete('c')).toBe(true);
    expect(d.delete('c')).toBe(false);
    expect(d.toJSON()).toEqual({ a: 1, b: 2 });
    d.clear();
    expect(d.size).toBe(0);
  });

  it('provides ISessionPkgData', () => {
    expect(ISessionPkgData.providedBy(new SessionData('x'))).toBe(true);
  });

  it('values are not checked when set (the codec checks them at commit, as Zope at transaction commit)', () => {
    const d = new SessionData('x');
    expect(() => d.set('fn', () => 1)).not.toThrow();
  });

  it('toJSON gives a plain object that JSON.stringify can use', () => {
    const d = new SessionData('x', [['color', 'red']]);
    expect(JSON.stringify({ d })).toBe('{"d":{"color":"red"}}');
  });
});
