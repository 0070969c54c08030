/**
 * What a load generator is asked to do and what it reports. A run is bounded by a request
 * count, not a duration: every request sent is answered before the counters are read, so
 * "2xx responses − increments the store kept" is exact (a duration-bounded run drops the
 * requests in flight when it stops, up to one per connection, which may or may not have counted).
 */
export interface LoadRun {
  url: string;
  connections: number;
  /** Send at least this many requests (a few more, at most one per connection, may go). */
  requests: number;
  /** The Cookie header of each request, in rotation; empty: no cookie (new visitors). */
  cookies: string[];
  /** Each connection rotates over its own share of `cookies` instead of all of them (the sticky scenario). */
  sticky: boolean;
  /** Stop (and mark the run cut short) after this long. */
  safetySeconds: number;
}

export interface LoadResult {
  /** Responses received. */
  requests: number;
  /** 2xx responses among them. */
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** From the first request sent to the last response. */
  seconds: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** New visitors: 2xx responses that were not a fresh session's first page (no Set-Cookie or not "Visit #1"). */
  notNew?: number;
  /** CPU time of the load generator ÷ the run's wall time (wrk only): near 1, it may be the bottleneck. */
  generatorBusy?: number;
  /** The run did not finish its requests within `safetySeconds`: no lost-update count. */
  cutShort: boolean;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  /** Why it cannot give each connection cookies of its own (the sticky scenario); undefined when it can. */
  noSticky?: string;
  run(run: LoadRun): Promise<LoadResult>;
  close(): Promise<void>;
}
