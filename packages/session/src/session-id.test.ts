import { expect, it } from '@jest/globals';
import { newSessionId } from './session-id.js';

it('ids are 43 base64url characters (256 bits), and 1,000 ids in a row (across pool refills) are all different', () => {
  const ids = Array.from({ length: 1000 }, newSessionId);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(new Set(ids).size).toBe(1000);
});

it('an id is not the zero bytes a wiped pool slot holds', () => {
  const zero = Buffer.alloc(32).toString('base64url');
  for (let i = 0; i < 300; i++) expect(newSessionId()).not.toBe(zero);
});
