/**
 * The knobs of `npm run bench:http`, read from the environment.
 *
 * BENCH_SECONDS (10)   length of a measured run, in seconds (a request count sized from the
 *                      peer's rate in the warm-up or its previous run)
 * BENCH_REQUESTS       a fixed request count per run instead (the CI smoke test uses it)
 * BENCH_RUNS (3)       runs per server and scenario, interleaved; medians are reported
 * BENCH_WARMUP (2)     warm-up seconds per server and scenario (0: none)
 * BENCH_PEERS          comma-separated peer names, in order; `all` adds the opt-in controls;
 *                      `scale`: 1 vs 2 workers on bare node:http, SQLite and Redis, one Redis
 *                      vs a 3-master cluster (written to scale.md/.svg/.json instead of http.*)
 * BENCH_SCENARIOS      comma-separated, of hot,many,sticky,new (default: hot,many,new; the
 *                      scale set adds sticky)
 * BENCH_SESSIONS (2000) session cookies in the "many" and "sticky" scenarios
 * BENCH_CONNECTIONS (32)
 * BENCH_LOADGEN        wrk (default when installed) or autocannon
 * BENCH_PIN (1)        0: do not pin processes to CPUs with taskset
 * BENCH_FREEZE (1)     0: leave the other servers running while one is measured, instead of
 *                      stopping them (SIGSTOP) until its run is done
 * BENCH_MEMORY_REDUCER (0) 1: leave V8's memory reducer on in the servers; by default they run with
 *                      --no-memory-reducer, as a server that is never idle (see NOTES.md, lever 31)
 * BENCH_RESTART (1)    0: start each server once for all scenarios (the smoke test), instead
 *                      of afresh, on empty stores, for each scenario
 * BENCH_OUT            directory for http.md, http.svg and http.json (default bench/results)
 * BENCH_STEAL_RETRIES (3) times a round is measured again, at most, when the hypervisor stole
 *                      more than 5% of the CPU time in one of its runs (0: never)
 */
import { fileURLToPath } from 'node:url';

/**
 * hot: every connection sends one session's cookie; many: every connection rotates over all the
 * sessions' cookies (a proxy's connections carry many sessions); sticky: the same sessions, each
 * connection keeping to its own share of them (as a browser keeps its session, or a proxy routes
 * by cookie), which node:cluster keeps on one worker; new: no cookie.
 */
export type Scenario = 'hot' | 'many' | 'sticky' | 'new';
/** Every scenario, in the reports' order. */
export const SCENARIOS: readonly Scenario[] = ['hot', 'many', 'sticky', 'new'];

export const SCENARIO_TITLES: Record<Scenario, string> = {
  hot: 'hot session',
  many: 'many sessions',
  sticky: 'sticky sessions',
  new: 'new visitors',
};

/** True for BENCH_PEERS=scale: the scale set, which has its own peers, scenarios and report. */
export function isScaleSet(peers: readonly string[] | undefined): boolean {
  return peers?.length === 1 && peers[0] === 'scale';
}

/** The scenarios run unless BENCH_SCENARIOS says: sticky only tells workers apart, so only the scale set adds it. */
function defaultScenarios(peers: readonly string[] | undefined): Scenario[] {
  return isScaleSet(peers) ? [...SCENARIOS] : ['hot', 'many', 'new'];
}

/** The knobs' values when the environment does not set them. */
const DEFAULTS = { seconds: 10, runs: 3, warmupSeconds: 2, sessions: 2000, connections: 32, stealRetries: 3 } as const;

export interface HttpBenchOptions {
  seconds: number;
  /** A fixed number of requests per run, instead of `seconds`. */
  requests?: number;
  runs: number;
  warmupSeconds: number;
  /** Peer names in order; undefined = every peer that is not opt-in. `all` = every peer. */
  peers?: string[];
  scenarios: Scenario[];
  sessions: number;
  connections: number;
  loadgen?: 'wrk' | 'autocannon';
  pin: boolean;
  /** Stop the other servers while one is measured: an idle server's timers and collector would run on its CPU. */
  freeze: boolean;
  /** Leave V8's memory reducer on in the servers (it shrinks an idle process's heap, and a server idles between its runs). */
  memoryReducer: boolean;
  /** Start every server afresh (empty stores) for each scenario. */
  restart: boolean;
  out: string;
  /** How many times, at most, a round with a stolen run is measured again (see `measureAgain`). */
  stealRetries: number;
}

function envNumber(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name}=${raw} is not a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

