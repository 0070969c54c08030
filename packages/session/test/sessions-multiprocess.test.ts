/**
 * No lost updates across processes: 4 real Node processes, each running the Sessions manager of
 * the built package (packages/session/dist) on one SqliteStore file, or one Redis server, each
 * doing 50 load → increment → commit units on one session → exactly 200.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { Registry, withRegistry } from '@dovetail/registry';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisStore } from '../src/redis-store.js';
import { Session } from '../src/session.js';
import { Sessions } from '../src/sessions.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';
import { killWorkers, startWorker } from './support/worker-process.js';
import type { SessionStore } from '../src/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const worker = join(here, 'support', 'sessions-worker.mjs');
const SECRET = 'multiprocess-secret-0123456789abcdef';
const PROCESSES = 4;
const UNITS = 50;

const ICounter = defineInterface<{ value: number }>('dovetail.test.multiprocess.ICounter', { members: { value: Attribute('Counts.') } });
@implementer(ICounter)
class Counter {
  value = 0;
  constructor(readonly session: Session) {}
}
const registry = new Registry({ name: 'multiprocess' });

afterAll(killWorkers);
registry.registerAdapter(Counter, Session, ICounter);

beforeAll(() => {
  // The workers run the built package, as an application would.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/session'], { cwd: root, stdio: 'pipe' });
}, 180_000);

async function runProcesses(store: SessionStore, target: string, prefix: string): Promise<number> {
  const sessions = new Sessions({ store, registry, secrets: [SECRET], sweepInterval: 0 });
  try {
    const s = sessions.create();
    withRegistry(registry, () => (ICounter(s).value = 0));
    s.changed(); // a new counter at 0 is no change by itself: store it anyway
    await sessions.commit(s);
    const cookie = sessions.cookieValue(s);
    const kind = store instanceof SqliteStore ? 'sqlite' : 'redis';
    const workers = await Promise.all(Array.from({ length: PROCESSES }, () => startWorker(worker, [kind, target, prefix, SECRET, cookie, String(UNITS)], root)));
    for (const w of workers) w.go();
    const outputs = await Promise.all(workers.map((w) => w.done));
    for (const o of outputs) expect(o).toContain(`done ${UNITS}`);
    const last = await sessions.load(cookie);
    const value = withRegistry(registry, () => ICounter(last!).value);
    expect(withRegistry(registry, () => ICounter(last!))).toBeInstanceOf(Counter);
    await sessions.commit(last!);
    return value;
  } finally {
    await sessions.close();
  }
}

describe('Sessions across processes', () => {
  it(`SqliteStore: ${PROCESSES} processes × ${UNITS} increments of one session → exactly ${PROCESSES * UNITS}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dovetail-mp-'));
    try {
      const path = join(dir, 'sessions.db');
      expect(await runProcesses(new SqliteStore({ path }), path, '')).toBe(PROCESSES * UNITS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const withRedis = redisTestsEnabled();
  (withRedis ? describe : describe.skip)('with Redis', () => {
    let server: RedisServer | undefined;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it(`RedisStore: ${PROCESSES} processes × ${UNITS} increments of one session → exactly ${PROCESSES * UNITS}`, async () => {
      const prefix = 'mp:';
      expect(await runProcesses(new RedisStore({ url: server!.url, prefix }), server!.url, prefix)).toBe(PROCESSES * UNITS);
    }, 60_000);
  });
});
