/**
 * A Redis outage under load, with a real redis-server (append-only file, `appendfsync always`,
 * as docs/guide/sessions.md recommends for sessions that must survive a Redis restart): the
 * server is killed while clients count, then started again on the same files. Meanwhile every
 * answer is 503 with `Retry-After`; the log gets one line when the store goes and one when it is
 * back (with the count of failed requests), no error per request; within 1 s of the server
 * answering PING again every client gets 200; and no acknowledged increment is lost.
 */
import { performance } from 'node:perf_hooks';
import { RedisStore, Sessions } from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import { redisTestsEnabled, useRedisServer } from '../../session/test/support/redis-server.js';
import { until } from '../../session/test/support/until.js';
import { Resource } from '../src/resource.js';
import { Jar, serve } from './helpers.js';
import type { Request } from '../src/request.js';

class Count extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    if (request.postpath[0] === 'peek') return String(session.get<number>('n') ?? 0);
    const n = (session.get<number>('n') ?? 0) + 1;
    session.set('n', n);
    return String(n);
  }
}

/** One client counting on its own session, one request at a time. */
interface Client {
  jar: Jar;
  /** The last value answered 200 (acknowledged). */
  acked: number;
  oks: number;
  unavailable: number;
  /** 503s without a Retry-After header, or any other status: must stay empty. */
  wrong: string[];
  /** performance.now() of the last 200. */
  lastOk: number;
}

const describeRedis = redisTestsEnabled() ? describe : describe.skip;

describeRedis('a Redis outage under load (real redis-server, appendfsync always)', () => {
  const redis = useRedisServer({ appendOnly: true });

  it('killed and restarted → 503 + Retry-After meanwhile, two log lines, 200 within 1 s of its return, nothing acknowledged lost', async () => {
    const lines: string[] = [];
    const reported: unknown[] = [];
    const sessions = new Sessions({
      store: new RedisStore({ url: redis().url, prefix: 'outage:' }),
      secrets: ['outage-test-secret-0123456789abcdef'],
      // Leases held by requests in flight at the kill outlive the server in its append-only file;
      // they end by themselves (lockLease, 1 s by default) and the outage lasts longer.
      sweepInterval: 0,
    });
    const root = new Resource();
    root.putChild('count', new Count());
    const { url } = await serve(root, { sessions, logger: { error: (_line, e) => void reported.push(e), warn: (line) => void lines.push(line), info: () => undefined } });

    const clients: Client[] = Array.from({ length: 4 }, () => ({ jar: new Jar(), acked: 0, oks: 0, unavailable: 0, wrong: [], lastOk: 0 }));
    let running = true;
    const loop = async (c: Client): Promise<void> => {
      while (running) {
        const res = await c.jar.fetch(`${url}/count`);
        const body = await res.text();
        if (res.status === 200) {
          const n = Number(body);
          if (n !== c.acked + 1 && n <= c.acked) c.wrong.push(`200 with ${n} after ${c.acked} was acknowledged`);
          c.acked = n;
          c.oks++;
          c.lastOk = performance.now();
        } else if (res.status === 503 && /^\d+$/.test(res.headers.get('retry-after') ?? '')) {
          c.unavailable++;
        } else {
          c.wrong.push(`${res.status} retry-after=${res.headers.get('retry-after')}: ${body.slice(0, 200)}`);
        }
      }
    };

    try {
      // Each client gets its session and counts a little before the outage.
      for (const c of clients) expect((await c.jar.fetch(`${url}/count`)).status).toBe(200);
      for (const c of clients) c.acked = 1;
      const loops = clients.map(loop);
      await until(() => clients.every((c) => c.acked >= 5), 10_000, 'every client to count to 5');

      await redis().stop();
      // The outage lasts 3 s under load: long enough for the client's reconnect back-off to grow
      // (the scenario's length, not a wait for something to happen).
      const downAt = performance.now();
      await until(() => performance.now() - downAt >= 3000 && clients.every((c) => c.unavailable >= 3), 15_000, 'a 3 s outage with 503s for every client');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/DT_SESSION_STORE_UNAVAILABLE: session store 'redis:.*' is unavailable/);

      const before = clients.map((c) => c.acked);
      await redis().restart(); // resolves once the server answers PING
      const back = performance.now();
      await until(() => clients.every((c) => c.lastOk > back), 5_000, 'every client to get a 200 after the restart');
      const slowest = Math.max(...clients.map((c) => c.lastOk - back));
      expect(slowest).toBeLessThan(1000);

      // More counting after the return, until the log says the store is back (at the first
      // success a second after the last failure), then stop.
      const after = clients.map((c) => c.acked);
      await until(() => lines.length >= 2 && clients.every((c, i) => c.acked >= after[i]! + 3), 10_000, 'the line saying the store is back');
      running = false;
      await Promise.all(loops);

      for (const [i, c] of clients.entries()) {
        expect(c.wrong).toEqual([]);
        expect(c.acked).toBeGreaterThan(before[i]!);
        // Nothing acknowledged was lost: the stored count is at least what was acknowledged…
        const stored = Number(await (await c.jar.fetch(`${url}/count/peek`)).text());
        expect(stored).toBeGreaterThanOrEqual(c.acked);
        // …and only a request that failed may have counted without an acknowledgement.
        expect(stored).toBeLessThanOrEqual(c.acked + c.unavailable);
      }
      const failed = clients.reduce((sum, c) => sum + c.unavailable, 0);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(new RegExp(`answers again after \\d+\\.\\d s of failures; ${failed} requests were answered 503 meanwhile\\.$`));
      expect(reported).toEqual([]);
    } finally {
      running = false;
      await sessions.close();
    }
  }, 60_000);
});
