/**
 * `npm run bench:sessions` — the session manager per request, per store, and MemoryStore at scale.
 *
 * 1. One request's session work, in one process, sequentially: `sessions.load(cookie)`,
 *    `ICounter(session).value += 1`, `sessions.commit(session)` — for MemoryStore, SqliteStore (a
 *    temp file; shared, and `exclusive`), RedisStore (a redis-server started on a free loopback
 *    port, when the binary exists) and CookieStore. Reported as requests per second and µs per
 *    request (median of BENCH_RUNS runs, after a warm-up). Targets: MemoryStore < 3 µs,
 *    SqliteStore < 20 µs.
 * 2. BENCH_SESSIONS (default 1,000,000) live sessions in MemoryStore, each created, given a
 *    counter and committed through the manager: bytes per live session (heap + external after
 *    gc, everything included: the Session, its component, the store entry and indexes, the
 *    manager's live table), then `sweep()` with none, 1 % and the rest expired (a moved clock).
 *
 * 3. The same request on a random one of N live sessions — N = 1,000 and 100,000 for MemoryStore,
 *    SqliteStore and RedisStore, and the ~1,000,000 of part 2 for MemoryStore: is the cost flat?
 *    Twice: spread over all N (every request touches memory no request touched lately), and on
 *    1,000 active sessions picked at random among the N (the rest stay live but idle, as most
 *    sessions of a site are): what the number of sessions costs, apart from the working set.
 *
 * 4. The same over HTTP (sessions-http.ts): the counter page served among N live sessions, on
 *    1,000 of them, and the server's CPU time a request — what a whole request costs.
 *
 * The second part runs in a child process with a larger heap (`--max-old-space-size`), so that
 * one million sessions fit whatever the default heap limit is.
 *
 * Environment: BENCH_RUNS (5), BENCH_SESSIONS (1000000), BENCH_SCALE=0 (skip part 2), BENCH_FLAT=0
 * (skip part 3), BENCH_HTTP=0 (skip part 4), BENCH_HTTP_REQUESTS (100000 a run of part 4),
 * BENCH_HTTP_SESSIONS (part 4's numbers of live sessions, e.g. 10,100), BENCH_PIN=0 (part 4 not
 * pinned to CPUs).
 * Writes bench/results/sessions.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { getGlobalRegistry } from '@dovetail/registry';
import { CookieStore, MemoryStore, RedisStore, Session, Sessions, SqliteStore } from '@dovetail/session';
import { runJsonChild } from './harness/processes.js';
import { startRedis } from './harness/redis.js';
import { WARM_UP_MS, fmt, int, median, sample, settledMedian } from './harness/stats.js';
import { bareFlatness } from './sessions-bare.js';
import { httpFlatSection, partFour } from './sessions-http.js';
import type { HttpFlat } from './sessions-http.js';
import type { ListedEntry, SessionStore } from '@dovetail/session';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SCALE = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
const SECRET = 'bench-secret-0123456789abcdef0123';
/** How many of the live sessions get the requests in part 3's second measure. */
const ACTIVE = 1_000;

interface Counter {
  value: number;
}
const ICounter = defineInterface<Counter>('bench.sessions.ICounter', { members: { value: Attribute('Counts page views.') } });

@implementer(ICounter)
class CounterAdapter implements Counter {
  value = 0;
  constructor(readonly session: Session) {}
}
getGlobalRegistry().registerAdapter(CounterAdapter, Session, ICounter);

const gc = (globalThis as { gc?: () => void }).gc;

// ---------------------------------------------------------------------------------------------
// Part 1: one request's session work, per store

interface StoreResult {
  store: string;
  opsPerSec: number;
  usPerOp: number;
  ops: number;
  target?: number;
  note?: string;
}

/** The two ways SqliteStore opens its file: shared with other processes (the default), and kept to one process (`exclusive`). */
const SQLITE_KINDS = [
  ['SqliteStore (temp file, WAL)', false],
  ['SqliteStore (exclusive)', true],
] as const;

