import { describe, expect, it } from '@jest/globals';
import { RecentMap } from './recent-map.js';

describe('RecentMap', () => {
  it('never keeps more than two generations, however many entries go in', () => {
    const map = new RecentMap<number, string>(100);
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      map.set(i, `v${i}`);
      largest = Math.max(largest, map.size);
    }
    expect(largest).toBe(200);
    expect(map.get(9_999)).toBe('v9999');
    expect(map.get(9_800)).toBe('v9800');
    expect(map.get(9_799)).toBeUndefined(); // two generations back: gone
    expect(map.get(0)).toBeUndefined();
  });

  it('an entry in use is kept across generations; one not used since is dropped', () => {
    const map = new RecentMap<string, number>(3);
    map.set('hot', 1);
    map.set('cold', 2);
    for (let i = 0; i < 30; i++) {
      map.set(`other${i}`, i);
      expect(map.get('hot')).toBe(1); // used once per generation at least
    }
    expect(map.get('cold')).toBeUndefined();
    expect(map.size).toBeLessThanOrEqual(6);
  });

  it('setting a key already in the current generation replaces its value and makes no new generation', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('b', 3);
    expect(map.get('a')).toBe(1);
    expect(map.get('b')).toBe(3);
    expect(map.size).toBe(2);
  });

  it('clear forgets both generations', () => {
    const map = new RecentMap<string, number>(1);
    map.set('a', 1);
    map.set('b', 2); // 'a' is in the previous generation now
    map.clear();
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBeUndefined();
    expect(map.size).toBe(0);
  });
});
