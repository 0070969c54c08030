/**
 * `dovetail serve --max-sessions N --timeout S`, in child processes: a full memory store answers
 * new visitors 503 (nothing stored is dropped), and bad values stop start-up with one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildIfMissing, CLI, DEMO, ROOT } from './support/cli.js';
import { spawnServer, type SpawnedServer } from './support/process.js';


beforeAll(() => {
  buildIfMissing();
}, 180_000);

describe('dovetail serve --max-sessions --timeout', () => {
  const servers: SpawnedServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('--max-sessions 1: the first visitor is stored, the next new one gets 503, the first goes on', async () => {
    const server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--max-sessions', '1', '--timeout', '60'], cwd: ROOT, env: {} });
    servers.push(server);
    const first = await fetch(`${server.url}/counter`);
    expect(await first.text()).toMatch(/Visit #1 for you!$/);
    const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const refused = await fetch(`${server.url}/counter`);
    await refused.text();
    expect(refused.status).toBe(503);
    const again = await fetch(`${server.url}/counter`, { headers: { cookie } });
    expect(await again.text()).toMatch(/Visit #2 for you!$/);
  }, 60_000);

  it.each([
    [['--max-sessions', '0'], /--max-sessions must be a whole number above 0/],
    [['--max-sessions', 'many'], /--max-sessions must be a whole number above 0/],
    [['--max-sessions', '10', '--store', 'sqlite:var/never.db'], /--max-sessions bounds the memory store only/],
    [['--timeout', '0'], /--timeout must be a number of seconds above 0/],
    [['--timeout', 'soon'], /--timeout must be a number of seconds above 0/],
  ])('%j → exit 2 with one line', (args, message) => {
    const r = spawnSync(process.execPath, [CLI, 'serve', DEMO, '--port', '0', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings'));
    expect(lines[0]).toMatch(message);
  });
});
