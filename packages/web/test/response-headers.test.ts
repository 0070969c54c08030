/**
 * Safe defaults in responses, over real HTTP: `Cache-Control: no-store` (or `private` added to
 * the app's own) on every response that sets or clears the session cookie, in the Site and the
 * Express middleware; `X-Content-Type-Options: nosniff` on the Site's HTML, JSON and error pages;
 * options to change both.
 */
import { MemoryStore, Sessions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { InvalidOptionError } from '../src/errors.js';
import { dovetailSessions, type DovetailSessionsOptions } from '../src/express.js';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import { Jar, listen, serve } from './helpers.js';
import type { Request } from '../src/request.js';
import type { SiteOptions } from '../src/site-options.js';

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

const manager = (): Sessions => {
  const sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0 });
  managers.push(sessions);
  return sessions;
};

class Pages extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<unknown> {
    const cacheControl = request.query.get('cc');
    if (cacheControl !== null) request.setHeader('cache-control', cacheControl);
    switch (request.postpath[0]) {
      case 'count': {
        const s = await request.getSession();
        s.set('n', (s.get<number>('n') ?? 0) + 1);
        return `<p>${s.get<number>('n')}</p>`;
      }
      case 'json': return { ok: true };
      case 'expire': {
        (await request.getSession()).expire();
        return 'bye';
      }
      case 'own-nosniff': {
        request.setHeader('x-content-type-options', 'nosniff; custom');
        return 'mine';
      }
      case 'boom': throw new Error('render failed');
      default: return 'plain page, no session';
    }
  }
}

async function site(options: SiteOptions = {}): Promise<string> {
  const root = new Resource();
  root.putChild('p', new Pages());
  return (await serve(root, { sessions: manager(), ...options })).url;
}

describe('Site: Cache-Control on responses that set or clear the session cookie', () => {
  it('a new session (Set-Cookie) → Cache-Control: no-store', async () => {
    const url = await site();
    const res = await fetch(`${url}/p/count`);
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('the app set its own Cache-Control → private added, public dropped', async () => {
    const url = await site();
    const res = await fetch(`${url}/p/count?cc=${encodeURIComponent('public, max-age=60')}`);
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBe('max-age=60, private');
  });

  it('a returning visitor whose cookie stays the same → the app\'s Cache-Control untouched (none here)', async () => {
    const url = await site();
    const jar = new Jar();
    await jar.fetch(`${url}/p/count`);
    const again = await jar.fetch(`${url}/p/count?cc=max-age%3D60`);
    expect(await again.text()).toBe('<p>2</p>');
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(again.headers.get('cache-control')).toBe('max-age=60');
    expect((await jar.fetch(`${url}/p/count`)).headers.get('cache-control')).toBeNull();
  });

  it('expire() → the clearing cookie carries Cache-Control: no-store', async () => {
    const url = await site();
    const jar = new Jar();
    await jar.fetch(`${url}/p/count`);
    const res = await jar.fetch(`${url}/p/expire`);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/Max-Age=0/)]);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sessionCacheControl: another value → used; false → the header left alone', async () => {
    const other = await site({ sessionCacheControl: 'private, no-cache' });
    expect((await fetch(`${other}/p/count`)).headers.get('cache-control')).toBe('private, no-cache');
    const off = await site({ sessionCacheControl: false });
    const res = await fetch(`${off}/p/count`);
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('sessionCacheControl that is not a header value → InvalidOptionError at construction', () => {
    expect(() => new Site(new Resource(), { sessionCacheControl: 'no-store\r\nx: y' })).toThrow(InvalidOptionError);
    expect(() => new Site(new Resource(), { sessionCacheControl: '' })).toThrow(InvalidOptionError);
  });
});

describe('Site: X-Content-Type-Options', () => {
  it('HTML, JSON and error pages → nosniff', async () => {
    const url = await site();
    expect((await fetch(`${url}/p/page`)).headers.get('x-content-type-options')).toBe('nosniff');
    const json = await fetch(`${url}/p/json`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await fetch(`${url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    const failed = await fetch(`${url}/p/boom`);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a page without a session → no Cache-Control added', async () => {
    const url = await site();
    expect((await fetch(`${url}/p/page`)).headers.get('cache-control')).toBeNull();
  });

  it('the render set the header itself → its value kept', async () => {
    const url = await site();
    expect((await fetch(`${url}/p/own-nosniff`)).headers.get('x-content-type-options')).toBe('nosniff; custom');
  });

  it('noSniff: false → no header', async () => {
    const url = await site({ noSniff: false });
    expect((await fetch(`${url}/p/json`)).headers.get('x-content-type-options')).toBeNull();
    expect((await fetch(`${url}/nothing-here`)).headers.get('x-content-type-options')).toBeNull();
  });
});

async function expressApp(options: Partial<DovetailSessionsOptions> = {}): Promise<string> {
  const app = express();
  app.use(dovetailSessions({ sessions: manager(), ...options }));
  app.get('/count', (req, res) => {
    const cacheControl = req.query['cc'];
    if (typeof cacheControl === 'string') res.setHeader('cache-control', cacheControl);
    req.session.set('n', (req.session.get<number>('n') ?? 0) + 1);
    res.send(`<p>${req.session.get<number>('n')}</p>`);
  });
  app.get('/head-object', (req, res) => {
    req.session.set('seen', true);
    res.writeHead(200, { 'Cache-Control': 'public, max-age=30', 'Content-Type': 'text/plain' });
    res.end('written by writeHead');
  });
  app.get('/expire', (req, res) => {
    req.session.expire();
    res.send('bye');
  });
  return listen(app);
}

describe('Express middleware: Cache-Control on responses that set or clear the session cookie', () => {
  it('a new session → no-store; the route\'s own → private added; same cookie → untouched', async () => {
    const url = await expressApp();
    const jar = new Jar();
    const first = await jar.fetch(`${url}/count`);
    expect(first.headers.getSetCookie()).toHaveLength(1);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const own = await fetch(`${url}/count?cc=${encodeURIComponent('public, max-age=60')}`);
    expect(own.headers.get('cache-control')).toBe('max-age=60, private');
    const again = await jar.fetch(`${url}/count?cc=max-age%3D60`);
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(again.headers.get('cache-control')).toBe('max-age=60');
  });

  it('headers passed to writeHead → patched too (not undone by node\'s merge)', async () => {
    const url = await expressApp();
    const res = await fetch(`${url}/head-object`);
    expect(await res.text()).toBe('written by writeHead');
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBe('max-age=30, private');
    expect(res.headers.get('content-type')).toBe('text/plain');
  });

  it('expire() → the clearing cookie carries no-store', async () => {
    const url = await expressApp();
    const jar = new Jar();
    await jar.fetch(`${url}/count`);
    const res = await jar.fetch(`${url}/expire`);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/Max-Age=0/)]);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sessionCacheControl: false → the header left alone', async () => {
    const url = await expressApp({ sessionCacheControl: false });
    const res = await fetch(`${url}/count`);
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBeNull();
  });
});
