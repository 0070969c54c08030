/**
 * The session cookie's lifetime over real HTTP, through `Site` and through Express (the options
 * live in `Sessions({ cookie })`, so both read the same): `maxAge` in seconds, `rolling` sending
 * the cookie again with every response of a request that used a stored session, and one
 * session's own lifetime (`session.cookieMaxAge`).
 */
import { MemoryStore, Sessions, type CookieSettings, type Session } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { dovetailSessions } from '../src/express.js';
import { Resource } from '../src/resource.js';
import { Jar, listen, serve } from './helpers.js';
import type { Request } from '../src/request.js';

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function manager(cookie: Partial<CookieSettings>): Sessions {
  const sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0, cookie });
  managers.push(sessions);
  return sessions;
}

/** What each route does with the request's session. */
const routes: Record<string, (session: Session, arg: string | null) => string> = {
  visit: (s) => String(s.set('n', (s.get<number>('n') ?? 0) + 1).get('n')),
  read: (s) => String(s.get('n') ?? 'none'),
  remember: (s, arg) => {
    s.cookieMaxAge = arg === 'null' ? null : arg === 'default' ? undefined : Number(arg);
    return 'ok';
  },
};

/** The same routes served by a Site and by an Express app over one manager. */
async function servers(sessions: Sessions): Promise<[string, string]> {
  const root = new Resource();
  for (const [name, route] of Object.entries(routes)) {
    const page = new (class extends Resource {
      override isLeaf = true;
      async renderGET(request: Request) {
        return route(await request.getSession(), request.query.get('to') ?? null);
      }
    })();
    root.putChild(name, page);
  }
  root.putChild(
    'static',
    new (class extends Resource {
      renderGET() {
        return 'no session';
      }
    })(),
  );
  const site = await serve(root, { sessions });

  const app = express();
  app.use(dovetailSessions({ sessions }));
  for (const [name, route] of Object.entries(routes)) {
    app.get(`/${name}`, (req, res) => {
      res.send(route(req.session, typeof req.query['to'] === 'string' ? req.query['to'] : null));
    });
  }
  app.get('/static', (_req, res) => {
    res.send('no session');
  });
  return [site.url, await listen(app)];
}

const cookieOf = (res: Response): string | undefined => res.headers.getSetCookie()[0];

describe.each(['Site', 'Express'] as const)('the session cookie lifetime through %s', (kind) => {
  const url = async (cookie: Partial<CookieSettings>): Promise<string> => (await servers(manager(cookie)))[kind === 'Site' ? 0 : 1];

  it('cookie.maxAge in seconds → Max-Age on the first cookie; without rolling, none again for a returning visitor', async () => {
    const base = await url({ maxAge: 3600 });
    const jar = new Jar();
    expect(cookieOf(await jar.fetch(`${base}/visit`))).toMatch(/^DOVETAIL_SESSION=[^;]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    const second = await jar.fetch(`${base}/visit`);
    expect(await second.text()).toBe('2');
    expect(second.headers.getSetCookie()).toEqual([]);
  });

  it('rolling → every response of a request that used the stored session sends the same cookie again, Max-Age from now', async () => {
    const base = await url({ maxAge: 3600, rolling: true });
    const jar = new Jar();
    const first = cookieOf(await jar.fetch(`${base}/visit`));
    const changed = cookieOf(await jar.fetch(`${base}/visit`));
    const read = cookieOf(await jar.fetch(`${base}/read`));
    expect(first).toMatch(/Max-Age=3600/);
    expect([changed, read]).toEqual([first, first]);
  });

  it('rolling, a route that never opens the session → a cookie again only where the session was loaded (Express loads it for every request with a cookie)', async () => {
    const base = await url({ maxAge: 3600, rolling: true });
    const jar = new Jar();
    await jar.fetch(`${base}/visit`);
    const res = await jar.fetch(`${base}/static`);
    expect(await res.text()).toBe('no session');
    expect(res.headers.getSetCookie().length).toBe(kind === 'Express' ? 1 : 0);
  });

  it('rolling, a new visitor who only reads → no cookie, nothing stored (saveUninitialized: false)', async () => {
    const sessions = manager({ maxAge: 3600, rolling: true });
    const [site, app] = await servers(sessions);
    const res = await fetch(`${kind === 'Site' ? site : app}/read`);
    expect(await res.text()).toBe('none');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessions.store.count()).toBe(0);
  });

  it('session.cookieMaxAge → that response sends the cookie with its Max-Age; later responses keep it (rolling) or send none', async () => {
    const jar = new Jar();
    const base = await url({ maxAge: 3600 });
    await jar.fetch(`${base}/visit`);
    expect(cookieOf(await jar.fetch(`${base}/remember?to=2592000`))).toMatch(/; Max-Age=2592000; Path=\//);
    expect((await jar.fetch(`${base}/visit`)).headers.getSetCookie()).toEqual([]);

    const rollingJar = new Jar();
    const rolling = await url({ maxAge: 3600, rolling: true });
    await rollingJar.fetch(`${rolling}/remember?to=2592000`);
    expect(cookieOf(await rollingJar.fetch(`${rolling}/visit`))).toMatch(/; Max-Age=2592000; Path=\//);
  });

  it('session.cookieMaxAge = null → a browser-session cookie (no Max-Age) though the manager sets one; undefined → the manager\'s again', async () => {
    const base = await url({ maxAge: 3600 });
    const jar = new Jar();
    expect(cookieOf(await jar.fetch(`${base}/remember?to=null`))).toMatch(/^DOVETAIL_SESSION=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookieOf(await jar.fetch(`${base}/remember?to=default`))).toMatch(/; Max-Age=3600; Path=\//);
  });

  it('session.cookieMaxAge in milliseconds → a 500 (CookieMaxAgeError), the session unchanged', async () => {
    const base = await url({});
    const jar = new Jar();
    await jar.fetch(`${base}/visit`);
    const res = await jar.fetch(`${base}/remember?to=${7 * 86400 * 1000}`);
    expect(res.status).toBe(500);
    expect(await (await jar.fetch(`${base}/visit`)).text()).toBe('2');
  });
});
