/**
 * The manager-level conformance suite (test/support/sessions-conformance.ts) against every store:
 * MemoryStore, SqliteStore (a temp dir; shared and exclusive), RedisStore (a real redis-server on a free loopback port,
 * skipped when redis-server is missing unless CI=true) and CookieStore.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { CookieStore } from '../src/cookie-store.js';
import { MemoryStore } from '../src/memory-store.js';
import { RedisStore } from '../src/redis-store.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';
import { describeSessions } from './support/sessions-conformance.js';
import type { SessionStore } from '../src/store.js';

describeSessions('MemoryStore', (clock) => new MemoryStore({ clock }));

const dir = mkdtempSync(join(tmpdir(), 'dovetail-sessions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const paths = new WeakMap<SessionStore, string>();
describeSessions(
  'SqliteStore',
  (clock) => {
    const path = join(dir, `s${++files}.db`);
    const store = new SqliteStore({ path, clock });
    paths.set(store, path);
    return store;
  },
  { twin: (store) => new SqliteStore({ path: paths.get(store)! }) },
);
describeSessions('SqliteStore (exclusive)', (clock) => new SqliteStore({ path: join(dir, `x${++files}.db`), clock, exclusive: true }));

if (redisTestsEnabled()) {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  let prefixes = 0;
  const prefixOf = new WeakMap<SessionStore, string>();
  describeSessions(
    'RedisStore',
    (clock) => {
      const prefix = `t${++prefixes}:`;
      const store = new RedisStore({ url: server!.url, prefix, clock });
      prefixOf.set(store, prefix);
      return store;
    },
    { twin: (store) => new RedisStore({ url: server!.url, prefix: prefixOf.get(store)! }) },
  );
}

// Each store its own random secret: a cookie sealed by one store is foreign to another.
describeSessions('CookieStore', (clock) => new CookieStore({ secrets: [randomBytes(32).toString('base64url')], clock }));
