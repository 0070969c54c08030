/** The results of `npm run bench:http`: medians per server and scenario, as markdown. */
import { cpus } from 'node:os';
import { reportName, runCommand, SCENARIO_TITLES, type HttpBenchOptions, type Scenario } from './options.js';
import { median } from './stats.js';
import { STOLEN } from './steal.js';
import type { Measurement } from './measure.js';

/** One server in one scenario. */
export interface ResultRow {
  peer: string;
  description: string;
  scenario: Scenario;
  /** Why it was not measured. */
  skipped?: string;
  runs: Measurement[];
  rps?: number;
  /** The median, over the rounds, of this row's rps ÷ bare-node's rps in the same round of the same scenario. */
  ratio?: number;
  p50?: number;
  p99?: number;
  cpuPerRequest?: number;
  /** With workers: the primary's CPU µs per request (cpuPerRequest is then the workers'). */
  primaryCpuPerRequest?: number;
  redisCpuPerRequest?: number;
  /** Summed over the measured runs; undefined when a run could not count (new visitors). */
  lost?: number;
  non2xx: number;
  errors: number;
  notNew?: number;
  /** Median share of its core the load generator used (wrk). */
  generatorBusy?: number;
  /** The largest share of CPU time stolen by the hypervisor in one of its runs. */
  steal?: number;
}

export interface RunInfo {
  options: HttpBenchOptions;
  loadgen: string;
  loadgenNote?: string;
  pinning: string;
  startedAt: Date;
  /** os.loadavg() at the start and at the end. */
  loadBefore: number[];
  loadAfter: number[];
  /** Restarts of servers in the new-visitor scenario, to stay under NEW_VISITOR_BUDGET sessions. */
  restarts: number;
  /** Rounds measured again because the hypervisor stole much of the CPU time in one of their runs (their runs dropped). */
  repeated: number;
  /** The share of CPU time stolen by the hypervisor from the start to the end (undefined off Linux). */
  steal?: number;
}

/** Above this share of its core, the load generator may be the bottleneck (the report says so). */
const GENERATOR_SATURATED = 0.9;

/** A 1-minute load average above this (on 2 cores) marks a run as taken on a loaded machine. */
const LOADED = 1.5;

/**
 * Fills in the medians, sums and the ratios to `baseline` (same scenario). A ratio is taken
 * within each round (`runs[i]` of every row: servers run interleaved, so a round's runs are close
 * in time) and then the median of those: a machine whose speed drifts between rounds moves both
 * sides of a round's ratio, where a ratio of the two medians could take them from different rounds.
 */
export function summarise(rows: ResultRow[], baseline: string): void {
  for (const row of rows) {
    const defined = (pick: (m: Measurement) => number | undefined): number[] =>
      row.runs.map(pick).filter((v): v is number => v !== undefined);
    row.rps = median(row.runs.map((r) => r.rps));
    row.p50 = median(row.runs.map((r) => r.p50));
    row.p99 = median(row.runs.map((r) => r.p99));
    row.cpuPerRequest = median(defined((r) => r.cpuPerRequest));
    row.redisCpuPerRequest = median(defined((r) => r.redisCpuPerRequest));
    row.primaryCpuPerRequest = median(defined((r) => r.primaryCpuPerRequest));
    row.lost = row.runs.length > 0 && row.runs.every((r) => r.lost !== undefined) ? row.runs.reduce((s, r) => s + r.lost!, 0) : undefined;
    row.non2xx = row.runs.reduce((s, r) => s + r.non2xx, 0);
    row.errors = row.runs.reduce((s, r) => s + r.errors, 0);
    row.generatorBusy = median(defined((r) => r.generatorBusy));
    const steal = defined((r) => r.steal);
    if (steal.length) row.steal = Math.max(...steal);
    const notNew = defined((r) => r.notNew);
    if (notNew.length) row.notNew = notNew.reduce((s, n) => s + n, 0);
  }
  for (const row of rows) {
    const base = rows.find((r) => r.peer === baseline && r.scenario === row.scenario)?.runs;
    if (base === undefined) continue;
    const ratios = row.runs.flatMap((run, i) => (base[i] !== undefined && base[i].rps > 0 ? [run.rps / base[i].rps] : []));
    row.ratio = median(ratios);
  }
}

/** The largest share of CPU time stolen in any one run of `rows`. */
function worstSteal(rows: readonly Pick<ResultRow, 'steal'>[]): number | undefined {
  const stolen = rows.map((r) => r.steal).filter((s): s is number => s !== undefined);
  return stolen.length ? Math.max(...stolen) : undefined;
}

/**
 * Why a benchmark's figures are not a measurement, or '' when nothing says so: a loaded machine,
 * or CPU stolen by the hypervisor in any one run (one slow run moves its server's ratio).
 */