async function perRequest(name: string, store: SessionStore, ops: number, target?: number): Promise<StoreResult> {
  const sessions = new Sessions({ store, secrets: [SECRET], sweepInterval: 0 });
  try {
    const first = sessions.create();
    ICounter(first).value += 1;
    await sessions.commit(first);
    let cookie = sessions.cookieValue(first);
    const clientSide = (store as { clientSide?: boolean }).clientSide === true;
    const run = async (n: number): Promise<number> => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const session = (await sessions.load(cookie))!;
        ICounter(session).value += 1;
        await sessions.commit(session);
        if (clientSide) cookie = sessions.cookieValue(session);
      }
      return Number(process.hrtime.bigint() - t0) / 1000 / n;
    };
    await run(Math.max(100, ops >> 2)); // warm-up
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) times.push(await run(ops));
    const last = (await sessions.load(cookie))!;
    const expected = 1 + Math.max(100, ops >> 2) + RUNS * ops;
    if (ICounter(last).value !== expected) throw new Error(`${name}: counter is ${ICounter(last).value}, expected ${expected}`);
    await sessions.commit(last);
    const us = median(times)!;
    return { store: name, opsPerSec: 1e6 / us, usPerOp: us, ops, target };
  } finally {
    await sessions.close();
  }
}

