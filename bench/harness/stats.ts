/** The benchmarks' arithmetic: picking samples, taking medians, and writing the figures. */

/** `k` of `items` (all of them when there are fewer), picked at random (each at most once). */
export function sample<T>(items: readonly T[], k: number): T[] {
  const pool = [...items];
  const count = Math.min(k, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** The median of `values` (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * How long requests run on a set of sessions before any is timed. A long-running server is what
 * the figures describe: MemoryStore's request on 1,000 sessions took 2.5 µs in its first runs of
 * 50,000 and settled at 2.2 after about 500,000 (2026-12-06), as the sessions' objects settle in
 * the heap; the first run on SQLite is a third slower than the next ones.
 */
export const WARM_UP_MS = 2_000;

/**
 * The median µs a request of `runs` runs of `run(requests)` (each returning its µs a request),
 * after {@link WARM_UP_MS} of the same requests, 10,000 at a time at most.
 */
export async function settledMedian(run: (requests: number) => Promise<number>, requests: number, runs: number): Promise<number> {
  for (const until = performance.now() + WARM_UP_MS; performance.now() < until; ) await run(Math.min(requests, 10_000));
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await run(requests));
  return median(times)!;
}

/** `n` with `digits` decimals and thousands separators, as the reports write figures. */
export const fmt = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `n` rounded, with thousands separators. */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
