/**
 * The CLI's secrets, in child processes: an empty or short secret stops start-up with one line
 * (no stack) saying how to make a good one; without `DOVETAIL_SECRETS`, every `dovetail serve`
 * on one store shares the secret the store keeps, so replicas accept each other's cookies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../../session/test/support/redis-server.js';
import { buildIfMissing, CLI, DEMO, ROOT } from './support/cli.js';
import { spawnServer, type SpawnedServer } from './support/process.js';


let dir: string;
beforeAll(() => {
  buildIfMissing();
  dir = mkdtempSync(join(tmpdir(), 'dovetail-cli-secrets-'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `dovetail serve` expecting it to stop at start-up; its stderr and exit code. */
function failedStart(args: string[], env: NodeJS.ProcessEnv): { stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [CLI, 'serve', DEMO, '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { stderr: r.stderr, status: r.status };
}

describe('dovetail serve with a bad secret', () => {
  it.each([
    ['DOVETAIL_SECRETS=short', [] as string[], { DOVETAIL_SECRETS: 'short' }],
    ['an empty --secret-file', ['--secret-file', 'EMPTY'], { DOVETAIL_SECRETS: '' }],
    ['an empty secret file beside the SQLite store', ['--store', 'sqlite:STORE'], { DOVETAIL_SECRETS: '' }],
  ])('%s → exit 2 with one line, no stack, saying how to make a good one', (_, args, env) => {
    const empty = join(dir, `empty-${Math.random().toString(36).slice(2)}`);
    writeFileSync(join(dir, '.dovetail-secret'), '', { mode: 0o600 });
    writeFileSync(empty, '', { mode: 0o600 });
    const { stderr, status } = failedStart(
      args.map((a) => a.replace('EMPTY', empty).replace('STORE', join(dir, 'sessions.db'))),
      env,
    );
    expect(status).toBe(2);
    const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dovetail: .*(empty|5 bytes long); a secret must be at least 32 bytes.*openssl rand -base64 32/);
  });
});

(redisTestsEnabled() ? describe : describe.skip)('two dovetail serve processes on one Redis, no DOVETAIL_SECRETS', () => {
  let redis: RedisServer;
  const servers: SpawnedServer[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.dispose();
  });

  it('400 concurrent increments alternating between them → the exact count', async () => {
    const start = (): Promise<SpawnedServer> =>
      spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--store', redis.url], cwd: ROOT, env: { DOVETAIL_SECRETS: '' } });
    servers.push(...(await Promise.all([start(), start()])));
    const [a, b] = servers as [SpawnedServer, SpawnedServer];
    const first = await fetch(`${a.url}/counter`);
    expect(await first.text()).toMatch(/Visit #1 for you!$/);
    const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const statuses = await Promise.all(
      Array.from({ length: 400 }, (_, i) => fetch(`${(i % 2 ? b : a).url}/counter`, { headers: { cookie } }).then(async (r) => (await r.text(), r.status))),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const last = await fetch(`${b.url}/counter`, { headers: { cookie } });
    expect(await last.text()).toMatch(/Visit #402 for you!$/);
    // The store as it was given on the command line, once: not `redis:redis://…`.
    expect(a.output()).toContain(`with ${redis.url.replace(/\/$/, '')} sessions; listening on`);
  }, 60_000);
});
