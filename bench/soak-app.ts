/**
 * The site `npm run soak` serves with `dovetail serve --workers 4`: the demo's counter page
 * (Twisted's `ICounter(session)` through a registered adapter) at /counter, and handlers that
 * count every `ISessionCreated` and `ISessionExpired`, per session id, in a Redis hash of the
 * soak's own (`SOAK_COUNTS`, a plain redis:// url, apart from the store under test): the soak
 * then checks that every session it created ended exactly once, whichever worker swept it.
 *
 * Each worker also samples itself every `SOAK_SAMPLE_MS` (10 s by default) into the list
 * `soak:samples`: RSS beside the V8 heap — its size, what is in use now (garbage included), and
 * what was still in use right after the last full GC (what the process keeps: RSS that grows
 * while that stays level is V8 sizing its heap up, not objects kept) — the longest event-loop
 * stall and GC pause of the interval, and how many sessions it ended: so the report can tell
 * retention from heap sizing, and a latency spike from what caused it.
 */
import { join } from 'node:path';
import { PerformanceObserver, constants, monitorEventLoopDelay, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { createClient } from 'redis';
import { getGlobalRegistry } from '@dovetail/registry';
import { ISessionCreated, ISessionExpired } from '@dovetail/session';
import { Resource } from '@dovetail/web';
import type { SessionEvent } from '@dovetail/session';

const url = process.env.SOAK_COUNTS;
if (!url) throw new Error('SOAK_COUNTS (redis://…) is not set: run this module through npm run soak');

const counts = createClient({ url });
counts.on('error', (e: unknown) => console.error('soak counts:', e));
await counts.connect();

let endedHere = 0;
const count = (hash: string) => (event: SessionEvent): void => {
  counts.hIncrBy(hash, event.object.uid, 1).catch((e: unknown) => console.error(`soak counts: ${hash}:`, e));
};
getGlobalRegistry().registerHandler(count('soak:created'), [ISessionCreated]);
getGlobalRegistry().registerHandler(count('soak:expired'), [ISessionExpired]);
getGlobalRegistry().registerHandler(() => void endedHere++, [ISessionExpired]);

/** One worker's sample, as pushed to `soak:samples` (JSON). MiB and ms. */
export interface WorkerSample {
  pid: number;
  /** Epoch ms. */
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** The heap in use right after the last full (mark-compact) GC so far: what the process keeps. */
  live: number | undefined;
  /** Buffers and other memory outside the V8 heap. */
  external: number;
  /** The longest event-loop delay of the interval, and its 99th percentile. */
  loopMax: number;
  loopP99: number;
  /** The longest GC pause of the interval, and all of them summed. */
  gcMax: number;
  gcTotal: number;
  /** Sessions this worker ended (ISessionExpired) in the interval. */
  ended: number;
}

const MiB = 1024 * 1024;
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let gcMax = 0;
let gcTotal = 0;
let live: number | undefined;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMax = Math.max(gcMax, e.duration);
    gcTotal += e.duration;
    // Read as soon as the observer runs (the turn after the GC): what survived, and little else yet.
    if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) live = getHeapStatistics().used_heap_size / MiB;
  }
}).observe({ entryTypes: ['gc'] });
const sample = (): void => {
  const m = process.memoryUsage();
  const s: WorkerSample = {
    pid: process.pid,
    at: Date.now(),
    rss: m.rss / MiB,
    heapUsed: m.heapUsed / MiB,
    heapTotal: m.heapTotal / MiB,
    live,
    external: m.external / MiB,
    loopMax: loop.max / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    gcMax,
    gcTotal,
    ended: endedHere,
  };
  loop.reset();
  gcMax = gcTotal = 0;
  endedHere = 0;
  counts.rPush('soak:samples', JSON.stringify(s)).catch((e: unknown) => console.error('soak samples:', e));
};
sample();
setInterval(sample, Number(process.env.SOAK_SAMPLE_MS ?? 10_000)).unref();

// The counter page of the examples (built to examples/dist), loaded as the demo loads it.
const examples = fileURLToPath(new URL('../../examples/dist/', import.meta.url));
const { CounterResource } = (await import(pathToFileURL(join(examples, 'counter/index.js')).href)) as { CounterResource: new () => Resource };

const root = new Resource();
root.putChild('counter', new CounterResource());

/** The root resource served by `dovetail serve`. */
export const resource = root;
