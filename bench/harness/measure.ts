/**
 * One server in one scenario: its sessions, its warm-up and its measured runs, each followed
 * by a read of the counters to count lost updates.
 */
import { createSessions, readIncrements, type KnownSession } from './client.js';
import { cpuTimes, stealBetween } from './steal.js';
import type { Peer } from '../peers/peer.js';
import type { LoadGenerator, LoadResult } from './load.js';
import type { HttpBenchOptions, Scenario } from './options.js';
import type { RunningServer } from './servers.js';

/** One measured run. */
export interface Measurement extends LoadResult {
  rps: number;
  /** Server CPU µs per response (with node:cluster workers: the workers', summed). */
  cpuPerRequest?: number;
  /** With workers: the primary's CPU µs per response. */
  primaryCpuPerRequest?: number;
  /** redis-server CPU µs per response (Redis peers). */
  redisCpuPerRequest?: number;
  /** 2xx responses − increments the store kept; undefined for new visitors or a cut-short run. */
  lost?: number;
  /** The share of the machine's CPU time the hypervisor took during the run (steal.ts); undefined off Linux. */
  steal?: number;
}

/** New visitors: a server is restarted before it holds this many sessions (MemoryStore caps at 1,000,000). */
export const NEW_VISITOR_BUDGET = 600_000;

export class ServerUnderTest {
  #sessions: KnownSession[] = [];
  #scenario: Scenario = 'hot';
  /** Responses per second in the last run: sizes the next one. */
  rate = 0;
  /** Sessions created since the server started. */
  created = 0;

  constructor(
    readonly peer: Peer,
    public server: RunningServer,
    private readonly options: HttpBenchOptions,
    private readonly load: LoadGenerator,
    private readonly redisCpu: (() => number | undefined) | undefined,
  ) {}

  /** Makes the scenario's sessions (one, or `options.sessions`) and warms the server up. */
  async prepare(scenario: Scenario): Promise<void> {
    this.#scenario = scenario;
    this.rate = 0;
    const count = scenario === 'hot' ? 1 : scenario === 'new' ? 0 : this.options.sessions;
    this.#sessions = await createSessions(this.server.url, count, this.peer.counterPattern);
    this.created += count;
    const probe = this.options.connections * 50;
    if (this.options.warmupSeconds <= 0) return;
    await this.run(probe);
    await this.run(Math.max(probe, Math.round(this.rate * this.options.warmupSeconds)));
  }

  /** The next run's request count. */
  plannedRequests(): number {
    if (this.options.requests !== undefined) return this.options.requests;
    return Math.max(this.options.connections * 20, Math.round(this.rate * this.options.seconds));
  }

  async run(requests = this.plannedRequests()): Promise<Measurement> {
    const cpuBefore = this.server.cpu();
    const workersBefore = this.server.workersCpu();
    const redisBefore = this.redisCpu?.();
    const timesBefore = cpuTimes();
    const result = await this.load.run({
      url: this.server.url,
      connections: this.options.connections,
      requests,
      cookies: this.#sessions.map((s) => s.cookie),
      sticky: this.#scenario === 'sticky',
      safetySeconds: Math.max(30, (requests / Math.max(this.rate, 100)) * 5),
    });
    const cpuAfter = this.server.cpu();
    const workersAfter = this.server.workersCpu();
    const redisAfter = this.redisCpu?.();
    const steal = stealBetween(timesBefore, cpuTimes());
    if (this.#scenario === 'new') this.created += result.requests;
    const kept = this.#sessions.length > 0 && !this.peer.countsPerProcess ? await readIncrements(this.server.url, this.#sessions, this.peer.counterPattern) : undefined;
    const rps = result.seconds > 0 ? result.requests / result.seconds : 0;
    if (rps > 0) this.rate = rps;
    const per = (before: number | undefined, after: number | undefined): number | undefined =>
      before !== undefined && after !== undefined && result.requests > 0 ? (after - before) / result.requests : undefined;
    return {
      ...result,
      rps,
      cpuPerRequest: workersBefore !== undefined ? per(workersBefore, workersAfter) : per(cpuBefore, cpuAfter),
      primaryCpuPerRequest: workersBefore !== undefined ? per(cpuBefore, cpuAfter) : undefined,
      redisCpuPerRequest: per(redisBefore, redisAfter),
      lost: kept !== undefined && !result.cutShort ? result.ok - kept : undefined,
      steal,
    };
  }
}