async function partOne(): Promise<StoreResult[]> {
  const results: StoreResult[] = [];
  results.push(await perRequest('MemoryStore', new MemoryStore(), 200_000, 3));
  console.log(results.at(-1));
  for (const [name, exclusive] of SQLITE_KINDS) {
    const dir = mkdtempSync(join(tmpdir(), 'dovetail-bench-sqlite-'));
    try {
      results.push(await perRequest(name, new SqliteStore({ path: join(dir, 'sessions.db'), exclusive }), 20_000, 20));
      console.log(results.at(-1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const redis = await startRedis([]);
  if ('unavailable' in redis) {
    results.push({ store: 'RedisStore', opsPerSec: NaN, usPerOp: NaN, ops: 0, note: `not run: ${redis.unavailable}` });
  } else {
    try {
      results.push(await perRequest('RedisStore (127.0.0.1)', new RedisStore({ url: redis.url }), 5_000));
    } finally {
      await redis.stop();
    }
  }
  console.log(results.at(-1));
  results.push(await perRequest('CookieStore', new CookieStore({ secrets: [SECRET] }), 20_000));
  console.log(results.at(-1));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Part 3: the cost of one request with many live sessions (is it flat?)

/**
 * µs per request (`load` + increment + `commit`) over `requests` requests, each on a session
 * picked at random among `cookies` — so that the store's indexes and caches are exercised at
 * their size, not one hot entry. Checks that every increment was kept.
 */
async function randomRequests(sessions: Sessions, cookies: readonly string[], requests: number): Promise<number> {
  const picks = Array.from({ length: requests }, () => Math.floor(Math.random() * cookies.length));
  const probe = picks[0]!;
  const seen = (await sessions.load(cookies[probe]!))!;
  const before = ICounter(seen).value;
  await sessions.abort(seen);
  const t0 = process.hrtime.bigint();
  for (const i of picks) {
    const session = (await sessions.load(cookies[i]!))!;
    ICounter(session).value += 1;
    await sessions.commit(session);
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / requests;
  const kept = (await sessions.load(cookies[probe]!))!;
  const expected = before + picks.filter((i) => i === probe).length;
  if (ICounter(kept).value !== expected) throw new Error(`counter is ${ICounter(kept).value}, expected ${expected}`);
  await sessions.abort(kept);
  return us;
}

/** Median µs per request over `RUNS` runs of `requests`, each on a random one of `cookies`, after a warm-up. */
function medianRequest(sessions: Sessions, cookies: readonly string[], requests: number): Promise<number> {
  return settledMedian((n) => randomRequests(sessions, cookies, n), requests, RUNS);
}

/**
 * `n` sessions with a counter each, created through the manager and loaded once more (so that
 * MemoryStore keeps them live, as it keeps a session that came back); their cookies.
 */
async function fill(sessions: Sessions, n: number, concurrency: number): Promise<string[]> {
  const cookies: string[] = new Array<string>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = sessions.create();
        ICounter(s).value += 1;
        await sessions.commit(s);
        cookies[i] = sessions.cookieValue(s);
        await sessions.commit((await sessions.load(cookies[i]))!);
      }
    }),
  );
  return cookies;
}

/** Part 3's figures for one store (or one bare row). */
export interface FlatResult {
  store: string;
  /** [live sessions, µs per request], requests spread over all of them */
  points: [number, number][];
  /** [live sessions, µs per request], requests on {@link ACTIVE} of them */
  active: [number, number][];
  /** The heap a session took at the largest N (the bare rows, which are padded to about a MemoryStore session's). */
  bytesPerSession?: number;
  note?: string;
}

/** The cost of a request on a store holding each of `sizes` sessions (a fresh store per size). */
async function flatness(store: string, sizes: readonly number[], requests: number, open: () => Promise<{ store: SessionStore; close(): Promise<void> }>): Promise<FlatResult> {
  const points: [number, number][] = [];
  const active: [number, number][] = [];
  for (const n of sizes) {
    const opened = await open();
    const sessions = new Sessions({ store: opened.store, secrets: [SECRET], sweepInterval: 0 });
    try {
      const cookies = await fill(sessions, n, store.startsWith('Redis') ? 64 : 1);
      const spread = await medianRequest(sessions, cookies, requests);
      points.push([n, spread]);
      // With no more sessions than the active ones, both measures are the same requests.
      const onActive = n <= ACTIVE ? spread : await medianRequest(sessions, sample(cookies, ACTIVE), requests);
      active.push([n, onActive]);
      console.log(store, n, spread, onActive);
    } finally {
      await sessions.close();
      await opened.close();
    }
  }
  return { store, points, active };
}

async function partThree(): Promise<FlatResult[]> {
  // The bare rows go as far as part 2 does (BENCH_SCALE=0: no million-session heap at all).
  const results = await bareFlatness([...new Set([1_000, 100_000, ...(process.env.BENCH_SCALE === '0' ? [] : [SCALE])])], ACTIVE, RUNS);
  results.push(await flatness('MemoryStore', [1_000, 100_000], 50_000, async () => ({ store: new MemoryStore(), close: async () => undefined })));
  for (const [name, exclusive] of SQLITE_KINDS) {
    results.push(
      await flatness(name, [1_000, 100_000], 10_000, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'dovetail-bench-sqlite-'));
        const store = new SqliteStore({ path: join(dir, 'sessions.db'), exclusive });
        return { store, close: async () => rmSync(dir, { recursive: true, force: true }) };
      }),
    );
  }
  const redis = await startRedis([]);
  if ('unavailable' in redis) results.push({ store: 'RedisStore', points: [], active: [], note: `not run: ${redis.unavailable}` });
  else {
    try {
      let prefix = 0;
      results.push(await flatness('RedisStore (127.0.0.1)', [1_000, 100_000], 5_000, async () => ({ store: new RedisStore({ url: redis.url, prefix: `flat${prefix++}:` }), close: async () => undefined })));
    } finally {
      await redis.stop();
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Part 2: many live sessions in MemoryStore (run in a child with a large heap)

interface ScaleResult {
  sessions: number;
  createUs: number;
  /** µs per session for its second request (load, which decodes it and makes it live, and commit) */
  returnUs: number;
  /** heap + external per session created and committed once (MemoryStore keeps its entry only) */
  bytesPerNewSession: number;
  /** heap + external per session after its second request (its live state kept too) */
  bytesPerSession: number;
  heapBytesPerSession: number;
  sweepNoneMs: number;
  sweepSomeMs: number;
  some: number;
  sweepRestMs: number;
  rest: number;
  /** µs per request on a random one of the n live sessions */
  requestUs: number;
  /** µs per request on a random one of {@link ACTIVE} of them */
  activeRequestUs: number;
}

function memory(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

async function partTwo(n: number): Promise<ScaleResult> {
  if (!gc) throw new Error('run with --expose-gc');
  // Time comes from the manager's clock (moved by `offset`), never from a patched Date.
  let offset = 0;
  const clock = (): number => Date.now() + offset;
  const timeout = 900;
  const store = new MemoryStore({ maxSessions: Infinity, clock });
  const sessions = new Sessions({ store, secrets: [SECRET], sweepInterval: 0, timeout, clock });
  const some = Math.max(1, Math.round(n / 100));
  const before = memory();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    // The first 1 % were last used 10 minutes ago: they expire first.
    offset = i < some ? -600_000 : 0;
    const s = sessions.create();
    ICounter(s).value += 1;
    await sessions.commit(s);
  }
  offset = 0;
  const createUs = Number(process.hrtime.bigint() - t0) / 1000 / n;
  const afterNew = memory();
  if (store.size !== n) throw new Error(`store holds ${store.size}, expected ${n}`);
  // Each session comes back once (MemoryStore keeps a session live from then on), at the time
  // it was last used: the first 1 % expire first still. A page of the store at a time, so that
  // no list of all the sessions is counted as theirs.
  const oldest = Date.now() + (timeout - 300) * 1000;
  const t1 = process.hrtime.bigint();
  for await (const entry of listed(store)) {
    offset = entry.expires < oldest ? -600_000 : 0;
    const s = (await sessions.load(sessions.sign(entry.id)))!;
    ICounter(s).value += 1;
    await sessions.commit(s);
  }
  offset = 0;
  const returnUs = Number(process.hrtime.bigint() - t1) / 1000 / n;
  const after = memory();
  const heapAfter = process.memoryUsage().heapUsed;

  const timed = async (): Promise<[number, number]> => {
    const t = process.hrtime.bigint();
    const ended = await sessions.sweep();
    return [Number(process.hrtime.bigint() - t) / 1e6, ended];
  };
  const [sweepNoneMs, none] = await timed();
  if (none !== 0) throw new Error(`sweep ended ${none}, expected 0`);
  offset = (timeout - 600 + 1) * 1000;
  const [sweepSomeMs, someEnded] = await timed();
  if (someEnded !== some) throw new Error(`sweep ended ${someEnded}, expected ${some}`);
  offset = 0; // the requests' commits must not push the sessions left past the last sweep
  // A request on a random one of the sessions left (listed from the store, after the memory
  // figures, so the bench's own cookie list is not counted as the sessions').
  const cookies: string[] = [];
  for await (const entry of listed(store)) cookies.push(sessions.sign(entry.id));
  const requestUs = await medianRequest(sessions, cookies, 50_000);
  const activeRequestUs = await medianRequest(sessions, sample(cookies, ACTIVE), 50_000);
  offset = (timeout + 1) * 1000;
  const [sweepRestMs, rest] = await timed();
  if (rest !== n - some) throw new Error(`sweep ended ${rest}, expected ${n - some}`);
  await sessions.close();
  return {
    sessions: n,
    createUs,
    returnUs,
    bytesPerNewSession: (afterNew - before) / n,
    bytesPerSession: (after - before) / n,
    heapBytesPerSession: (heapAfter - heapBefore) / n,
    sweepNoneMs,
    sweepSomeMs,
    some,
    sweepRestMs,
    rest,
    requestUs,
    activeRequestUs,
  };
}

/** Every entry of `store`, a page at a time. */
async function* listed(store: SessionStore): AsyncGenerator<ListedEntry> {
  for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
    const page = await store.list(cursor, 10_000);
    yield* page.entries;
    cursor = page.cursor;
  }
}

/** Part 2 in a child with a heap large enough for `n` sessions: its figures, or why there are none. */
function runScaleChild(n: number): Promise<ScaleResult | string> {
  return runJsonChild<ScaleResult>([fileURLToPath(import.meta.url), '--scale', String(n)]).catch((e: unknown) => (e as Error).message);
}

// ---------------------------------------------------------------------------------------------

/** Part 3's table for one measure; `million`: part 2's MemoryStore figure, when it ran. */
function flatTable(flat: FlatResult[], measure: (r: FlatResult) => [number, number][], million: [number, number] | undefined): string[] {
  const lines = ['| store | 1,000 | 100,000 | 1,000,000 | highest ÷ at 1,000 |', '|---|---:|---:|---:|---:|'];
  for (const r of flat) {
    if (r.note) {
      lines.push(`| ${r.store} | — | — | — | ${r.note} |`);
      continue;
    }
    const points = r.store === 'MemoryStore' && million ? [...measure(r), million] : measure(r);
    const at = (n: number): string => {
      const p = points.find(([size]) => size === n);
      return p ? `${fmt(p[1])} µs` : '—';
    };
    // Every N against the smallest: a cost that peaks in the middle is not flat either.
    const spread = points.length > 1 ? Math.max(...points.map(([, us]) => us)) / points[0]![1] : NaN;
    const verdict = Number.isNaN(spread) ? '—' : `${fmt(spread)} ${spread <= 1.2 ? '(flat)' : '(**not flat**)'}`;
    lines.push(`| ${r.store} | ${at(1_000)} | ${at(100_000)} | ${at(1_000_000)} | ${verdict} |`);
  }
  return lines;
}

/** What the bare rows are, with the heap one of their sessions took. */
function bareNote(flat: FlatResult[]): string[] {
  const bare = flat.find((r) => r.bytesPerSession !== undefined);
  if (bare === undefined) return [];
  return [
    'The bare rows are the floor (sessions-bare.ts): the same loop on a `Map` of records, each with a',
    `counter, its JSON payload, a version and an expiry, padded to ${int(bare.bytesPerSession!)} bytes of heap a session (as a`,
    'MemoryStore session holds about a kilobyte), through an async load and commit; in the second row',
    'the caller holds the record (no lookup). No signing, lock or components. What they cost more among',
    'many sessions is what V8 and the machine charge any program for a larger heap: the share of it',
    "in a row's ratio is larger the less the request itself costs.",
  ];
}

function report(results: StoreResult[], scale: ScaleResult | string | undefined, flat: FlatResult[] | undefined, http: HttpFlat | undefined): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Sessions benchmark',
    '',
    `\`npm run bench:sessions\` — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpu}.`,
    '',
    '## One request: `load(cookie)` + `ICounter(session).value += 1` + `commit(session)`',
    '',
    `Sequential, one process, one session; median of ${RUNS} runs after a warm-up. Every request`,
    'changes the session, so every commit writes (the worst case: an unchanged session is not',
    'written). Server-side stores: verify the signed id (remembered after the first time), take the',
    "session's lock in process, encode and compare, then on SQLite and Redis one store call: the",
    "write (`commit`: compare-and-set), which keeps the session's lease and entry for its next request",
    '(lock handoff); lock-and-load (`acquire`: take the lease, read the entry) comes only when a chain',
    'of handoffs ends, every 100 ms. CookieStore: open (AES-GCM) and seal a cookie.',
    '',
    '| store | requests/s | µs/request | target | requests per run |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.note) lines.push(`| ${r.store} | — | — | — | ${r.note} |`);
    else {
      const target = r.target === undefined ? '—' : `< ${r.target} µs ${r.usPerOp < r.target ? '(met)' : '(**missed**)'}`;
      lines.push(`| ${r.store} | ${int(r.opsPerSec)} | ${fmt(r.usPerOp)} | ${target} | ${int(r.ops)} |`);
    }
  }
  lines.push('', '## One request among many live sessions', '');
  if (flat === undefined) lines.push('Not run (BENCH_FLAT=0).');
  else {
    const million = scale !== undefined && typeof scale !== 'string' ? scale : undefined;
    lines.push(
      'The same request on a session picked at random among N live ones (a fresh store per N,',
      `filled through the manager); median of ${RUNS} runs, after ${fmt(WARM_UP_MS / 1000, 0)} s of the same requests (a server that has`,
      'been running: the first runs on few sessions are up to a fifth slower). Target: flat within 20 % from the smallest N.',
      million ? `The MemoryStore figures at ${int(million.sessions - million.some)} come from the live-sessions run below.` : '',
      '',
      'Requests spread over all N sessions: each touches memory no request touched lately, so from',
      "100,000 on this measures the machine's memory latency as much as the store.",
      '',
      ...flatTable(flat, (r) => r.points, million && [million.sessions, million.requestUs]),
      '',
      `Requests on ${int(ACTIVE)} active sessions picked at random among the N (the others live but`,
      'idle, as most sessions of a site are): what the number of live sessions costs a request.',
      '',
      ...flatTable(flat, (r) => r.active, million && [million.sessions, million.activeRequestUs]),
      '',
      ...bareNote(flat),
    );
  }
  lines.push('', '## Live sessions in MemoryStore', '');
  if (scale === undefined) lines.push('Not run (BENCH_SCALE=0).');
  else if (typeof scale === 'string') lines.push(`Not measured: ${scale}`);
  else {
    lines.push(
      `${int(scale.sessions)} sessions, each created, given a counter component and committed through the`,
      'manager, then loaded once more, its counter incremented and committed: a session that came back.',
      "MemoryStore keeps a session's live state from its second request on (its component, the last",
      "request's handle, the manager's live-table entry), and its store entry (the encoded payload and",
      'expiry-index slot) from the first. Memory is heap + external after two forced gcs, before and',
      'after each pass. Target: at most 1 KB of heap per live session holding one counter.',
      '',
      '| what | value |',
      '|---|---:|',
      `| sessions | ${int(scale.sessions)} |`,
      `| create + counter + commit, per session | ${fmt(scale.createUs)} µs |`,
      `| its second request (load, decode, counter, commit), per session | ${fmt(scale.returnUs)} µs |`,
      `| bytes per session seen once (heap + external) | ${int(scale.bytesPerNewSession)} |`,
      `| bytes per live session (heap + external) | ${int(scale.bytesPerSession)} |`,
      `| of which JS heap | ${int(scale.heapBytesPerSession)} ${scale.heapBytesPerSession <= 1024 ? '(≤ 1,024: met)' : '(> 1,024: **missed**)'} |`,
      `| total for all sessions | ${fmt((scale.bytesPerSession * scale.sessions) / 1024 / 1024, 0)} MiB |`,
      `| one request on a random live session | ${fmt(scale.requestUs)} µs |`,
      `| one request on a random one of ${int(ACTIVE)} active sessions | ${fmt(scale.activeRequestUs)} µs |`,
      `| \`sweep()\`, none expired | ${fmt(scale.sweepNoneMs, 3)} ms |`,
      `| \`sweep()\`, ${int(scale.some)} expired (1 %) | ${fmt(scale.sweepSomeMs)} ms (${fmt((scale.sweepSomeMs * 1000) / scale.some)} µs per ended session) |`,
      `| \`sweep()\`, the other ${int(scale.rest)} expired | ${fmt(scale.sweepRestMs)} ms (${fmt((scale.sweepRestMs * 1000) / scale.rest)} µs per ended session) |`,
      '',
      'Sweeping costs O(expired): with none expired it does not look at the live sessions. Each',
      'ended session is removed from the store and the live table, its callbacks and',
      '`[Symbol.dispose]` run and `ISessionExpired` is notified.',
    );
  }
  lines.push(...httpFlatSection(http));
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const scaleAt = process.argv.indexOf('--scale');
  if (scaleAt >= 0) {
    const result = await partTwo(Number(process.argv[scaleAt + 1]));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const results = await partOne();
  const flat = process.env.BENCH_FLAT === '0' ? undefined : await partThree();
  let scale: ScaleResult | string | undefined;
  if (process.env.BENCH_SCALE !== '0') {
    console.log(`creating ${int(SCALE)} sessions in MemoryStore…`);
    scale = await runScaleChild(SCALE);
    console.log(scale);
  }
  // Last: it pins this process to CPU 1, beside wrk.
  const http = process.env.BENCH_HTTP === '0' ? undefined : await partFour();
  const markdown = report(results, scale, flat, http);
  const out = fileURLToPath(new URL('../results/sessions.md', import.meta.url));
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  writeFileSync(out, markdown);
  console.log(markdown);
  console.log(`wrote ${out}`);
}

await main();
