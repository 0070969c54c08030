/**
 * The HTTP benchmark harness works (`npm run bench:http`, short and count-bounded): every
 * server starts and answers the counter page in each scenario, and the lost-update count is
 * 0 for servers that keep every update and catches the control server that drops them. It
 * asserts no speed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ResultRow, RunInfo } from '../harness/report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = join(ROOT, 'bench/dist/http.js');
const BUILT = [HARNESS, join(ROOT, 'packages/web/dist/cli.js'), join(ROOT, 'examples/dist/demo/index.js')];
/** Servers that promise to keep every update (the others are reported, not judged). */
const EXACT = ['bare-node', 'dovetail-memory', 'dovetail-sqlite', 'dovetail-sqlite-exclusive', 'dovetail-redis', 'dovetail-express', 'dovetail-connect'];

let out: string;
let result: { info: RunInfo; rows: ResultRow[] };
let log = '';

beforeAll(async () => {
  // `npm test` builds first; a bare `jest` run may not have.
  if (!BUILT.every((f) => existsSync(f))) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  out = mkdtempSync(join(tmpdir(), 'dovetail-bench-smoke-'));
  const child = spawn(process.execPath, [HARNESS], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      BENCH_PEERS: 'all',
      BENCH_SCENARIOS: 'hot,many,sticky,new',
      BENCH_REQUESTS: '300',
      BENCH_SESSIONS: '32',
      BENCH_RUNS: '1',
      BENCH_WARMUP: '0',
      BENCH_RESTART: '0',
      BENCH_PIN: '0',
      BENCH_STEAL_RETRIES: '0',
      BENCH_OUT: out,
    },
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (log += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the harness exited with ${String(code)}:\n${log}`);
  result = JSON.parse(readFileSync(join(out, 'http.json'), 'utf8')) as typeof result;
  for (const row of result.rows.filter((r) => r.skipped)) console.warn(`bench smoke: ${row.peer} skipped — ${row.skipped}`);
  if (result.info.loadgen !== 'wrk') console.warn(`bench smoke: ${result.info.loadgenNote ?? 'autocannon is the load generator'}`);
}, 180_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

it('every server answers every scenario with 2xx counter pages, all requests answered', () => {
  const measured = result.rows.filter((r) => !r.skipped);
  expect(measured.length).toBeGreaterThanOrEqual(3 * 4);
  for (const row of measured) {
    const [run] = row.runs;
    expect({ peer: row.peer, scenario: row.scenario, runs: row.runs.length, cutShort: run?.cutShort, non2xx: row.non2xx }).toEqual({
      peer: row.peer,
      scenario: row.scenario,
      runs: 1,
      cutShort: false,
      non2xx: 0,
    });
    expect(run!.ok).toBeGreaterThanOrEqual(300);
    if (row.scenario === 'new' && result.info.loadgen === 'wrk') expect({ peer: row.peer, notNew: row.notNew }).toEqual({ peer: row.peer, notNew: 0 });
  }
});

it('counts 0 lost updates for the servers that keep every update, and catches the control that drops them', () => {
  const lost = (peer: string, scenario: string): number | undefined => result.rows.find((r) => r.peer === peer && r.scenario === scenario)?.lost;
  for (const peer of EXACT) {
    for (const scenario of ['hot', 'many', 'sticky']) {
      if (result.rows.some((r) => r.peer === peer && r.scenario === scenario && r.skipped)) continue;
      expect({ peer, scenario, lost: lost(peer, scenario) }).toEqual({ peer, scenario, lost: 0 });
    }
  }
  // 32 connections on one session, each update read, then written a turn later: most are lost.
  expect(lost('lossy-node', 'hot')).toBeGreaterThan(100);
  // Its workers keep a Map each, so its counters say nothing about lost updates: none are counted.
  expect({ hot: lost('bare-node-2w', 'hot'), many: lost('bare-node-2w', 'many'), sticky: lost('bare-node-2w', 'sticky') }).toEqual({ hot: undefined, many: undefined, sticky: undefined });
  const counted = result.rows.filter((r) => r.scenario !== 'new' && !r.skipped && r.peer !== 'bare-node-2w');
  for (const row of counted) expect(row.lost).toBeGreaterThanOrEqual(0);
});

it('writes the report and the chart from the measured numbers', () => {
  const markdown = readFileSync(join(out, 'http.md'), 'utf8');
  const svg = readFileSync(join(out, 'http.svg'), 'utf8');
  for (const row of result.rows.filter((r) => !r.skipped && r.scenario === 'hot')) {
    expect(markdown).toContain(`| ${row.peer} | ${Math.round(row.rps!).toLocaleString('en-US')} |`);
    expect(svg).toContain(`>${row.peer}</text>`);
  }
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  // How much CPU the hypervisor took is said, measured where /proc/stat exists.
  expect(markdown).toMatch(/CPU steal \(time the hypervisor gave to other machines\) (\d+\.\d%|not known here)/);
  if (process.platform === 'linux') expect(result.info.steal).toEqual(expect.any(Number));
});
