/**
 * `npm run bench:http` — the counter page under load: dovetail on each store side by side with
 * bare node:http, Fastify and Express with their session libraries, in three scenarios (one hot
 * session, many sessions, new visitors), in one run.
 *
 * Each server runs in its own process pinned to CPU 0; wrk (one thread), redis-server and this
 * harness share CPU 1. Each scenario starts every server afresh (and empties Redis), warms each
 * up, then measures them in interleaved rounds, each run bounded by a request count; after each
 * run the harness reads every session's counter back to count lost updates. Knobs:
 * bench/harness/options.ts. Writes http.md, http.svg and http.json to bench/results/ (BENCH_OUT).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { autocannonGenerator } from './harness/autocannon.js';
import { toSvg } from './harness/chart.js';
import { NEW_VISITOR_BUDGET, ServerUnderTest } from './harness/measure.js';
import { optionsFromEnv, reportName, SCENARIO_TITLES, type HttpBenchOptions, type Scenario } from './harness/options.js';
import { choosePinning, commandExists, cpuMicros, UnavailableError, type Pinning } from './harness/processes.js';
import { startRedisCluster, type RedisCluster } from './harness/redis-cluster.js';
import { startRedis, type BenchRedis } from './harness/redis.js';
import { summarise, toMarkdown, unreliable, type ResultRow, type RunInfo } from './harness/report.js';
import { BASELINE, discoverPeers, serveInThisProcess, startServer, type PeerEntry } from './harness/servers.js';
import { cpuTimes, measureAgain, stealBetween, STOLEN } from './harness/steal.js';
import { wrkGenerator } from './harness/wrk.js';
import type { LoadGenerator } from './harness/load.js';
import type { Measurement } from './harness/measure.js';

const log = (line: string): void => void process.stderr.write(line + '\n');

function chooseLoadGenerator(options: HttpBenchOptions, pinning: Pinning): { load: LoadGenerator; note?: string } {
  if (options.loadgen !== 'autocannon' && commandExists('wrk')) return { load: wrkGenerator(pinning.others) };
  const note =
    options.loadgen === 'autocannon'
      ? 'BENCH_LOADGEN=autocannon'
      : 'wrk is not installed (Debian: apt-get install wrk), so autocannon is used; it takes a whole core here and moves the ratios';
  if (options.loadgen === 'wrk') throw new Error('BENCH_LOADGEN=wrk but wrk is not installed (Debian: apt-get install wrk)');
  log(`load generator: autocannon — ${note}`);
  return { load: autocannonGenerator(), note };
}

interface Context {
  options: HttpBenchOptions;
  pinning: Pinning;
  load: LoadGenerator;
  redis: BenchRedis | { unavailable: string };
  /** The 3-master Redis Cluster of `needsRedisCluster` peers. */
  cluster: RedisCluster | { unavailable: string };
}

/** The CPU µs the cluster's nodes have used so far, summed. */
const clusterCpu = (cluster: RedisCluster) => (): number => cluster.pids().reduce((sum, pid) => sum + (cpuMicros(pid) ?? 0), 0);

/**
 * The servers' node flags. V8's memory reducer shrinks the heap of a process that has gone idle,
 * and each server idles while the others are measured: bare node:http then took 13.4-13.8 µs of
 * CPU a request instead of 9.8-11.0, for good (NOTES.md, lever 31). A busy server never idles.
 */
const nodeFlags = (options: HttpBenchOptions): string[] => (options.memoryReducer ? [] : ['--no-memory-reducer']);

/** Starts every peer; marks those that cannot run here as skipped, with the reason. */
async function startAll(entries: PeerEntry[], context: Context, rows: ResultRow[]): Promise<ServerUnderTest[]> {
  const servers: ServerUnderTest[] = [];
  const skip = (entry: PeerEntry, reason: string): void => {
    for (const row of rows) if (row.peer === entry.peer.name) row.skipped = reason;
    log(`${entry.peer.name}: skipped — ${reason}`);
  };
  for (const entry of entries) {
    const redis = entry.peer.needsRedis ? context.redis : undefined;
    const cluster = entry.peer.needsRedisCluster ? context.cluster : undefined;
    const missing = redis && 'unavailable' in redis ? redis : cluster && 'unavailable' in cluster ? cluster : undefined;
    if (missing) {
      skip(entry, missing.unavailable);
      continue;
    }
    try {
      const clusterSpec = cluster && !('unavailable' in cluster) ? cluster.spec : undefined;
      const server = await startServer(entry, context.pinning.server, redis && !('unavailable' in redis) ? redis.url : undefined, clusterSpec, nodeFlags(context.options));
      const redisCpu = redis && !('unavailable' in redis) ? () => redis.process.cpu() : cluster && !('unavailable' in cluster) ? clusterCpu(cluster) : undefined;
      servers.push(new ServerUnderTest(entry.peer, server, context.options, context.load, redisCpu));
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      skip(entry, error.message);
    }
  }
  return servers;
}

