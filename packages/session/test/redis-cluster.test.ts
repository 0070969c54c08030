/**
 * RedisStore on a real Redis Cluster: 3 masters with a replica each, on loopback ports, started
 * once for this file. The store conformance suite; the keys of a session in one slot and the
 * expiry index on every master; 4 processes × 500 concurrent increments over 20 sessions →
 * exact; and a master killed mid-load with `durability: 'replicated'` → every acknowledged
 * increment is there after its replica took over.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRedisCluster, type RedisCluster } from '../../../bench/harness/redis-cluster.js';
import { SessionNotReplicatedError, SessionStoreConfigError } from '../src/errors.js';
import { RedisStore } from '../src/redis-store.js';
import { Sessions } from '../src/sessions.js';
import { describeSessionStore } from './store-conformance.js';
import { redisTestsEnabled, startRedisServer } from './support/redis-server.js';
import { killWorkers, startWorker } from './support/worker-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const worker = join(here, 'support', 'cluster-worker.mjs');
const SECRET = 'cluster-test-secret-0123456789abcdef';
const HOUR = 3_600_000;
const PROCESSES = 4;
const INCREMENTS = 500;
const SESSIONS = 20;

interface WorkerRun {
  go(): void;
  /** Resolves with the worker's result once it exits 0. */
  readonly done: Promise<{ acked: string[]; failures: number }>;
}

/** Starts one worker; resolves once it printed "ready". `onAcked` hears each "acked <n>" line. */
async function startJob(job: Record<string, unknown>, onAcked: (n: number) => void = () => undefined): Promise<WorkerRun> {
  const run = await startWorker(worker, [JSON.stringify(job)], root, (line) => {
    const m = /^acked (\d+)$/.exec(line);
    if (m) onAcked(Number(m[1]));
  });
  const done = run.done.then((out) => {
    const result = /^result (.*)$/m.exec(out);
    if (!result) throw new Error(`worker printed no result: ${out.slice(-2000)}`);
    return JSON.parse(result[1]!) as { acked: string[]; failures: number };
  });
  done.catch(() => undefined); // awaited by the test
  return { go: run.go, done };
}