function envList(name: string): string[] | undefined {
  const list = process.env[name]?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return list && list.length > 0 ? list : undefined;
}

/** The base name of the report files: `scale` for the scale set (BENCH_PEERS=scale), else `http`. */
export function reportName(options: HttpBenchOptions): 'http' | 'scale' {
  return isScaleSet(options.peers) ? 'scale' : 'http';
}

export function optionsFromEnv(): HttpBenchOptions {
  const peers = envList('BENCH_PEERS');
  const scenarios = envList('BENCH_SCENARIOS') ?? defaultScenarios(peers);
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_SCENARIOS names unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  const loadgen = process.env.BENCH_LOADGEN;
  if (loadgen !== undefined && loadgen !== '' && loadgen !== 'wrk' && loadgen !== 'autocannon') {
    throw new Error(`BENCH_LOADGEN=${loadgen}: use wrk or autocannon`);
  }
  const requests = process.env.BENCH_REQUESTS ? Math.round(envNumber('BENCH_REQUESTS', 0)) : undefined;
  const sessions = Math.round(envNumber('BENCH_SESSIONS', DEFAULTS.sessions));
  const connections = Math.round(envNumber('BENCH_CONNECTIONS', DEFAULTS.connections));
  if (scenarios.includes('sticky') && sessions < connections) {
    throw new Error(`BENCH_SESSIONS=${sessions} is fewer than BENCH_CONNECTIONS=${connections}: the sticky scenario gives each connection sessions of its own; raise BENCH_SESSIONS or leave sticky out of BENCH_SCENARIOS`);
  }
  return {
    seconds: envNumber('BENCH_SECONDS', DEFAULTS.seconds),
    requests,
    runs: Math.round(envNumber('BENCH_RUNS', DEFAULTS.runs)),
    warmupSeconds: envNumber('BENCH_WARMUP', DEFAULTS.warmupSeconds, true),
    peers,
    scenarios: scenarios as Scenario[],
    sessions,
    connections,
    loadgen: loadgen === 'wrk' || loadgen === 'autocannon' ? loadgen : undefined,
    pin: process.env.BENCH_PIN !== '0',
    freeze: process.env.BENCH_FREEZE !== '0',
    memoryReducer: process.env.BENCH_MEMORY_REDUCER === '1',
    restart: process.env.BENCH_RESTART !== '0',
    out: process.env.BENCH_OUT || fileURLToPath(new URL('../../results/', import.meta.url)),
    stealRetries: Math.round(envNumber('BENCH_STEAL_RETRIES', DEFAULTS.stealRetries, true)),
  };
}

/**
 * The command that runs the bench again as `options` ran it: every knob that is not its default,
 * plus `BENCH_BASE` (the other checkout's directory) when one was compared. Written at the top of
 * each report, so a raw report of a same-run pair says what it compared and how it was pinned.
 */
export function runCommand(options: HttpBenchOptions, base = process.env.BENCH_BASE): string {
  const env: string[] = [];
  if (base) env.push(`BENCH_BASE=${base}`);
  if (options.peers) env.push(`BENCH_PEERS=${options.peers.join(',')}`);
  if (options.scenarios.join(',') !== defaultScenarios(options.peers).join(',')) env.push(`BENCH_SCENARIOS=${options.scenarios.join(',')}`);
  if (options.requests !== undefined) env.push(`BENCH_REQUESTS=${options.requests}`);
  else env.push(`BENCH_SECONDS=${options.seconds}`);
  env.push(`BENCH_RUNS=${options.runs}`);
  if (options.warmupSeconds !== DEFAULTS.warmupSeconds) env.push(`BENCH_WARMUP=${options.warmupSeconds}`);
  if (options.sessions !== DEFAULTS.sessions) env.push(`BENCH_SESSIONS=${options.sessions}`);
  if (options.connections !== DEFAULTS.connections) env.push(`BENCH_CONNECTIONS=${options.connections}`);
  if (options.loadgen) env.push(`BENCH_LOADGEN=${options.loadgen}`);
  if (!options.pin) env.push('BENCH_PIN=0');
  if (!options.freeze) env.push('BENCH_FREEZE=0');
  if (options.memoryReducer) env.push('BENCH_MEMORY_REDUCER=1');
  if (!options.restart) env.push('BENCH_RESTART=0');
  if (options.stealRetries !== DEFAULTS.stealRetries) env.push(`BENCH_STEAL_RETRIES=${options.stealRetries}`);
  return `${env.join(' ')} npm run bench:http`;
}
