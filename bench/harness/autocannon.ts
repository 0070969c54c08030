/**
 * autocannon as the load generator, where wrk is not installed (or BENCH_LOADGEN=autocannon).
 * It runs in the harness process and takes a whole core of its own at these rates, so on a
 * 2-core machine it moves the ratios: the report says which generator was used.
 */
import { createRequire } from 'node:module';
import type { LoadGenerator, LoadResult, LoadRun } from './load.js';

// autocannon is CommonJS without bundled types: the part of its API used here.
interface Histogram {
  p50: number;
  p99: number;
  total: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface RequestSpec {
  setupRequest?: (request: { headers?: Record<string, string> }) => { headers?: Record<string, string> };
}
interface AutocannonOptions {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  requests?: RequestSpec[];
}
interface AutocannonInstance {
  stop(): void;
  on(event: 'response', listener: () => void): this;
}
type Autocannon = (options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function fire(run: LoadRun): Promise<LoadResult> {
  let next = 0;
  const requests: RequestSpec[] | undefined =
    run.cookies.length === 0
      ? undefined
      : [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, cookie: run.cookies[next++ % run.cookies.length]! } }) }];
  return new Promise((resolve, reject) => {
    let cutShort = false;
    const t0 = performance.now();
    let last = t0;
    const instance = autocannon(
      { url: run.url, connections: run.connections, amount: run.requests, timeout: 10, ...(requests ? { requests } : {}) },
      (error, result) => {
        clearTimeout(timer);
        if (error) return reject(error);
        resolve({
          requests: result.requests.total,
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          // autocannon's own duration ends on its next 1 s sample tick: time the responses.
          seconds: (last - t0) / 1000,
          p50: result.latency.p50,
          p99: result.latency.p99,
          cutShort,
        });
      },
    );
    instance.on('response', () => {
      last = performance.now();
    });
    const timer = setTimeout(() => {
      cutShort = true;
      instance.stop();
    }, run.safetySeconds * 1000);
  });
}

export function autocannonGenerator(): LoadGenerator {
  return {
    name: 'autocannon',
    // Its clients share one rotation of the cookies, and a client's context is reset at every request.
    noSticky: 'needs wrk (a thread per connection, each with its own cookies)',
    run: fire,
    close: () => Promise.resolve(),
  };
}
