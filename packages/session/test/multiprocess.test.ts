import { execFile, execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisStore } from '../src/redis-store.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';
import type { SessionStore } from '../src/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, 'support', 'counter-worker.mjs');
const WORKERS = 4;
const ITERATIONS = 50;

interface WorkerResult {
  readonly ok: boolean;
  readonly lockRetries?: number;
  readonly conflicts?: number;
  readonly error?: string;
}

function runWorker(job: Record<string, unknown>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    let result: WorkerResult | undefined;
    child.on('message', (m) => (result = m as WorkerResult));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`worker exited with ${code} and no result`))));
  });
}

/** Seeds the counter, runs the workers against the same backend, returns the final counter. */
async function race(store: SessionStore, job: Record<string, unknown>): Promise<{ counter: number; results: WorkerResult[] }> {
  const id = job.id as string;
  expect(await store.set(id, JSON.stringify({ counter: 0 }), Date.now() + 3_600_000, 0)).toBe(1);
  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) => runWorker({ ...job, owner: `worker-${w}`, iterations: ITERATIONS })),
  );
  const entry = await store.get(id, Date.now());
  return { counter: (JSON.parse(entry!.payload) as { counter: number }).counter, results };
}

const root = join(here, '../../..');
// The workers import the built stores (packages/session/dist), as an application would.
const compiled = { dir: join(root, 'packages/session/dist') };
beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/session'], { cwd: root, stdio: 'pipe' });
}, 180_000);

describe('SqliteStore across processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-mp-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('4 processes × 50 locked increments on one session → counter is exactly 200', async () => {
    const path = join(dir, 'sessions.db');
    const store = await SqliteStore.open({ path });
    try {
      const { counter, results } = await race(store, { dir: compiled.dir, kind: 'sqlite', path, id: 'shared' });
      for (const r of results) expect(r).toMatchObject({ ok: true, conflicts: 0 });
      expect(counter).toBe(WORKERS * ITERATIONS);
      expect((await store.get('shared', Date.now()))?.version).toBe(WORKERS * ITERATIONS + 1);
    } finally {
      await store.close();
    }
  });
});

describe('SqliteStore closing in a script', () => {
  it('close() of a store whose checkpoint thread runs lets the script go on to its end (exit code 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dovetail-close-sqlite-'));
    try {
      const job = { dir: compiled.dir, path: join(dir, 'sessions.db'), writes: 1_200 };
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = execFile(process.execPath, [join(here, 'support', 'close-after-writes.mjs'), JSON.stringify(job)], { timeout: 60_000 }, (error, out) =>
          error && error.code === undefined ? reject(error) : resolve({ code: child.exitCode, stdout: out }),
        );
      });
      expect(stdout).toContain('closed after 1200 writes');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

(redisTestsEnabled() ? describe : describe.skip)('RedisStore across processes', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('4 processes × 50 locked increments on one session → counter is exactly 200', async () => {
    const store = new RedisStore({ url: server.url, prefix: 'mp:' });
    try {
      const { counter, results } = await race(store, { dir: compiled.dir, kind: 'redis', url: server.url, prefix: 'mp:', id: 'shared' });
      for (const r of results) expect(r).toMatchObject({ ok: true, conflicts: 0 });
      expect(counter).toBe(WORKERS * ITERATIONS);
    } finally {
      await store.close();
    }
  });
});

describe('the secret file beside a SQLite store, across processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-mp-secret-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('8 processes starting together with no file → one secret, the same for all (exclusive create)', async () => {
    const path = join(dir, '.dovetail-secret');
    const script = `import(${JSON.stringify(pathToFileURL(join(compiled.dir, 'secret-file.js')).href)}).then((m) => process.stdout.write(m.keptSecretFile(${JSON.stringify(path)})))`;
    const secrets = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve, reject) =>
            execFile(process.execPath, ['-e', script], (error, stdout) => (error ? reject(error) : resolve(stdout))),
          ),
      ),
    );
    expect(secrets[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(secrets).size).toBe(1);
  });
});
