/**
 * Part 4 of `npm run bench:sessions`: what the number of live sessions costs a server, over HTTP.
 *
 * Part 3 times the session work alone, where a few cache misses more are a large share of a
 * 2-µs request. A user pays for the whole request (parsing, routing, the session, the page,
 * the response), so this part serves the counter page of examples/counter (`ICounter(session)`
 * through a registered adapter) from a `Site` in a child process on CPU 0, on each store
 * (MemoryStore, SQLite shared and exclusive, Redis on a redis-server of its own), with N live
 * sessions made beforehand through the manager (each created, counted and committed, then
 * loaded, counted and committed again: a session that came back), and sends it wrk's requests
 * (CPU 1, 32 connections) on 1,000 of them picked at random. It reports the server's CPU time a
 * request (from /proc) and the requests a second, for each N, the processes measured in turn
 * each round, and fails when the sessions did not count every request.
 *
 * The child is this file run with `--serve <store> <N> <dir> [<redis url>]`: it writes the
 * active sessions' Cookie headers to `<dir>/cookies-<N>.txt` and prints `listening on http://…`
 * when ready.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryStore, RedisStore, Sessions, SqliteStore } from '@dovetail/session';
import { Site } from '@dovetail/web';
import { autocannonGenerator } from './harness/autocannon.js';
import { readIncrements } from './harness/client.js';
import { choosePinning, commandExists, largeHeap, startProcess } from './harness/processes.js';
import { startRedis } from './harness/redis.js';
import { fmt, int, median, sample } from './harness/stats.js';
import { wrkGenerator } from './harness/wrk.js';
import type { LoadGenerator, LoadResult } from './harness/load.js';
import type { Pinning, Started } from './harness/processes.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { SessionStore } from '@dovetail/session';
import type { Resource } from '@dovetail/web';

const ACTIVE = 1_000;
/** The visits the child's fill makes to each session: the first request, and the one that brings it back. */
const FILL_VISITS = 2;
const CONNECTIONS = 32;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Requests of one measured run, and of the warm-up before the first (about 2 s or more of work). */
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 100_000);
/** BENCH_HTTP_SESSIONS=10,100: other numbers of live sessions, for every store (the harness's test). */
const SIZES = process.env.BENCH_HTTP_SESSIONS?.split(',').map(Number);

/** The stores measured, and the numbers of live sessions for each. */
const STORES: { name: string; kind: string; sizes: number[] }[] = [
  { name: 'MemoryStore', kind: 'memory', sizes: SIZES ?? [1_000, 100_000, 1_000_000] },
  { name: 'SqliteStore (temp file, WAL)', kind: 'sqlite', sizes: SIZES ?? [1_000, 100_000] },
  { name: 'SqliteStore (exclusive)', kind: 'sqlite+exclusive', sizes: SIZES ?? [1_000, 100_000] },
  { name: 'RedisStore (127.0.0.1)', kind: 'redis', sizes: SIZES ?? [1_000, 100_000] },
];

/** One store's figures: the server's CPU µs a request and req/s, medians over the runs, per N. */
export interface HttpFlatResult {
  store: string;
  points: { sessions: number; cpuUs: number; perSecond: number }[];
  /** Why it was not measured. */
  note?: string;
}

/** Part 4's figures, and what generated the load when it was not wrk. */
export interface HttpFlat {
  stores: HttpFlatResult[];
  /** Where the servers, wrk and redis-server ran. */
  pinning: string;
  generatorNote?: string;
}

/** `where`: the SQLite files' directory, or the Redis server's URL. */
function storeOf(kind: string, where: string, n: number): SessionStore {
  if (kind === 'memory') return new MemoryStore({ maxSessions: Infinity });
  if (kind === 'redis') return new RedisStore({ url: where, prefix: `live${n}:` });
  return new SqliteStore({ path: join(where, `sessions-${n}.db`), exclusive: kind === 'sqlite+exclusive' });
}

/** The child: fills a store with `n` sessions that came back, then serves the counter page. */
async function serve(kind: string, n: number, dir: string, redisUrl: string): Promise<void> {
  const counter = (await import(new URL('../../examples/dist/counter/index.js', import.meta.url).href)) as {
    resource: Resource;
    ICounter: InterfaceSpec<{ value: number }>;
  };
  const sessions = new Sessions({ store: storeOf(kind, kind === 'redis' ? redisUrl : dir, n), secrets: ['bench-secret-0123456789abcdef0123456789'], sweepInterval: 0 });
  const cookies: string[] = new Array<string>(n);
  // FILL_VISITS visits to each session: part 4 counts the visits of its runs from there.
  for (let i = 0; i < n; i++) {
    const created = sessions.create();
    counter.ICounter(created).value += 1;
    await sessions.commit(created);
    cookies[i] = sessions.cookieValue(created);
    const again = (await sessions.load(cookies[i]!))!;
    counter.ICounter(again).value += 1;
    await sessions.commit(again);
  }
  const name = sessions.cookieName(false);
  const active = sample(cookies, ACTIVE).map((cookie) => `${name}=${cookie}`);
  writeFileSync(join(dir, `cookies-${n}.txt`), active.join('\n'));
  const site = new Site(counter.resource, { sessions });
  const { port } = await site.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => void site.close().then(() => process.exit(0)));
  console.log(`listening on http://127.0.0.1:${port}`);
}

/** What every store's servers are run with. */
interface Context {
  pinning: Pinning;
  load: LoadGenerator;
  dir: string;
  redisUrl: string;
}

