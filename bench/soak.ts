/**
 * `npm run soak` — `dovetail serve --workers 4` under steady load for minutes, on one Redis
 * server and on a 3-master Redis Cluster (and, with `--stores sqlite`, on one SQLite file in a
 * temp dir), checking what must hold however long it runs:
 *
 * - every counter exact: each session is visited `--visits` times, one request at a time, and
 *   every page must show exactly the count before it plus one;
 * - every `ISessionExpired` exactly once: the served module (bench/soak-app.ts) counts each
 *   created and each ended session per id in a Redis of the soak's own, whichever worker
 *   created or swept it; after the load, once every session has timed out and been swept, each
 *   created session must have ended exactly once;
 * - memory flat: the RSS of the primary every 30 s (from /proc), and each worker's RSS beside
 *   its V8 heap in use (the workers sample themselves: bench/soak-app.ts), so that a heap
 *   sized up but not filled is told from objects kept; on SQLite, the WAL file's size beside
 *   them (bounded while the workers' checkpoint threads run);
 * - req/s, p50 and p99 latency per minute, the longest event-loop stall and GC pause of any
 *   worker in it and the sessions ended in it, and every non-200 answer counted (a request
 *   without an answer by its error).
 *
 * Flags (defaults: the full soak): --minutes 5 --sessions 100000 --timeout 20 --workers 4
 * --visits 3 --stores single,cluster (or sqlite) --out bench/results/soak.md; for a closer look, --raw FILE
 * (every worker sample and the latency of every 10 s, as JSON) and --node-args '…' (Node options
 * for the server and its workers, e.g. --node-args='--cpu-prof --cpu-prof-dir=DIR'). Sessions are started evenly
 * over the run (sessions ÷ minutes per minute), each visited every 2 s until its visits are
 * done, then left to time out. A short proof run:
 * `npm run soak -- --minutes 0.5 --sessions 3000`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { counterOf, get } from './harness/client.js';
import { childPids, rssMiB, startProcess, type Started } from './harness/processes.js';
import { startRedisCluster } from './harness/redis-cluster.js';
import { startRedis, type BenchRedis } from './harness/redis.js';
import type { WorkerSample } from './soak-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'packages/web/dist/cli.js');
const APP = join(ROOT, 'bench/dist/soak-app.js');
const DEFAULT_OUT = join(ROOT, 'bench/results/soak.md');
const DEFAULT_STORES = 'single,cluster';
const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What `--stores` names: one Redis server, a 3-master Redis Cluster, or one SQLite file; and their titles in the report. */
type StoreKind = 'single' | 'cluster' | 'sqlite';
const STORE_TITLES: Record<StoreKind, string> = {
  single: 'one Redis server',
  cluster: 'Redis Cluster, 3 masters',
  sqlite: 'one SQLite file (WAL)',
};
const STORE_KINDS = Object.keys(STORE_TITLES) as StoreKind[];