/** New visitors: restarts a server that would otherwise hold more sessions than the budget. */
async function keepUnderBudget(sut: ServerUnderTest, entries: PeerEntry[], context: Context): Promise<boolean> {
  if (sut.created + sut.plannedRequests() <= NEW_VISITOR_BUDGET) return false;
  const entry = entries.find((e) => e.peer === sut.peer)!;
  await sut.server.stop();
  sut.server = await startServer(
    entry,
    context.pinning.server,
    'unavailable' in context.redis ? undefined : context.redis.url,
    'unavailable' in context.cluster ? undefined : context.cluster.spec,
    nodeFlags(context.options),
  );
  sut.created = 0;
  await sut.prepare('new');
  return true;
}

/** What measuring took besides its runs: restarts for the session budget, rounds measured again for steal. */
interface Extras {
  restarts: number;
  repeated: number;
}

/** `sut`'s next run; with `freeze`, the other servers are stopped until it is done. */
async function runAlone(sut: ServerUnderTest, servers: ServerUnderTest[], freeze: boolean): Promise<Measurement> {
  const others = freeze ? servers.filter((s) => s !== sut) : [];
  for (const other of others) other.server.hold(true);
  try {
    return await sut.run();
  } finally {
    for (const other of others) other.server.hold(false);
  }
}

/** One round: every server once, in an order that starts one further each round. */
async function measureRound(scenario: Scenario, run: number, servers: ServerUnderTest[], entries: PeerEntry[], context: Context, extras: Extras): Promise<[ServerUnderTest, Measurement][]> {
  const round: [ServerUnderTest, Measurement][] = [];
  for (let i = 0; i < servers.length; i++) {
    const sut = servers[(i + run) % servers.length]!;
    if (scenario === 'new' && (await keepUnderBudget(sut, entries, context))) extras.restarts++;
    const m = await runAlone(sut, servers, context.options.freeze);
    round.push([sut, m]);
    log(
      `${SCENARIO_TITLES[scenario]} · run ${run + 1}/${context.options.runs} · ${sut.peer.name}: ${m.requests} requests in ${m.seconds.toFixed(2)} s, ` +
        `${Math.round(m.rps)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, ` +
        `CPU ${m.cpuPerRequest?.toFixed(1) ?? '?'} µs/req, lost ${m.lost ?? 'n/a'}, non-2xx ${m.non2xx}, errors ${m.errors}` +
        (m.steal !== undefined ? `, steal ${(m.steal * 100).toFixed(1)}%` : '') +
        (m.notNew ? `, ${m.notNew} not new` : '') +
        (m.cutShort ? ' (cut short)' : ''),
    );
  }
  return round;
}

async function measureScenario(scenario: Scenario, servers: ServerUnderTest[], entries: PeerEntry[], context: Context, rows: ResultRow[], extras: Extras): Promise<void> {
  const { options } = context;
  for (const sut of servers) {
    await sut.prepare(scenario);
    log(`${SCENARIO_TITLES[scenario]} · ${sut.peer.name}: ${sut.server.url}, warm-up ${Math.round(sut.rate)} req/s`);
  }
  for (let run = 0; run < options.runs; run++) {
    let round = await measureRound(scenario, run, servers, entries, context, extras);
    for (let repeats = 0; measureAgain(round.map(([, m]) => m), repeats, options.stealRetries); repeats++) {
      extras.repeated++;
      log(`${SCENARIO_TITLES[scenario]} · run ${run + 1}/${options.runs}: more than ${STOLEN * 100}% of the CPU time stolen in a run — measured again (${repeats + 1}/${options.stealRetries})`);
      round = await measureRound(scenario, run, servers, entries, context, extras);
    }
    for (const [sut, m] of round) rows.find((r) => r.peer === sut.peer.name && r.scenario === scenario)!.runs.push(m);
  }
}