export function unreliable(info: Pick<RunInfo, 'loadBefore'>, rows: readonly Pick<ResultRow, 'steal'>[]): string {
  const why: string[] = [];
  if (info.loadBefore[0]! > LOADED) why.push('a loaded machine');
  const worst = worstSteal(rows);
  if (worst !== undefined && worst > STOLEN) why.push(`up to ${percent(worst)} of the CPU time stolen by the hypervisor in a run`);
  return why.join(', ');
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

const fmt = (n: number | undefined, digits: number): string =>
  n === undefined ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function toMarkdown(rows: ResultRow[], info: RunInfo): string {
  const { options } = info;
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(', ');
  const why = unreliable(info, rows);
  const worst = worstSteal(rows);
  const length = options.requests !== undefined ? `${options.requests} requests` : `~${options.seconds} s`;
  const lines = [
    '# HTTP benchmark: the counter page under load',
    '',
    `- date: ${info.startedAt.toISOString()}; node ${process.version}; ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}`,
    `- load average (1, 5, 15 min) at the start: ${load(info.loadBefore)}; at the end: ${load(info.loadAfter)}; ` +
      `CPU steal (time the hypervisor gave to other machines) ${info.steal === undefined ? 'not known here' : `${percent(info.steal)}, up to ${percent(worst ?? 0)} in a run`}` +
      (why ? ` — **${why}: these figures show that the harness works, not how fast anything is**` : ''),
    `- load generator: ${info.loadgen}, ${options.connections} connections${info.loadgenNote ? ` (${info.loadgenNote})` : ''}; ${info.pinning}`,
    `- ${options.runs} run(s) of ${length} per server and scenario, servers interleaved, after ${options.warmupSeconds} s of warm-up; medians; × bare: the median of the rounds' ratios (each round's run against bare-node's in that round); ` +
      `servers ${options.restart ? 'started afresh, on empty stores, for each scenario' : 'started once for all scenarios (BENCH_RESTART=0)'}, ` +
      `${options.freeze ? 'the others stopped (SIGSTOP) while one is measured' : 'the others left running while one is measured (BENCH_FREEZE=0)'}, ` +
      `${options.memoryReducer ? "with V8's memory reducer (BENCH_MEMORY_REDUCER=1)" : 'node run with --no-memory-reducer (a server that never idles)'}; ` +
      `"many" = ${options.sessions} session cookies in rotation; ` +
      (options.scenarios.includes('sticky') ? `"sticky" = the same, each connection rotating over its own share of them (wrk, a thread per connection); ` : '') +
      `"new" = no cookie, every request a new session` +
      (info.restarts > 0 ? ` (servers restarted ${info.restarts} time(s) to stay under the session budget)` : '') +
      (info.repeated > 0 ? `; ${info.repeated} round(s) measured again, their runs dropped, because more than ${percent(STOLEN)} of the CPU time was stolen in one of their runs` : ''),
    '- lost updates: 2xx responses − increments the store kept (counters read back after each run), summed over the runs; every run is bounded by a request count, so none is in flight when the counters are read',
    '- CPU µs/req: user + system time of the server process (and of redis-server, for the Redis rows) per response, from /proc',
    '',
    `Run: \`${runCommand(options)}\`. ` +
      `Method: [NOTES.md](NOTES.md). Chart: [${reportName(options)}.svg](${reportName(options)}.svg).`,
    '',
  ];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const peers = [...new Set(rows.map((r) => r.peer))];
  lines.push(`| server | ${scenarios.map((s) => `${SCENARIO_TITLES[s]} req/s | × bare`).join(' | ')} | lost updates (${scenarios.filter((s) => s !== 'new').join(', ')}) |`);
  lines.push(`|---|${scenarios.map(() => '---:|---:').join('|')}|---:|`);
  for (const peer of peers) {
    const of = rows.filter((r) => r.peer === peer);
    const cells = scenarios.map((s) => {
      const row = of.find((r) => r.scenario === s);
      return `${fmt(row?.rps, 0)} | ${fmt(row?.ratio, 2)}`;
    });
    const lost = of.filter((r) => r.scenario !== 'new').map((r) => (r.lost === undefined ? '—' : String(r.lost)));
    lines.push(`| ${peer} | ${cells.join(' | ')} | ${lost.join(', ')} |`);
  }
  for (const scenario of scenarios) {
    lines.push('', `## ${SCENARIO_TITLES[scenario]}`, '');
    lines.push('| server | req/s | × bare | p50 ms | p99 ms | server CPU µs/req | redis CPU µs/req | lost updates | notes |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const row of rows.filter((r) => r.scenario === scenario)) {
      const notes = [row.description];
      if (row.skipped) notes.push(`**skipped**: ${row.skipped}`);
      if (row.non2xx) notes.push(`${row.non2xx} non-2xx`);
      if (row.errors) notes.push(`${row.errors} socket errors/timeouts`);
      if (row.notNew) notes.push(`${row.notNew} responses were not a new session`);
      if (row.steal !== undefined && row.steal > STOLEN) notes.push(`up to ${percent(row.steal)} of the CPU time stolen in a run`);
      if (row.primaryCpuPerRequest !== undefined) notes.push(`server CPU is the workers'; the primary's: ${fmt(row.primaryCpuPerRequest, 1)} µs/req`);
      // `<peer>-2w` beside `<peer>`: what a request costs the workers with 2 workers, per 1.
      const single = rows.find((r) => r.scenario === scenario && `${r.peer}-2w` === row.peer);
      if (single?.cpuPerRequest && row.cpuPerRequest) notes.push(`worker CPU per request ×${(row.cpuPerRequest / single.cpuPerRequest).toFixed(2)} of ${single.peer}'s`);
      if (single?.rps && row.rps) notes.push(`req/s ×${(row.rps / single.rps).toFixed(2)}`);
      if (row.runs.some((r) => r.cutShort)) notes.push('a run was cut short');
      if (row.generatorBusy !== undefined && row.generatorBusy > GENERATOR_SATURATED) {
        notes.push(`the load generator was busy ${Math.round(row.generatorBusy * 100)}% of the run: it may be what limits this row`);
      }
      lines.push(
        `| ${row.peer} | ${fmt(row.rps, 0)} | ${fmt(row.ratio, 2)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.cpuPerRequest, 1)} | ` +
          `${fmt(row.redisCpuPerRequest, 1)} | ${row.lost ?? '—'} | ${notes.join('; ').replace(/\|/g, '\\|')} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