interface SoakOptions {
  minutes: number;
  sessions: number;
  timeout: number;
  workers: number;
  visits: number;
  stores: StoreKind[];
  out: string;
  /** Where to write every worker sample and the p99 of every 10 s, as JSON (for a closer look). */
  raw: string | undefined;
  /** Node options for the server and its workers (they inherit them), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeArgs: string[];
}

function options(): SoakOptions {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      sessions: { type: 'string', default: '100000' },
      timeout: { type: 'string', default: '20' },
      workers: { type: 'string', default: '4' },
      visits: { type: 'string', default: '3' },
      stores: { type: 'string', default: DEFAULT_STORES },
      out: { type: 'string', default: DEFAULT_OUT },
      raw: { type: 'string' },
      'node-args': { type: 'string', default: '' },
    },
  });
  const positive = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not '${raw}'`);
    return n;
  };
  const stores = values.stores.split(',').map((s) => s.trim());
  for (const s of stores) if (!(STORE_KINDS as readonly string[]).includes(s)) throw new Error(`--stores takes ${STORE_KINDS.join(', ')}, not '${s}'`);
  return {
    minutes: positive('minutes', values.minutes),
    sessions: Math.round(positive('sessions', values.sessions)),
    timeout: positive('timeout', values.timeout),
    workers: Math.round(positive('workers', values.workers)),
    visits: Math.round(positive('visits', values.visits)),
    stores: stores as SoakOptions['stores'],
    out: values.out,
    raw: values.raw,
    nodeArgs: values['node-args'].split(' ').filter((a) => a !== ''),
  };
}

/** One minute of load. */
interface Minute {
  responses: number;
  errors: number;
  latencies: number[];
  /** The longest event-loop stall of the load generator itself (ms): its own stalls count in every latency it measures. */
  ownStall: number;
  /** The highest 1-minute load average of the machine seen in the minute (other work on it shows here). */
  load: number;
}

/** What one soak (one store) found. */
interface SoakResult {
  store: string;
  spec: string;
  load: [number, number];
  minutes: { rps: number; p50: number; p99: number; errors: number; stall: number; gc: number; ended: number; ownStall: number; load: number }[];
  /** Per sample: seconds since the start, the primary's RSS in MiB, and on SQLite the WAL's size in MiB. */
  rss: { at: number; primary: number | undefined; wal?: number }[];
  /** The workers' own samples (bench/soak-app.ts), `at` in ms since the start. */
  samples: WorkerSample[];
  /** The p50 and p99 latency (ms) and the requests of every 10 s, from the start. */
  tens: { p50: number; p99: number; n: number }[];
  /** Why requests got no answer: error message → how many. */
  noAnswer: Record<string, number>;
  created: number;
  requests: number;
  wrongCounters: number;
  errorStatuses: Record<string, number>;
  endedOnce: number;
  endedTwice: number;
  neverEnded: number;
  drainSeconds: number;
}

/** The `p` quantile of sorted numbers (0 for none). */
const quantile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** The load: sessions started evenly, each visited every 2 s, one request at a time, `visits` times. */
async function drive(url: string, o: SoakOptions, minutes: Minute[], result: SoakResult): Promise<void> {
  // A timeout makes Node heed the server's `Keep-Alive: timeout=5` (it closes an idle connection
  // 1 s before the server would); without one it keeps idle connections forever, and a request
  // sent on one just as the server closes it gets no answer (ECONNRESET), which no browser shows.
  const agent = new Agent({ keepAlive: true, maxSockets: 128, timeout: 15_000 });
  const started = Date.now();
  const durationMs = o.minutes * 60_000;
  const perMs = o.sessions / durationMs;
  let launched = 0;
  const running = new Set<Promise<void>>();
  const minute = (): Minute => (minutes[Math.floor((Date.now() - started) / 60_000)] ??= { responses: 0, errors: 0, latencies: [], ownStall: 0, load: 0 });
  const own = monitorEventLoopDelay({ resolution: 10 });
  own.enable();
  const ownTimer = setInterval(() => {
    const m = minute();
    m.ownStall = Math.max(m.ownStall, own.max / 1e6);
    m.load = Math.max(m.load, loadavg()[0]!);
    own.reset();
  }, 1000);
  const tens: number[][] = [];

  const visit = async (cookie: string | undefined): Promise<{ cookie: string; counter: number } | undefined> => {
    const t0 = performance.now();
    const reply = await get(url, cookie, agent).catch((e: unknown) => {
      const why = e instanceof Error ? `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}` : String(e);
      result.noAnswer[why] = (result.noAnswer[why] ?? 0) + 1;
      return { status: 0, cookies: [], body: why };
    });
    const m = minute();
    m.responses++;
    m.latencies.push(performance.now() - t0);
    (tens[Math.floor((Date.now() - started) / 10_000)] ??= []).push(performance.now() - t0);
    result.requests++;
    if (reply.status !== 200) {
      m.errors++;
      result.errorStatuses[reply.status] = (result.errorStatuses[reply.status] ?? 0) + 1;
      return undefined;
    }
    return { cookie: cookie ?? reply.cookies.join('; '), counter: counterOf(reply) };
  };

  const session = async (): Promise<void> => {
    let expected = 1;
    let state = await visit(undefined);
    // A refused first visit made no session: try again, a few times.
    for (let tries = 1; state === undefined && tries < 20; tries++) state = await visit(undefined);
    if (state === undefined) return;
    result.created++;
    if (state.counter !== expected) result.wrongCounters++;
    for (let v = 1; v < o.visits; v++) {
      await sleep(2000);
      const next = await visit(state.cookie);
      if (next === undefined) continue; // a 503 changed nothing; the next visit checks the count
      expected++;
      if (next.counter !== expected) {
        result.wrongCounters++;
        expected = next.counter;
      }
    }
  };

  while (Date.now() - started < durationMs) {
    const due = Math.min(o.sessions, Math.floor((Date.now() - started) * perMs));
    for (; launched < due; launched++) {
      const p = session().finally(() => running.delete(p));
      running.add(p);
    }
    await sleep(20);
  }
  for (; launched < o.sessions; launched++) {
    const p = session().finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
  clearInterval(ownTimer);
  own.disable();
  agent.destroy();
  result.tens = Array.from(tens, (l) => {
    const sorted = (l ?? []).sort((a, b) => a - b);
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), n: sorted.length };
  });
}

