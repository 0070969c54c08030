/**
 * The floor under part 3 of `npm run bench:sessions`: the same request, on the least a session
 * store in a JavaScript heap can be. A `Map` of session records, each its own object with a
 * counter, its JSON payload, a version and an expiry, padded to about a kilobyte (what a live
 * MemoryStore session holds), so that a million of them make a heap as large. A request looks
 * its record up, counts, encodes the payload and writes it with a new version and expiry,
 * through an async load and commit as the manager's are. No signing, no lock, no components.
 *
 * Two rows: `Map` (the lookup a store needs), and the record held by the caller (no lookup at
 * all: only the record's own memory is reached). What they cost more among a million sessions
 * than among a thousand is what V8 and the machine charge any program for the heap's size.
 *
 * Each N runs in a child process of its own (`node sessions-bare.js N map|held [active] [runs]`), a fresh heap
 * sized as part 2's, which prints its result as one line of JSON.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './harness/processes.js';
import { sample, settledMedian } from './harness/stats.js';
import type { FlatResult } from './sessions.js';

/** Numbers in each record's padding: with the record, its id and its `Map` slot, about 1 KB a session. */
const PAD = 100;
const TIMEOUT_MS = 900_000;
/** How the request finds its record: by id in the `Map`, or held by the caller. */
type Lookup = 'map' | 'held';

interface BareRecord {
  payload: string;
  version: number;
  expires: number;
  value: number;
  readonly pad: number[];
}

/** What one child measured among `n` sessions (µs a request; bytes of heap a session). */
interface BareFigures {
  n: number;
  spread: number;
  active: number;
  bytesPerSession: number;
}

const load = async (record: BareRecord): Promise<BareRecord> => record;

async function commit(record: BareRecord): Promise<void> {
  record.payload = JSON.stringify({ value: record.value });
  record.version += 1;
  record.expires = Date.now() + TIMEOUT_MS;
}

/**
 * µs a request over `requests` requests, each on one of `keys` picked at random (`find` turns a
 * key into its record); checks that every count was kept.
 */
async function bareRequests<K>(keys: readonly K[], find: (key: K) => BareRecord, requests: number): Promise<number> {
  const picks = Array.from({ length: requests }, () => keys[Math.floor(Math.random() * keys.length)]!);
  const total = (): number => keys.reduce((sum, key) => sum + find(key).value, 0);
  const before = total();
  const t0 = process.hrtime.bigint();
  for (const key of picks) {
    const record = await load(find(key));
    record.value += 1;
    await commit(record);
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / requests;
  if (total() - before !== requests) throw new Error(`bare store counted ${total() - before} of ${requests} requests`);
  return us;
}

const heapUsed = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

/** The child's work: `n` records, then requests spread over all and on `active` of them, `runs` runs each. */
export async function measureBare(n: number, lookup: Lookup, active: number, runs: number, requests = 50_000): Promise<BareFigures> {
  const before = heapUsed();
  const records = new Map<string, BareRecord>();
  const ids: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    ids[i] = randomBytes(24).toString('base64url');
    records.set(ids[i]!, { payload: '{"value":0}', version: 1, expires: Date.now() + TIMEOUT_MS, value: 0, pad: new Array<number>(PAD).fill(0) });
  }
  const bytesPerSession = (heapUsed() - before) / n;
  const timed = (keys: string[]): Promise<number> => {
    if (lookup === 'map') return settledMedian((k) => bareRequests(keys, (id) => records.get(id)!, k), requests, runs);
    const held = keys.map((id) => records.get(id)!);
    return settledMedian((k) => bareRequests(held, (record) => record, k), requests, runs);
  };
  const spread = await timed(ids);
  const onActive = n <= active ? spread : await timed(sample(ids, active));
  return { n, spread, active: onActive, bytesPerSession };
}

function runChild(n: number, lookup: Lookup, active: number, runs: number): Promise<BareFigures> {
  return runJsonChild<BareFigures>([fileURLToPath(import.meta.url), String(n), lookup, String(active), String(runs)]).catch((e: unknown) => {
    throw new Error(`the bare store's child for ${n} sessions: ${(e as Error).message}`);
  });
}

/** The two bare rows of part 3, among each of `sizes` sessions. */
export async function bareFlatness(sizes: readonly number[], active: number, runs: number): Promise<FlatResult[]> {
  const rows: FlatResult[] = [];
  for (const [store, lookup] of [['bare `Map` (the floor)', 'map'], ['bare, record held (no lookup)', 'held']] as const) {
    const figures: BareFigures[] = [];
    for (const n of sizes) {
      figures.push(await runChild(n, lookup, active, runs));
      console.log(store, figures.at(-1));
    }
    rows.push({ store, points: figures.map((f) => [f.n, f.spread]), active: figures.map((f) => [f.n, f.active]), bytesPerSession: figures.at(-1)!.bytesPerSession });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, lookup, active, runs] = [Number(process.argv[2]), process.argv[3] as Lookup, Number(process.argv[4] ?? 1_000), Number(process.argv[5] ?? 5)];
  if (!(n > 0) || (lookup !== 'map' && lookup !== 'held') || !(active > 0) || !(runs > 0)) {
    throw new Error(`usage: sessions-bare.js <sessions> map|held [active sessions] [runs] (got ${process.argv.slice(2).join(' ')})`);
  }
  const figures = await measureBare(n, lookup, active, runs);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
