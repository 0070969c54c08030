import { describe, expect, it } from '@jest/globals';
import { deleteFrom } from './churn.js';

describe('deleteFrom', () => {
  it('deletes from the same Map while other entries remain, in their order', () => {
    const table = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const kept = deleteFrom(table, 'b');
    expect(kept).toBe(table);
    expect([...kept]).toEqual([['a', 1], ['c', 3]]);
  });

  it('gives a new empty Map for the last entry, and leaves the old one alone', () => {
    const table = new Map([['a', 1]]);
    const kept = deleteFrom(table, 'a');
    expect(kept).not.toBe(table);
    expect(kept).toBeInstanceOf(Map);
    expect(kept.size).toBe(0);
    expect(table.get('a')).toBe(1);
  });

  it('does the same with a Set', () => {
    const table = new Set(['a', 'b']);
    const first = deleteFrom(table, 'a');
    expect(first).toBe(table);
    const last = deleteFrom(first, 'b');
    expect(last).toBeInstanceOf(Set);
    expect(last).not.toBe(table);
    expect(last.size).toBe(0);
  });

  it('an absent key changes nothing, even in a table of one', () => {
    const table = new Map([['a', 1]]);
    expect(deleteFrom(table, 'z')).toBe(table);
    expect(table.size).toBe(1);
  });

  it('a loop over the table that deletes as it goes visits every entry once', () => {
    let table = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const visited: string[] = [];
    for (const [key] of table) {
      visited.push(key);
      table = deleteFrom(table, key);
    }
    expect(visited).toEqual(['a', 'b', 'c']);
    expect(table.size).toBe(0);
  });
});
