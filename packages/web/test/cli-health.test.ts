/**
 * `dovetail serve`'s health check, as a load balancer sees it: a child process on a real
 * redis-server over real HTTP. `/.well-known/dovetail/health` answers 200 while the store
 * answers, 503 with `Retry-After` while redis-server is down, and 200 again once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../../session/test/support/redis-server.js';
import { buildIfMissing, CLI, DEMO, ROOT } from './support/cli.js';
import { spawnServer, type SpawnedServer } from './support/process.js';

const HEALTH = '/.well-known/dovetail/health';

/** Polls the health check until it answers `status`, failing after 10 s. */
async function healthBecomes(url: string, status: number): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(url + HEALTH);
    await res.text();
    if (res.status === status) return res;
    if (Date.now() > deadline) throw new Error(`the health check still answered ${res.status} after 10 s; expected ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const describeRedis = redisTestsEnabled() ? describe : describe.skip;

describeRedis('dovetail serve --store redis://: the health check follows the store', () => {
  let redis: RedisServer;
  let server: SpawnedServer;

  beforeAll(async () => {
    buildIfMissing();
    redis = await startRedisServer();
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--store', redis.url], cwd: ROOT });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await redis?.dispose();
  });

  it('answers 200 while redis-server answers, 503 with Retry-After while it is down, 200 once it is back', async () => {
    const up = await fetch(server.url + HEALTH);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ok' });

    await redis.stop();
    const down = await healthBecomes(server.url, 503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);

    await redis.restart();
    await healthBecomes(server.url, 200);
    const counter = await fetch(server.url + '/counter');
    expect(counter.status).toBe(200);
    expect(await counter.text()).toContain('Visit #1 for you!');
  }, 60_000);
});
