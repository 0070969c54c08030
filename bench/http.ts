/**
 * `npm run bench:http` — the counter page under load, side by side with other servers.
 *
 * Every peer (bench/peers/*.ts, see peers/peer.ts) serves a counter page on 127.0.0.1:0, by
 * default in its own child process (this file re-run with `--serve <peer>`), so the server and
 * autocannon each get a core. For each measurement the harness gets a fresh session cookie
 * with a first request (which also reads the counter), drives the page with autocannon —
 * 32 connections, all carrying that one cookie — then reads the counter with a last request:
 *
 *   lost updates = 2xx responses − (final counter − initial counter − 1)
 *
 * Each measurement is a fixed number of requests sized to last BENCH_SECONDS at the rate the
 * peer reached before (warm-up, then the previous run), so no request is left in flight when
 * the counter is read (a duration-bounded autocannon run drops in-flight requests, which would
 * make the count ambiguous by up to one request per connection).
 * Runs are interleaved (each round goes over every peer, starting at a different one) and
 * reported as medians; lost updates are summed over all runs.
 *
 * Environment: BENCH_SECONDS (5), BENCH_RUNS (3), BENCH_CONNECTIONS (32), BENCH_WARMUP (1 s),
 * BENCH_PEERS (comma-separated names, in order; default: every peer, bare-node first),
 * BENCH_INPROCESS=1 (start peers in this process — for debugging; it skews the numbers).
 *
 * Writes bench/results/http.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_COUNTER_PATTERN, PeerUnavailableError, type Peer, type StartedPeer } from './peers/peer.js';

// ---------------------------------------------------------------------------------------------
// autocannon (CommonJS, no bundled types): the part of its API used here.

interface Histogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  total: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram & { sent: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  timeout?: number;
  headers?: Record<string, string>;
}
interface AutocannonInstance {
  stop(): void;
  on(event: 'response', listener: () => void): this;
}
type Autocannon = (
  options: AutocannonOptions,
  callback: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Fired {
  result: AutocannonResult;
  stoppedEarly: boolean;
  /** From the call to the last response, in seconds. autocannon's own `duration` only ends on
   * its next 1 s sample tick, which would make short runs look slower than they are. */
  seconds: number;
}

function fire(options: AutocannonOptions, safetyMs: number): Promise<Fired> {
  return new Promise((resolvePromise, reject) => {
    let stoppedEarly = false;
    const t0 = performance.now();
    let last = t0;
    const instance = autocannon(options, (error, result) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolvePromise({ result, stoppedEarly, seconds: (last - t0) / 1000 });
    });
    instance.on('response', () => {
      last = performance.now();
    });
    // A fixed-amount run that cannot finish (a stuck server) is stopped, and marked as such.
    const timer = setTimeout(() => {
      stoppedEarly = true;
      instance.stop();
    }, safetyMs);
  });
}

// ---------------------------------------------------------------------------------------------
// Configuration