const enabled = redisTestsEnabled();
(enabled ? describe : describe.skip)('RedisStore on a Redis Cluster (3 masters, 3 replicas)', () => {
  let cluster: RedisCluster;
  let n = 0;
  beforeAll(async () => {
    // The workers run the built package, as an application would.
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/session'], { cwd: root, stdio: 'pipe' });
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  }, 120_000);
  afterAll(async () => {
    killWorkers();
    await cluster?.dispose();
  });

  const clusterStore = (prefix: string, extra: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): RedisStore =>
    new RedisStore({ cluster: { rootNodes: cluster.rootNodes }, prefix, ...extra } as ConstructorParameters<typeof RedisStore>[0]);

  describeSessionStore('RedisStore (cluster)', async () => {
    const prefix = `c${++n}:`;
    let now = Date.now();
    const clock = (): number => now;
    const store = clusterStore(prefix, { clock });
    const others: RedisStore[] = [];
    return {
      store,
      advanceClock: (ms) => void (now += ms),
      sibling: async () => {
        const other = clusterStore(prefix, { clock });
        others.push(other);
        return other;
      },
      cleanup: async () => {
        await store.close();
        for (const o of others) await o.close();
      },
    };
  });

  describe('RedisStore (cluster) key layout', () => {
    it("a session is one key, its lease in it, on the master of its slot; the expiry index's shards are spread over every master", async () => {
      const store = clusterStore('layout:');
      try {
        await store.set('someone', 'p', Date.now() + HOUR, 0);
        expect((await store.acquire('someone', 'me', 10_000, Date.now())).state).toBe('held');
        const master = await cluster.masterOf('layout:{someone}');
        expect((await cluster.cli(master, 'HGET', 'layout:{someone}', 'lease')).trim()).toBe('me');
        const owners = new Set<number>();
        for (let shard = 0; shard < 16; shard++) owners.add(await cluster.masterOf(`layout:expiry:{${shard}}`));
        expect([...owners].sort()).toEqual((await cluster.masterPorts()).sort());
      } finally {
        await store.close();
      }
    });

    it('sessions on every master, expired → one sweep claims each of them once', async () => {
      const store = clusterStore('sweepall:');
      const other = clusterStore('sweepall:');
      try {
        const T0 = Date.now();
        const ids = Array.from({ length: 60 }, (_, i) => `id${i}`);
        for (const id of ids) await store.set(id, `p-${id}`, T0 + 10, 0);
        const masters = new Set(await Promise.all(ids.map((id) => cluster.masterOf(`sweepall:{${id}}`))));
        expect(masters.size).toBe(3);
        const [a, b] = await Promise.all([store.sweep(T0 + 100, 1000), other.sweep(T0 + 100, 1000)]);
        const claimed = [...a, ...b].map((e) => e.id).sort();
        expect(claimed).toEqual([...ids].sort());
        expect(await store.count()).toBe(0);
      } finally {
        await store.close();
        await other.close();
      }
    });

    it("a session's slot moved to another master while in use (ASK, then MOVED) → the store follows it, nothing lost", async () => {
      const store = clusterStore('moving:');
      const T0 = Date.now();
      try {
        expect(await store.set('traveller', 'v1', T0 + HOUR, 0)).toBe(1);
        const key = 'moving:{traveller}';
        const slot = (await cluster.cli(cluster.nodes[0]!.port, 'CLUSTER', 'KEYSLOT', key)).trim();
        const from = await cluster.masterOf(key);
        const to = (await cluster.masterPorts()).find((p) => p !== from)!;
        const id = async (port: number): Promise<string> => (await cluster.cli(port, 'CLUSTER', 'MYID')).trim();
        const [fromId, toId] = [await id(from), await id(to)];
        await cluster.cli(to, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
        await cluster.cli(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
        await cluster.cli(from, 'MIGRATE', '127.0.0.1', String(to), '', '0', '5000', 'KEYS', key);
        // Mid-migration: the old master answers ASK for the moved entry, and the store follows it.
        expect(await store.get('traveller', T0)).toEqual({ payload: 'v1', version: 1, expires: T0 + HOUR });
        // A script on the entry and its lease (not on the new master yet) is answered TRYAGAIN
        // until the slot is handed over: the store tries again meanwhile, within its timeout.
        const acquiring = store.acquire('traveller', 'me', 10_000, T0);
        for (const port of await cluster.masterPorts()) await cluster.cli(port, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
        expect(await acquiring).toEqual({ state: 'held', entry: { payload: 'v1', version: 1, expires: T0 + HOUR } });
        expect(await store.commit('traveller', 'me', 'v2', T0 + HOUR, 1)).toBe(2);
        // Migrated: the old master answers MOVED, and the store's client follows for good.
        expect(await store.get('traveller', T0)).toEqual({ payload: 'v2', version: 2, expires: T0 + HOUR });
        expect(await store.set('traveller', 'v3', T0 + HOUR, 2)).toBe(3);
        expect(await cluster.masterOf(key)).toBe(to);
        expect((await cluster.cli(to, 'HGET', key, 'payload')).trim()).toBe('v3');
      } finally {
        await store.close();
      }
    });

    it('rootNodes missing or not redis:// urls → SessionStoreConfigError', () => {
      expect(() => new RedisStore({ cluster: { rootNodes: [] } })).toThrow(SessionStoreConfigError);
      expect(() => new RedisStore({ cluster: { rootNodes: [{ url: '127.0.0.1:7000' }] } })).toThrow(SessionStoreConfigError);
      expect(() => new RedisStore({ cluster: { rootNodes: cluster.rootNodes }, url: 'redis://x' } as never)).toThrow(SessionStoreConfigError);
      expect(new RedisStore({ cluster: { rootNodes: [{ url: 'redis://:pw@10.0.0.1:7000' }] } }).name).toBe('redis+cluster://10.0.0.1:7000');
    });
  });

  /** Makes `SESSIONS` sessions with an empty token list; returns their cookies. */
  async function seed(prefix: string): Promise<string[]> {
    const sessions = new Sessions({ store: clusterStore(prefix), secrets: [SECRET], sweepInterval: 0 });
    try {
      const cookies: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const s = sessions.create();
        s.set('tokens', []);
        await sessions.commit(s);
        cookies.push(sessions.cookieValue(s));
      }
      return cookies;
    } finally {
      await sessions.close();
    }
  }

  /** The token lists of the sessions, read through a fresh store. */
  async function tokensOf(prefix: string, cookies: readonly string[]): Promise<string[][]> {
    const sessions = new Sessions({ store: clusterStore(prefix), secrets: [SECRET], sweepInterval: 0 });
    try {
      const out: string[][] = [];
      for (const cookie of cookies) {
        const s = await sessions.load(cookie);
        out.push(s!.get<string[]>('tokens')!);
        await sessions.abort(s!);
      }
      return out;
    } finally {
      await sessions.close();
    }
  }

  it(`${PROCESSES} processes × ${INCREMENTS} concurrent increments over ${SESSIONS} sessions → exact`, async () => {
    const prefix = 'mp:';
    const cookies = await seed(prefix);
    // A generous command timeout: on a busy machine a timed-out commit may have written, which would blur the count.
    const job = { rootNodes: cluster.rootNodes, prefix, secret: SECRET, cookies, increments: INCREMENTS, durability: 'primary', commandTimeoutMs: 10_000 };
    const workers = await Promise.all(Array.from({ length: PROCESSES }, (_, w) => startJob({ ...job, name: `w${w}` })));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));
    const acked = results.flatMap((r) => r.acked);
    expect(acked).toHaveLength(PROCESSES * INCREMENTS);
    // Retried attempts (a lease lost to a stalled event loop is a refused commit) wrote nothing:
    // the sessions hold exactly the acknowledged increments.
    const lists = await tokensOf(prefix, cookies);
    for (const list of lists) expect(list).toHaveLength((PROCESSES * INCREMENTS) / SESSIONS);
    expect(lists.flat().sort()).toEqual([...acked].sort());
  }, 120_000);

  it("a master killed mid-load, durability: 'replicated' → 503s meanwhile, every acknowledged increment there after the failover", async () => {
    const prefix = 'failover:';
    const cookies = await seed(prefix);
    // The master that holds the first session's keys dies once the workers are well under way.
    const seedStore = clusterStore(prefix);
    const sessionsView = new Sessions({ store: seedStore, secrets: [SECRET], sweepInterval: 0 });
    const first = await sessionsView.load(cookies[0]!);
    const victim = await cluster.masterOf(`${prefix}{${first!.uid}}`);
    await sessionsView.abort(first!);
    await sessionsView.close();

    let total = 0;
    let killed: Promise<void> | undefined;
    const onAcked = (): void => {
      total += 100;
      if (total >= 400 && killed === undefined) killed = cluster.kill(victim);
    };
    const job = { rootNodes: cluster.rootNodes, prefix, secret: SECRET, cookies, increments: INCREMENTS, durability: 'replicated', commandTimeoutMs: 1000 };
    const workers = await Promise.all(Array.from({ length: PROCESSES }, (_, w) => startJob({ ...job, name: `w${w}` }, onAcked)));
    for (const w of workers) w.go();
    // Once the replica took over (the workers get 503s meanwhile), the dead node comes back as
    // its replica, so that 'replicated' writes on that shard are acknowledged again.
    const recovery = (async () => {
      while (killed === undefined) await new Promise((r) => setTimeout(r, 50));
      await killed;
      await cluster.waitHealthy(30_000);
      await cluster.restart(victim);
    })();
    recovery.catch(() => undefined); // awaited below; the workers' failure, if any, is the one to report
    const results = await Promise.all(workers.map((w) => w.done));
    await recovery;
    expect(killed).toBeDefined();
    expect(results.reduce((sum, r) => sum + r.failures, 0)).toBeGreaterThan(0);
    const acked = results.flatMap((r) => r.acked);
    expect(acked).toHaveLength(PROCESSES * INCREMENTS);
    const lists = await tokensOf(prefix, cookies);
    const kept = new Set(lists.flat());
    expect(acked.filter((t) => !kept.has(t))).toEqual([]); // nothing acknowledged was lost
    for (const list of lists) expect(new Set(list).size).toBe(list.length); // and no write was applied twice
  }, 120_000);
});

(enabled ? describe : describe.skip)("RedisStore durability: 'replicated' on a server without replicas", () => {
  it('a commit no replica acknowledges → SessionNotReplicatedError, answered 503', async () => {
    const server = await startRedisServer();
    const store = new RedisStore({ url: server.url, prefix: 'lonely:', durability: 'replicated', replicationTimeoutMs: 50 });
    try {
      const err = await Promise.resolve(store.set('a', 'p', Date.now() + HOUR, 0)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionNotReplicatedError);
      expect((err as SessionNotReplicatedError).code).toBe('DT_SESSION_NOT_REPLICATED');
      expect((err as Error).message).toMatch(/no replica acknowledged it within 50 ms/);
      // Without the option the same server acknowledges at once.
      const plain = new RedisStore({ url: server.url, prefix: 'lonely:' });
      expect(await plain.set('b', 'p', Date.now() + HOUR, 0)).toBe(1);
      await plain.close();
    } finally {
      await store.close();
      await server.dispose();
    }
  });
});