/** One store: its servers, one per N, filled, then measured in turn for `RUNS` rounds. */
async function measureStore(name: string, kind: string, sizes: number[], context: Context): Promise<HttpFlatResult> {
  const servers: { n: number; server: Started; url: string; cookies: string[]; sent: number; cpu: number[]; perSecond: number[] }[] = [];
  const run = async (s: (typeof servers)[number]): Promise<LoadResult> => {
    const result = await context.load.run({ url: s.url, connections: CONNECTIONS, requests: REQUESTS, cookies: s.cookies, sticky: false, safetySeconds: 120 });
    if (result.ok !== result.requests || result.cutShort) throw new Error(`${name} with ${s.n} sessions: ${result.requests - result.ok} of ${result.requests} requests failed${result.cutShort ? ', and the run was cut short' : ''}`);
    s.sent += result.requests;
    return result;
  };
  try {
    for (const n of sizes) {
      console.log(`part 4: ${name}, filling ${int(n)} sessions…`);
      const server = await startProcess(
        context.pinning.server,
        process.execPath,
        ['--no-memory-reducer', largeHeap(0.5, 8_192), fileURLToPath(import.meta.url), '--serve', kind, String(n), context.dir, context.redisUrl],
        { ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/, timeoutMs: 600_000, label: `${name} with ${n} sessions` },
      );
      const cookies = readFileSync(join(context.dir, `cookies-${n}.txt`), 'utf8').split('\n');
      servers.push({ n, server, url: `${server.match[1]}/`, cookies, sent: 0, cpu: [], perSecond: [] });
    }
    for (const s of servers) await run(s);
    for (let round = 0; round < RUNS; round++) {
      for (const s of servers) {
        const before = s.server.cpu()!;
        const measured = await run(s);
        s.cpu.push((s.server.cpu()! - before) / measured.requests);
        s.perSecond.push(measured.requests / measured.seconds);
      }
    }
    for (const s of servers) {
      // The sessions must have counted every request, on the sessions asked for.
      const counted = await readIncrements(s.url, s.cookies.map((cookie) => ({ cookie, counter: FILL_VISITS })));
      if (counted !== s.sent) throw new Error(`${name} with ${s.n} sessions counted ${counted} visits for ${s.sent} requests`);
    }
    return { store: name, points: servers.map((s) => ({ sessions: s.n, cpuUs: median(s.cpu)!, perSecond: median(s.perSecond)! })) };
  } finally {
    await Promise.all(servers.map((s) => s.server.stop()));
  }
}

/** Part 4: every store's figures (a redis-server started for RedisStore, beside wrk). */
export async function partFour(): Promise<HttpFlat> {
  const pinning = choosePinning(process.env.BENCH_PIN !== '0');
  const wrk = commandExists('wrk');
  const load: LoadGenerator = wrk ? wrkGenerator(pinning.others) : autocannonGenerator();
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-bench-live-'));
  const redis = await startRedis(pinning.others);
  const stores: HttpFlatResult[] = [];
  try {
    for (const { name, kind, sizes } of STORES) {
      if (kind === 'redis' && 'unavailable' in redis) stores.push({ store: name, points: [], note: `not run: ${redis.unavailable}` });
      else stores.push(await measureStore(name, kind, sizes, { pinning, load, dir, redisUrl: 'url' in redis ? redis.url : '' }));
    }
  } finally {
    if ('stop' in redis) await redis.stop();
    await load.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return wrk ? { stores, pinning: pinning.note } : { stores, pinning: pinning.note, generatorNote: 'wrk is not installed (Debian: apt-get install wrk), so autocannon generated the load, in the harness' };
}

/** Part 4's section of sessions.md. */
export function httpFlatSection(flat: HttpFlat | undefined): string[] {
  const lines = ['', '## One request over HTTP among many live sessions', ''];
  if (flat === undefined) return [...lines, 'Not run (BENCH_HTTP=0).'];
  lines.push(
    `The counter page of examples/counter served by a \`Site\` (one process; wrk with ${CONNECTIONS} connections) among N live`,
    `sessions, on ${int(ACTIVE)} of them picked at random (all, when fewer): the server's CPU time a request (from /proc)`,
    `and its requests a second, medians of ${RUNS} runs of ${int(REQUESTS)} requests, the servers of one store measured in`,
    'turn each round, after a warm-up run each; every visit counted. Part 3 times the session work',
    `alone; this is what a whole request costs. Pinning: ${flat.pinning}.`,
    ...(flat.generatorNote === undefined ? [] : ['', `Load: ${flat.generatorNote}.`]),
    '',
  );
  const sizes = [...new Set(flat.stores.flatMap((r) => r.points.map((p) => p.sessions)))].sort((a, b) => a - b);
  lines.push(`| store | ${sizes.map(int).join(' | ')} | highest ÷ at the fewest |`, `|---|${sizes.map(() => '---:|').join('')}---:|`);
  for (const r of flat.stores) {
    if (r.note !== undefined) {
      lines.push(`| ${r.store} | ${sizes.map(() => '—').join(' | ')} | ${r.note} |`);
      continue;
    }
    const at = (n: number): string => {
      const p = r.points.find((q) => q.sessions === n);
      return p ? `${fmt(p.cpuUs, 1)} µs (${int(p.perSecond)}/s)` : '—';
    };
    const spread = Math.max(...r.points.map((p) => p.cpuUs)) / r.points[0]!.cpuUs;
    lines.push(`| ${r.store} | ${sizes.map(at).join(' | ')} | ${spread.toFixed(2)} ${spread <= 1.2 ? '(flat)' : '(**not flat**)'} |`);
  }
  return lines;
}

// Run as a program: with --serve, one server (the child); without, part 4 alone, printed.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--serve') await serve(process.argv[3]!, Number(process.argv[4]), process.argv[5]!, process.argv[6] ?? '');
  else console.log(httpFlatSection(await partFour()).join('\n'));
}
