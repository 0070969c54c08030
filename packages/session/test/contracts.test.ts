import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyObject } from '@dovetail/interfaces';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ISession, ISessionDataContainer } from '../src/contracts.js';
import { CookieStore } from '../src/cookie-store.js';
import { MemoryStore } from '../src/memory-store.js';
import { RedisStore } from '../src/redis-store.js';
import { Session } from '../src/session.js';
import { SqliteStore } from '../src/sqlite-store.js';
import type { SessionStore } from '../src/store.js';

const dir = mkdtempSync(join(tmpdir(), 'dovetail-contracts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('session contracts', () => {
  const stores: [string, () => SessionStore][] = [
    ['MemoryStore', () => new MemoryStore()],
    ['SqliteStore', () => new SqliteStore({ path: join(dir, 's.db') })],
    // Nothing is asked of the server: construction does not connect.
    ['RedisStore', () => new RedisStore({ url: 'redis://127.0.0.1:1' })],
    ['CookieStore', () => new CookieStore({ secrets: ['k'.repeat(32)] })],
  ];
  for (const [name, make] of stores) {
    it(`a ${name} → provides ISessionDataContainer, every member present`, async () => {
      const store = make();
      expect(verifyObject(ISessionDataContainer, store)).toBe(true);
      await store.close();
    });
  }

  it('a Session → provides ISession', () => {
    expect(verifyObject(ISession, new Session())).toBe(true);
  });
});
