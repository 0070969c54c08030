import { expect, it } from '@jest/globals';
import { newSessionId } from './session-id.js';

const timeOf = (id: string): number => Buffer.from(id, 'base64url').readUIntBE(0, 6);

it('ids are 43 base64url characters (256 bits), and 1,000 ids in a row (across pool refills) are all different', () => {
  const ids = Array.from({ length: 1000 }, () => newSessionId());
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(new Set(ids).size).toBe(1000);
});

it('an id is not the zero bytes a wiped pool slot holds', () => {
  const zero = Buffer.alloc(32).toString('base64url');
  for (let i = 0; i < 300; i++) expect(newSessionId()).not.toBe(zero);
});

it('an id starts with its creation time in ms (6 bytes, its first 8 characters); the 26 bytes after it are random', () => {
  const now = Date.UTC(2026, 11, 5, 14, 30, 0, 123);
  const ids = Array.from({ length: 200 }, () => newSessionId(now));
  for (const id of ids) expect(timeOf(id)).toBe(now);
  expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);
  const tails = ids.map((id) => Buffer.from(id, 'base64url').subarray(6));
  expect(new Set(tails.map((t) => t.toString('hex'))).size).toBe(200);
  // Each of the 26 bytes takes many values over 200 ids: none is fixed or derived from the time.
  for (let i = 0; i < 26; i++) expect(new Set(tails.map((t) => t[i])).size).toBeGreaterThan(100);
});

it('the default time is now; a time a clock cannot mean (negative, NaN, past 2^48 ms) gives time bytes of 0, not an error', () => {
  const before = Date.now();
  const t = timeOf(newSessionId());
  expect(t).toBeGreaterThanOrEqual(before);
  expect(t).toBeLessThanOrEqual(Date.now());
  expect(timeOf(newSessionId(1234.9))).toBe(1234);
  for (const bad of [-1, Number.NaN, 2 ** 48, Number.POSITIVE_INFINITY]) expect(timeOf(newSessionId(bad))).toBe(0);
});