export interface HttpBenchOptions {
  seconds: number;
  runs: number;
  connections: number;
  warmupSeconds: number;
  peers?: string[];
  inProcess: boolean;
  /** Where the markdown goes; default bench/results/http.md. */
  out?: string;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw} is not a positive number`);
  return value;
}

export function optionsFromEnv(): HttpBenchOptions {
  const peers = process.env.BENCH_PEERS?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return {
    seconds: envNumber('BENCH_SECONDS', 5),
    runs: Math.round(envNumber('BENCH_RUNS', 3)),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 32)),
    warmupSeconds: envNumber('BENCH_WARMUP', 1),
    peers: peers && peers.length > 0 ? peers : undefined,
    inProcess: process.env.BENCH_INPROCESS === '1',
  };
}

// ---------------------------------------------------------------------------------------------
// Peers

const PEERS_DIR = new URL('./peers/', import.meta.url);
const BASELINE = 'bare-node';
// The dovetail peer goes in bench/peers/dovetail.ts (same contract as bare-node.ts); it is
// picked up automatically and listed right after the baseline.
const PREFERRED_ORDER = [BASELINE, 'dovetail'];

function isPeer(value: unknown): value is Peer {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.start === 'function';
}

async function importPeer(file: string): Promise<Peer | undefined> {
  const mod = (await import(new URL(file, PEERS_DIR).href)) as Record<string, unknown>;
  if (isPeer(mod)) return mod;
  if (isPeer(mod.default)) return mod.default;
  return undefined;
}

interface PeerEntry {
  file: string;
  peer: Peer;
}

async function discoverPeers(wanted?: string[]): Promise<PeerEntry[]> {
  const files = readdirSync(PEERS_DIR).filter((f) => f.endsWith('.js') && f !== 'peer.js');
  const entries: PeerEntry[] = [];
  for (const file of files) {
    const peer = await importPeer(file);
    if (peer) entries.push({ file, peer });
  }
  if (wanted) {
    const missing = wanted.filter((w) => !entries.some((e) => e.peer.name === w));
    if (missing.length > 0) {
      throw new Error(
        `BENCH_PEERS names unknown peer(s) ${missing.join(', ')}; known: ${entries.map((e) => e.peer.name).join(', ')}`,
      );
    }
    return wanted.map((w) => entries.find((e) => e.peer.name === w)!);
  }
  const rank = (name: string): number => {
    const i = PREFERRED_ORDER.indexOf(name);
    return i === -1 ? PREFERRED_ORDER.length : i;
  };
  return entries.sort((a, b) => rank(a.peer.name) - rank(b.peer.name) || a.peer.name.localeCompare(b.peer.name));
}

type Running = { ok: true; url: string; close(): Promise<void>; cpu?: () => number | undefined } | { ok: false; reason: string };

/**
 * CPU time (user + system, µs) a child process has used so far, from /proc: the server's own
 * cost per request, which unlike req/s does not depend on how fast the load generator sharing
 * this 2-core machine can go.
 */
function childCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

const READY = /^listening on (https?:\/\/\S+)$/;
const UNAVAILABLE = /^unavailable: (.*)$/;

/** Starts a peer in a child process (`node http.js --serve <file>`). */
function startChild(entry: PeerEntry, timeoutMs = 30_000): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', entry.file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  };
  return new Promise<Running>((resolvePromise, reject) => {
    let buffer = '';
    let settled = false;
    const settle = (value: Running | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (value instanceof Error) void stop().then(() => reject(value));
      else resolvePromise(value);
    };
    const timer = setTimeout(() => settle(new Error(`peer ${entry.peer.name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (settled) return;
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const ready = READY.exec(line.trim());
        if (ready) return settle({ ok: true, url: ready[1]!, close: stop, cpu: () => childCpuMicros(child.pid) });
        const unavailable = UNAVAILABLE.exec(line.trim());
        if (unavailable) return settle({ ok: false, reason: unavailable[1]! });
      }
    });
    child.once('exit', (code, signal) =>
      settle(new Error(`peer ${entry.peer.name} exited (${signal ?? `code ${String(code)}`}) before it was ready`)),
    );
  });
}