/** The WAL file's size in MiB (0 when SQLite has removed it). */
function walMiB(path: string): number {
  return (statSync(path, { throwIfNoEntry: false })?.size ?? 0) / 2 ** 20;
}

/** Soaks one store: its backend (Redis or a temp dir), the server, the load, the drain, the checks. */
async function soak(kind: StoreKind, o: SoakOptions): Promise<SoakResult> {
  const counts = await startRedis([]);
  if ('unavailable' in counts) throw new Error(counts.unavailable);
  let single: BenchRedis | { unavailable: string } | undefined;
  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
  let sqliteDir: string | undefined;
  let server: Started | undefined;
  const client = createClient({ url: counts.url });
  try {
    let spec: string;
    if (kind === 'single') {
      single = await startRedis([]);
      if ('unavailable' in single) throw new Error(single.unavailable);
      spec = single.url;
    } else if (kind === 'sqlite') {
      sqliteDir = mkdtempSync(join(tmpdir(), 'dovetail-soak-'));
      spec = `sqlite:${join(sqliteDir, 'sessions.db')}`;
    } else {
      cluster = await startRedisCluster({ masters: 3 });
      spec = cluster.spec;
    }
    log(`${kind}: --store ${spec}, ${o.workers} workers`);
    server = await startProcess(
      [],
      process.execPath,
      [...o.nodeArgs, CLI, 'serve', APP, '--host', '127.0.0.1', '--port', '0', '--store', spec, '--timeout', String(o.timeout), '--workers', String(o.workers)],
      { ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/, env: { DOVETAIL_SECRETS: randomBytes(32).toString('base64url'), SOAK_COUNTS: counts.url }, label: 'dovetail serve', timeoutMs: 60_000 },
    );
    const url = `${server.match[1]!}/counter`;
    await client.connect();
    const result: SoakResult = {
      store: STORE_TITLES[kind],
      spec,
      load: [loadavg()[0]!, 0],
      minutes: [],
      rss: [],
      samples: [],
      tens: [],
      noAnswer: {},
      created: 0,
      requests: 0,
      wrongCounters: 0,
      errorStatuses: {},
      endedOnce: 0,
      endedTwice: 0,
      neverEnded: 0,
      drainSeconds: 0,
    };
    const t0 = Date.now();
    const sample = (): void => {
      const workers = childPids(server!.child.pid);
      const wal = sqliteDir === undefined ? undefined : walMiB(join(sqliteDir, 'sessions.db-wal'));
      result.rss.push({ at: Math.round((Date.now() - t0) / 1000), primary: rssMiB(server!.child.pid!), wal });
      log(`${kind}: RSS MiB primary ${result.rss.at(-1)!.primary?.toFixed(0)}, workers ${workers.map((pid) => rssMiB(pid)?.toFixed(0)).join(' ')}${wal === undefined ? '' : `; WAL ${wal.toFixed(1)} MiB`}`);
    };
    sample();
    const sampler = setInterval(sample, 30_000);
    const minutes: Minute[] = [];
    const reporter = setInterval(() => log(`${kind}: ${result.requests} requests, ${result.created} sessions, ${result.wrongCounters} wrong counters`), 10_000);
    try {
      await drive(url, o, minutes, result);
    } finally {
      clearInterval(reporter);
    }
    const samples = async (): Promise<WorkerSample[]> =>
      (await client.lRange('soak:samples', 0, -1))
        .map((line) => JSON.parse(line) as WorkerSample)
        .filter((w) => w.pid !== server!.child.pid) // the primary loads the module too, to check it; it serves nothing
        .map((w) => ({ ...w, at: w.at - t0 }));
    const inMinute = (i: number): WorkerSample[] => result.samples.filter((w) => w.at > i * 60_000 && w.at <= (i + 1) * 60_000);
    result.samples = await samples();
    for (const [i, m] of minutes.entries()) {
      const sorted = (m?.latencies ?? []).sort((a, b) => a - b);
      const q = (p: number): number => quantile(sorted, p);
      const workers = inMinute(i);
      result.minutes.push({
        rps: (m?.responses ?? 0) / 60,
        p50: q(0.5),
        p99: q(0.99),
        errors: m?.errors ?? 0,
        stall: Math.max(0, ...workers.map((w) => w.loopMax)),
        gc: Math.max(0, ...workers.map((w) => w.gcMax)),
        ended: workers.reduce((n, w) => n + w.ended, 0),
        ownStall: m?.ownStall ?? 0,
        load: m?.load ?? 0,
      });
    }
    // The last minute is a part of one: its rate over the part it lasted.
    const lastPart = (o.minutes * 60) % 60;
    if (lastPart > 0 && result.minutes.length > 0) result.minutes.at(-1)!.rps *= 60 / lastPart;
    // Drain: every session times out `timeout` s after its last visit, and a sweep (every 60 s
    // in each worker) ends it. Wait for every created session to have ended, or 2 sweeps more.
    const drainStart = Date.now();
    const deadline = drainStart + (o.timeout + 150) * 1000;
    log(`${kind}: load done; waiting for ${result.created} sessions to end`);
    for (;;) {
      const ended = await client.hLen('soak:expired');
      if (ended >= result.created || Date.now() > deadline) break;
      await sleep(2000);
    }
    result.drainSeconds = Math.round((Date.now() - drainStart) / 1000);
    clearInterval(sampler);
    sample();
    result.samples = await samples();
    const created = await client.hGetAll('soak:created');
    const ended = await client.hGetAll('soak:expired');
    for (const id of Object.keys(created)) {
      const n = Number(ended[id] ?? 0);
      if (n === 1) result.endedOnce++;
      else if (n === 0) result.neverEnded++;
      else result.endedTwice++;
    }
    result.endedTwice += Object.keys(ended).filter((id) => created[id] === undefined).length;
    if (Object.keys(created).length !== result.created) log(`${kind}: the app counted ${Object.keys(created).length} created sessions, the load ${result.created}`);
    result.load[1] = loadavg()[0]!;
    return result;
  } finally {
    await client.close().catch(() => undefined);
    await server?.stop();
    if (single && !('unavailable' in single)) await single.stop();
    await cluster?.dispose();
    if (sqliteDir !== undefined) rmSync(sqliteDir, { recursive: true, force: true });
    await counts.stop();
  }
}