/** Runs the whole benchmark and writes its results. */
export async function runHttpBench(options: HttpBenchOptions = optionsFromEnv()): Promise<{ rows: ResultRow[]; markdown: string }> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const timesBefore = cpuTimes();
  const rows: ResultRow[] = [];
  const broken: { file: string; reason: string }[] = [];
  const entries = await discoverPeers(options.peers, (file, reason) => {
    broken.push({ file, reason });
    log(`bench/peers/${file}: skipped — ${reason}`);
  });
  for (const scenario of options.scenarios) {
    for (const { peer } of entries) rows.push({ peer: peer.name, description: peer.description, scenario, runs: [], non2xx: 0, errors: 0 });
    for (const { file, reason } of broken) rows.push({ peer: file, description: '', scenario, skipped: reason, runs: [], non2xx: 0, errors: 0 });
  }
  const pinning = choosePinning(options.pin);
  const { load, note } = chooseLoadGenerator(options, pinning);
  // Why this load generator cannot run a scenario (undefined: it can).
  const notRun = (scenario: Scenario): string | undefined => (scenario === 'sticky' ? load.noSticky : undefined);
  for (const row of rows) row.skipped ??= notRun(row.scenario);
  const needsRedis = entries.some((e) => e.peer.needsRedis);
  const redis = needsRedis ? await startRedis(pinning.others) : { unavailable: 'not needed' };
  const needsCluster = entries.some((e) => e.peer.needsRedisCluster);
  const cluster = needsCluster
    ? commandExists('redis-server')
      ? await startRedisCluster({ masters: 3, prefix: pinning.others })
      : { unavailable: 'redis-server is not installed (Debian: apt-get install redis-server)' }
    : { unavailable: 'not needed' };
  const context: Context = { options, pinning, load, redis, cluster };
  const extras: Extras = { restarts: 0, repeated: 0 };
  let servers: ServerUnderTest[] = [];
  const stopAll = async (): Promise<void> => void (await Promise.all(servers.splice(0).map((s) => s.server.stop())));
  try {
    for (const scenario of options.scenarios) {
      const why = notRun(scenario);
      if (why !== undefined) {
        log(`${SCENARIO_TITLES[scenario]}: not run — ${why}`);
        continue;
      }
      if (servers.length === 0 || options.restart) {
        await stopAll();
        if (!('unavailable' in redis)) await redis.flush();
        if (!('unavailable' in cluster)) await cluster.flush();
        servers = await startAll(entries, context, rows);
      }
      await measureScenario(scenario, servers, entries, context, rows, extras);
    }
  } finally {
    await stopAll();
    await load.close();
    if (!('unavailable' in redis)) await redis.stop();
    if (!('unavailable' in cluster)) await cluster.dispose();
  }

  summarise(rows, BASELINE);
  const steal = stealBetween(timesBefore, cpuTimes());
  const info: RunInfo = { options, loadgen: load.name, loadgenNote: note, pinning: pinning.note, startedAt, loadBefore, loadAfter: loadavg(), ...extras, steal };
  const markdown = toMarkdown(rows, info);
  mkdirSync(options.out, { recursive: true });
  // The scale set (BENCH_PEERS=scale) has a report of its own, beside the comparison's.
  const base = reportName(options);
  writeFileSync(join(options.out, `${base}.md`), markdown);
  const why = unreliable(info, rows);
  const subtitle = `${load.name}, ${options.connections} connections, load average ${info.loadBefore[0]!.toFixed(2)}${why ? ` — ${why}: not a measurement` : ''}; ${startedAt.toISOString().slice(0, 10)}`;
  writeFileSync(join(options.out, `${base}.svg`), toSvg(rows, 'The counter page: requests per second (× bare node:http)', subtitle));
  writeFileSync(join(options.out, `${base}.json`), JSON.stringify({ info, rows }, null, 2) + '\n');
  log(`wrote ${base}.md, ${base}.svg and ${base}.json to ${options.out}`);
  return { rows, markdown };
}

// Entry point (importing this module runs nothing).
const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const serveAt = process.argv.indexOf('--serve');
  const job =
    serveAt !== -1
      ? serveInThisProcess(process.argv[serveAt + 1] ?? '', process.argv[serveAt + 2] ?? '')
      : runHttpBench().then((report) => void process.stdout.write(report.markdown));
  job.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
