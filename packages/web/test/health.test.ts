/**
 * The health check over real HTTP: off unless asked (the path is then the application's); with
 * it, 200 while the session store answers, 503 with `Retry-After` while a real redis-server is
 * stopped (and no error logged per probe), 200 again once it is back; 503 while the Site closes.
 */
import { performance } from 'node:perf_hooks';
import { MemoryStore, RedisStore, Sessions } from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import { redisTestsEnabled, useRedisServer } from '../../session/test/support/redis-server.js';
import { InvalidOptionError } from '../src/errors.js';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import { serve } from './helpers.js';

const HEALTH = '/.well-known/dovetail/health';
const secrets = ['health-test-secret-0123456789abcdef'];

/** Polls `url` until it answers `status`, failing after `ms`. */
async function untilStatus(url: string, status: number, ms: number): Promise<Response> {
  const deadline = performance.now() + ms;
  for (;;) {
    const res = await fetch(url);
    if (res.status === status) return res;
    await res.text();
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${url} to answer ${status} (last: ${res.status})`);
  }
}

describe('the health check', () => {
  it('is off by default: the path is the application’s (404 here)', async () => {
    const { url } = await serve(new Resource(), { sessions: new Sessions({ store: new MemoryStore(), secrets }) });
    expect((await fetch(`${url}${HEALTH}`)).status).toBe(404);
  });

  it('answers 200 {"status":"ok"} to GET and HEAD, sets no cookie and is not cached; shadows no other path', async () => {
    const { url } = await serve(new Resource(), { health: HEALTH, sessions: new Sessions({ store: new MemoryStore(), secrets }) });
    const res = await fetch(`${url}${HEALTH}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await fetch(`${url}${HEALTH}`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${url}${HEALTH}/more`)).status).toBe(404);
  });

  it('refuses a path that does not start with /', () => {
    expect(() => new Site(new Resource(), { health: 'health' })).toThrow(InvalidOptionError);
  });
});

(redisTestsEnabled() ? describe : describe.skip)('the health check on a real redis-server', () => {
  const redis = useRedisServer();

  it('redis-server stopped → 503 with Retry-After, nothing logged per probe; back → 200', async () => {
    const sessions = new Sessions({ store: new RedisStore({ url: redis().url, prefix: 'health:' }), secrets, sweepInterval: 0 });
    const { url, errors } = await serve(new Resource(), { health: HEALTH, sessions });
    try {
      expect((await fetch(`${url}${HEALTH}`)).status).toBe(200);
      await redis().stop();
      const down = await untilStatus(`${url}${HEALTH}`, 503, 10_000);
      expect(await down.json()).toEqual({ status: 'unavailable' });
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      await redis().restart();
      const up = await untilStatus(`${url}${HEALTH}`, 200, 10_000);
      expect(await up.json()).toEqual({ status: 'ok' });
      expect(errors).toEqual([]);
    } finally {
      await sessions.close();
    }
  }, 40_000);
});
