/**
 * Part 4 of `npm run bench:sessions` works (short, on a few sessions): for each store, a server
 * filled with N live sessions starts, answers every request on its active sessions with a 2xx
 * counter page, and the report gives its CPU time and rate for each N. It asserts no speed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PART = join(ROOT, 'bench/dist/sessions-http.js');

let out = '';
let log = '';

beforeAll(async () => {
  // `npm test` builds first; a bare `jest` run may not have.
  if (![PART, join(ROOT, 'examples/dist/counter/index.js')].every((f) => existsSync(f))) {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  const child = spawn(process.execPath, [PART], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_PIN: '0', BENCH_RUNS: '1', BENCH_HTTP_REQUESTS: '300', BENCH_HTTP_SESSIONS: '10,100' },
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`part 4 exited with ${String(code)}:\n${log}\n${out}`);
}, 120_000);

it("reports each store's CPU time and rate among 10 and 100 live sessions", () => {
  const rows = out.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| store'));
  expect(rows.map((row) => row.split(' | ')[0])).toEqual(['| MemoryStore', '| SqliteStore (temp file, WAL)', '| SqliteStore (exclusive)', '| RedisStore (127.0.0.1)']);
  for (const row of rows) {
    if (row.includes('not run:')) {
      console.warn(`part 4 smoke: ${row}`);
      continue;
    }
    // Each N's column: CPU µs a request (more than nothing: it was read from /proc) and requests a second.
    const figures = [...row.matchAll(/([\d.,]+) µs \(([\d,]+)\/s\)/g)].map((m) => [Number(m[1]!.replace(/,/g, '')), Number(m[2]!.replace(/,/g, ''))]);
    expect({ row, columns: figures.length }).toEqual({ row, columns: 2 });
    for (const [us, perSecond] of figures) {
      expect(us).toBeGreaterThan(0);
      expect(perSecond).toBeGreaterThan(0);
    }
  }
});