/**
 * Memory every 30 s: the primary's RSS, and each worker's RSS / heap in use / heap kept after its
 * last full GC (MiB), from its own last sample in those 30 s.
 */
function memoryTable(r: SoakResult): string[] {
  const pids = [...new Set(r.samples.map((w) => w.pid))].sort((a, b) => a - b);
  const wal = r.rss.some((s) => s.wal !== undefined);
  const rows: string[] = [
    `| s | primary RSS MiB | ${pids.map((_, i) => `worker ${i + 1}: RSS / heapUsed / after GC`).join(' | ')} |${wal ? ' WAL MiB |' : ''}`,
    `|---:|---:|${pids.map(() => '---:|').join('')}${wal ? '---:|' : ''}`,
  ];
  const end = Math.max(0, ...r.samples.map((w) => w.at), ...r.rss.map((s) => s.at * 1000));
  for (let at = 0; at <= end + 29_999; at += 30_000) {
    const sampled = r.rss.filter((s) => s.at * 1000 <= at).at(-1);
    const primary = sampled?.primary;
    const cells = pids.map((pid) => {
      const w = r.samples.filter((x) => x.pid === pid && x.at <= at && x.at > at - 30_000).at(-1);
      return w === undefined ? '–' : `${w.rss.toFixed(0)} / ${w.heapUsed.toFixed(0)} / ${w.live?.toFixed(0) ?? '–'}`;
    });
    if (cells.every((c) => c === '–')) continue;
    rows.push(`| ${at / 1000} | ${primary?.toFixed(0) ?? '–'} | ${cells.join(' | ')} |${wal ? ` ${sampled?.wal?.toFixed(1) ?? '–'} |` : ''}`);
  }
  return rows;
}

