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

type Report = { info: RunInfo; rows: ResultRow[] };
const outs: string[] = [];
let out: string;
let result: Report;

/** Runs the harness with `knobs` (added to those of a short, unpinned, count-bounded run); its report, and where it was written. */
async function runHarness(knobs: Record<string, string>): Promise<{ out: string; result: Report }> {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-bench-smoke-'));
  outs.push(dir);
  let log = '';
  const child = spawn(process.execPath, [HARNESS], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, BENCH_WARMUP: '0', BENCH_PIN: '0', BENCH_STEAL_RETRIES: '0', ...knobs, BENCH_OUT: dir },
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (log += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the harness exited with ${String(code)}:\n${log}`);
  return { out: dir, result: JSON.parse(readFileSync(join(dir, 'http.json'), 'utf8')) as Report };
}

beforeAll(async () => {
  // `npm test` builds first; a bare `jest` run may not have.
  if (!BUILT.every((f) => existsSync(f))) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  ({ out, result } = await runHarness({
    BENCH_PEERS: 'all',
    BENCH_SCENARIOS: 'hot,many,sticky,new',
    BENCH_REQUESTS: '300',
    BENCH_SESSIONS: '32',
    BENCH_RUNS: '1',
    BENCH_RESTART: '0',
  }));
  for (const row of result.rows.filter((r) => r.skipped)) console.warn(`bench smoke: ${row.peer} skipped — ${row.skipped}`);
  if (result.info.loadgen !== 'wrk') console.warn(`bench smoke: ${result.info.loadgenNote ?? 'autocannon is the load generator'}`);
}, 180_000);

afterAll(() => {
  for (const dir of outs) rmSync(dir, { recursive: true, force: true });
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

it("paired rounds: bare node:http runs first and after every other server, and each run's ratio is to the two around it", async () => {
  const { out: dir, result: paired } = await runHarness({ BENCH_PEERS: 'bare-node,dovetail-memory,fastify-session', BENCH_SCENARIOS: 'hot', BENCH_REQUESTS: '200', BENCH_RUNS: '2', BENCH_PAIRED: '1' });
  const runs = (peer: string) => paired.rows.find((r) => r.peer === peer)!.runs;
  // Two rounds of bare, server, bare, server, bare.
  expect([runs('bare-node').length, runs('dovetail-memory').length, runs('fastify-session').length]).toEqual([6, 2, 2]);
  for (const run of runs('bare-node')) expect(run.baselineRps).toBe(run.rps);
  const bare = runs('bare-node').map((r) => r.rps);
  // Round 1: bare, dovetail-memory, bare, fastify-session, bare; round 2 starts one further:
  // bare, fastify-session, bare, dovetail-memory, bare. Each server's baseline is the bare runs either side of it.
  expect(runs('dovetail-memory').map((r) => r.baselineRps)).toEqual([Math.sqrt(bare[0]! * bare[1]!), Math.sqrt(bare[4]! * bare[5]!)]);
  expect(runs('fastify-session').map((r) => r.baselineRps)).toEqual([Math.sqrt(bare[1]! * bare[2]!), Math.sqrt(bare[3]! * bare[4]!)]);
  expect(readFileSync(join(dir, 'http.md'), 'utf8')).toContain("each run against the geometric mean of bare-node's runs just before and after it (BENCH_PAIRED=1");
}, 60_000);