async function startInProcess(entry: PeerEntry): Promise<Running> {
  try {
    const started: StartedPeer = await entry.peer.start();
    return { ok: true, url: started.url, close: () => started.close() };
  } catch (error) {
    if (error instanceof PeerUnavailableError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** `node bench/dist/http.js --serve <peer file>`: the child side of startChild. */
async function serve(file: string): Promise<void> {
  const peer = await importPeer(file);
  if (!peer) throw new Error(`bench/peers/${file} does not export { name, start }`);
  let started: StartedPeer;
  try {
    started = await peer.start();
  } catch (error) {
    if (error instanceof PeerUnavailableError) {
      process.stdout.write(`unavailable: ${error.message.replace(/\n/g, ' ')}\n`);
      return;
    }
    throw error;
  }
  const shutdown = (): void => {
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdout.write(`listening on ${started.url}\n`);
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Reply {
  status: number;
  cookies: string[];
  body: string;
}

function request(url: string, cookie?: string): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = get(url, { agent: false, headers: { connection: 'close', ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        resolvePromise({ status: res.statusCode ?? 0, cookies: setCookie.map((c) => c.split(';')[0]!.trim()), body });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

function readCounter(pattern: RegExp | null, body: string): number | undefined {
  if (pattern === null) return undefined;
  const m = pattern.exec(body);
  const n = m?.[1] === undefined ? NaN : Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

interface Measurement {
  rps: number;
  seconds: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** undefined when the counter could not be read or the run was cut short. */
  lost: number | undefined;
  /** Server CPU µs per request (child-process peers only). */
  cpuPerRequest: number | undefined;
  note?: string;
}

async function measure(
  peer: Peer,
  url: string,
  connections: number,
  shape: { amount: number } | { duration: number },
  safetyMs: number,
  cpu?: () => number | undefined,
): Promise<Measurement> {
  const pattern = peer.counterPattern === undefined ? DEFAULT_COUNTER_PATTERN : peer.counterPattern;
  const first = await request(url);
  if (first.status < 200 || first.status >= 300) throw new Error(`${peer.name}: first request answered ${first.status}`);
  const cookie = first.cookies.join('; ');
  const initial = readCounter(pattern, first.body);
  const cpuBefore = cpu?.();
  const { result, stoppedEarly, seconds } = await fire(
    { url, connections, timeout: 10, headers: cookie ? { cookie } : {}, ...shape },
    safetyMs,
  );
  const cpuAfter = cpu?.();
  const last = await request(url, cookie || undefined);
  const final = readCounter(pattern, last.body);
  const ok = result['2xx'];
  const exact = 'amount' in shape && !stoppedEarly;
  const lost = exact && initial !== undefined && final !== undefined ? ok - (final - initial - 1) : undefined;
  const notes: string[] = [];
  if (!cookie) notes.push('no session cookie set');
  if (stoppedEarly) notes.push('run cut short');
  if (pattern !== null && (initial === undefined || final === undefined)) notes.push('counter not readable');
  return {
    rps: seconds > 0 ? result.requests.total / seconds : 0,
    seconds,
    p99: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    lost,
    cpuPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0 ? (cpuAfter - cpuBefore) / result.requests.total : undefined,
    note: notes.length > 0 ? notes.join(', ') : undefined,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface HttpBenchRow {
  peer: string;
  description?: string;
  skipped?: string;
  runs: Measurement[];
  rps?: number;
  p99?: number;
  /** Median server CPU µs per request. */
  cpuPerRequest?: number;
  /** Baseline CPU per request ÷ this peer's: the throughput ratio if the server were the bottleneck. */
  cpuRatio?: number;
  ratio?: number;
  lost?: number;
}

export interface HttpBenchReport {
  rows: HttpBenchRow[];
  markdown: string;
}

export async function runHttpBench(options: HttpBenchOptions = optionsFromEnv()): Promise<HttpBenchReport> {
  const entries = await discoverPeers(options.peers);
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const rows = new Map<string, HttpBenchRow>();
  const running = new Map<string, { url: string; close(): Promise<void>; cpu?: (() => number | undefined) | undefined; rate: number; entry: PeerEntry }>();
  const safetyMs = (options.seconds * 6 + 30) * 1000;

  try {
    for (const entry of entries) {
      const row: HttpBenchRow = { peer: entry.peer.name, description: entry.peer.description, runs: [] };
      rows.set(entry.peer.name, row);
      const started = options.inProcess ? await startInProcess(entry) : await startChild(entry);
      if (!started.ok) {
        row.skipped = started.reason;
        log(`${entry.peer.name}: skipped — ${started.reason}`);
        continue;
      }
      log(`${entry.peer.name}: ${started.url}; warming up ${options.warmupSeconds} s`);
      running.set(entry.peer.name, { url: started.url, close: started.close, cpu: started.cpu, rate: 0, entry });
      const warm = await measure(entry.peer, started.url, options.connections, { duration: options.warmupSeconds }, safetyMs);
      running.get(entry.peer.name)!.rate = warm.rps;
      log(`${entry.peer.name}: warm-up ${Math.round(warm.rps)} req/s`);
    }

    const live = entries.filter((e) => running.has(e.peer.name));
    for (let run = 0; run < options.runs; run++) {
      for (let i = 0; i < live.length; i++) {
        const entry = live[(i + run) % live.length]!;
        const state = running.get(entry.peer.name)!;
        const amount = Math.max(options.connections * 20, Math.round(state.rate * options.seconds));
        const m = await measure(entry.peer, state.url, options.connections, { amount }, safetyMs, state.cpu);
        state.rate = m.rps || state.rate;
        rows.get(entry.peer.name)!.runs.push(m);
        log(
          `run ${run + 1}/${options.runs} ${entry.peer.name}: ${amount} requests in ${m.seconds.toFixed(2)} s, ` +
            `${Math.round(m.rps)} req/s, p99 ${m.p99} ms, ` +
            `lost ${m.lost ?? 'n/a'}, non-2xx ${m.non2xx}, errors ${m.errors}${m.note ? ` (${m.note})` : ''}`,
        );
      }
    }
  } finally {
    await Promise.all([...running.values()].map((r) => r.close()));
  }

  for (const row of rows.values()) {
    if (row.runs.length === 0) continue;
    row.rps = median(row.runs.map((r) => r.rps));
    row.p99 = median(row.runs.map((r) => r.p99));
    const cpu = row.runs.map((r) => r.cpuPerRequest).filter((c): c is number => c !== undefined);
    if (cpu.length) row.cpuPerRequest = median(cpu);
    row.lost = row.runs.some((r) => r.lost === undefined) ? undefined : row.runs.reduce((s, r) => s + (r.lost ?? 0), 0);
  }
  const base = rows.get(BASELINE)?.rps;
  for (const row of rows.values()) if (row.rps !== undefined && base) row.ratio = row.rps / base;
  const baseCpu = rows.get(BASELINE)?.cpuPerRequest;
  for (const row of rows.values()) if (row.cpuPerRequest !== undefined && baseCpu) row.cpuRatio = baseCpu / row.cpuPerRequest;

  const list = [...rows.values()];
  const markdown = toMarkdown(list, options);
  const out = options.out ?? fileURLToPath(new URL('../results/http.md', import.meta.url));
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, markdown);
  log(`wrote ${out}`);
  return { rows: list, markdown };
}

function toMarkdown(rows: HttpBenchRow[], options: HttpBenchOptions): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const fmt = (n: number | undefined, digits: number): string => (n === undefined ? '—' : n.toFixed(digits));
  const lines = [
    '# HTTP benchmark: counter page, one session, concurrent requests',
    '',
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version} (${process.platform} ${process.arch})`,
    `- CPU: ${cpu} × ${availableParallelism()}`,
    `- load: autocannon, ${options.connections} connections sharing one session cookie; ` +
      `${options.runs} run(s) per peer of ~${options.seconds} s each (fixed request count sized from the previous rate), ` +
      `peers interleaved, after ${options.warmupSeconds} s warm-up; servers ${options.inProcess ? 'in the harness process' : 'in child processes'}`,
    '- req/s and p99: median over runs. lost updates: 2xx responses − counter increase, summed over all runs (should be 0).',
    '- server CPU: user + system time of the server process per request (from /proc), median over runs; the CPU ratio is bare-node\'s CPU per request ÷ the peer\'s, i.e. the throughput ratio when the server, not the load generator sharing the machine, is the bottleneck.',
    '',
    '| peer | req/s | p99 ms | ratio vs bare-node | server CPU µs/req | CPU ratio vs bare-node | lost updates | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const notes: string[] = [];
    if (row.description) notes.push(row.description);
    if (row.skipped) notes.push(`skipped: ${row.skipped}`);
    const non2xx = row.runs.reduce((s, r) => s + r.non2xx, 0);
    const errors = row.runs.reduce((s, r) => s + r.errors, 0);
    if (non2xx > 0) notes.push(`${non2xx} non-2xx`);
    if (errors > 0) notes.push(`${errors} errors`);
    for (const note of new Set(row.runs.map((r) => r.note).filter((n): n is string => n !== undefined))) notes.push(note);
    lines.push(
      `| ${row.peer} | ${fmt(row.rps, 0)} | ${fmt(row.p99, 1)} | ${fmt(row.ratio, 2)} | ${fmt(row.cpuPerRequest, 1)} | ${fmt(row.cpuRatio, 2)} | ${row.lost ?? '—'} | ${notes.join('; ').replace(/\|/g, '\\|')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Entry point (importing this module runs nothing)

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const serveAt = process.argv.indexOf('--serve');
  const job =
    serveAt !== -1 && process.argv[serveAt + 1] !== undefined
      ? serve(basename(process.argv[serveAt + 1]!))
      : runHttpBench().then((report) => void process.stdout.write(report.markdown));
  job.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