/** `path` as the command line would give it: from the project's root when inside it. */
function shownPath(path: string): string {
  const inside = relative(ROOT, path);
  return inside.startsWith('..') ? path : inside;
}

function toMarkdown(o: SoakOptions, results: SoakResult[]): string {
  const lines = [
    `# Soak: \`dovetail serve --workers\` on ${results.map((r) => r.store).join(' and ')}`,
    '',
    `Written by \`npm run soak -- --minutes ${o.minutes} --sessions ${o.sessions} --timeout ${o.timeout} --workers ${o.workers} --visits ${o.visits}${o.stores.join(',') === DEFAULT_STORES ? '' : ` --stores ${o.stores.join(',')}`}${o.out === DEFAULT_OUT ? '' : ` --out ${shownPath(o.out)}`}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (bench/soak.ts). ` +
      `${o.sessions} sessions started evenly over ${o.minutes} min, each visited ${o.visits} times 2 s apart (the counter page), then left to time out after ${o.timeout} s; ` +
      `everything (${o.workers} workers, the primary, the store, the load) on this ${cpus().length}-core machine.`,
    '',
    'How to read it. Memory (MiB): RSS is what the system gives a worker; heapUsed is its V8 heap in use at that moment, garbage included; ' +
      '*after GC* is what was still in use right after its last full GC — what it keeps. RSS that rises while *after GC* stays level is V8 sizing ' +
      'its heap to the allocation rate, not objects kept. Latency: a stall of the load generator (one Node process) delays every request in ' +
      'flight, so a p99 about as long as that stall is the machine, not the server; the load average says how busy the machine was (this run ' +
      'alone makes about 1–1.5).',
    '',
  ];
  for (const r of results) {
    const exact = r.wrongCounters === 0 && r.neverEnded === 0 && r.endedTwice === 0 && r.endedOnce === r.created;
    lines.push(
      `## ${r.store}`,
      '',
      `\`--store ${r.spec}\`; load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end.`,
      '',
      `- **${exact ? 'All checks hold' : 'CHECKS FAILED'}.** ${r.created} sessions, ${r.requests} requests; counters off: **${r.wrongCounters}**.`,
      `- ISessionExpired: **${r.endedOnce}** sessions ended exactly once, ${r.endedTwice} more than once, ${r.neverEnded} never (all had ended ${r.drainSeconds} s after the load).`,
      `- Non-200 answers: ${Object.keys(r.errorStatuses).length === 0 ? 'none' : Object.entries(r.errorStatuses).map(([s, n]) => `${n} × ${s === '0' ? 'no answer' : s}`).join(', ')}.`,
      ...Object.entries(r.noAnswer).map(([why, n]) => `  - no answer ${n} × \`${why}\``),
      '',
      '| minute | req/s | p50 ms | p99 ms | non-200 | longest event-loop stall in a worker, ms | longest GC pause in a worker, ms | sessions ended | longest stall of the load generator, ms | load average (highest) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      // Minutes past the run hold the last sessions' remaining visits only (the tail).
      ...r.minutes.map(
        (m, i) =>
          `| ${i < Math.ceil(o.minutes) ? i + 1 : `${i + 1} (tail)`} | ${m.rps.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.errors} | ${m.stall.toFixed(0)} | ${m.gc.toFixed(0)} | ${m.ended} | ${m.ownStall.toFixed(0)} | ${m.load.toFixed(1)} |`,
      ),
      '',
      ...memoryTable(r),
      '',
    );
  }
  return lines.join('\n');
}

const o = options();
const results: SoakResult[] = [];
for (const kind of o.stores) results.push(await soak(kind, o));
writeFileSync(o.out, toMarkdown(o, results));
if (o.raw !== undefined) writeFileSync(o.raw, JSON.stringify(results.map(({ store, samples, tens, noAnswer }) => ({ store, samples, tens, noAnswer }))));
log(`wrote ${o.out}`);
const failed = results.some((r) => r.wrongCounters !== 0 || r.neverEnded !== 0 || r.endedTwice !== 0 || r.endedOnce !== r.created);
process.exitCode = failed ? 1 : 0;
