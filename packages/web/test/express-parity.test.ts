/**
 * express-session's habits under `dovetailSessions`, in a real Express 5 app over HTTP on
 * 127.0.0.1: `req.sessionID`; properties as dictionary keys (and the assignments that would
 * be lost, refused with `SessionPropertyError`); `save`, `reload`, `regenerate`, `destroy` in
 * callback and promise forms; reading a value stores nothing; errors reach the app's error
 * handler with `status`, `statusCode` and `headers` — and what Express's default handler makes
 * of them.
 */
import { MemoryStore, SessionStoreError, Sessions, type SessionStore } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { dovetailSessions } from '../src/express.js';
import { Jar, listen, recordingLogger } from './helpers.js';

declare module '../src/express-session.js' {
  interface ExpressSessionData {
    n: number;
    cart: string[];
  }
}

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** A MemoryStore that can be made to fail (as a store that is down) or to lose every compare-and-set, and acts shared (leases), like SQLite or Redis. */
function flakyStore(): { store: SessionStore; state: { down: boolean; conflict: boolean } } {
  const state = { down: false, conflict: false };
  const inner = new MemoryStore();
  const store = new Proxy(inner, {
    get(target, key) {
      if (key === 'inProcess') return false;
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (state.down) throw new SessionStoreError('flaky', String(key), 'connection refused');
        if (state.conflict && (key === 'set' || key === 'commit')) return undefined;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, state };
}

interface Setup {
  url: string;
  sessions: Sessions;
  /** What the app's error handler was given. */
  handled: { code?: string; status?: number; statusCode?: number; headers?: Record<string, string> }[];
}

async function app(routes: (a: express.Express, sessions: Sessions) => void, options: { store?: SessionStore; errorHandler?: boolean; env?: string } = {}): Promise<Setup> {
  const sessions = new Sessions({ store: options.store ?? new MemoryStore(), secrets: ['express-parity-secret-0123456789'], sweepInterval: 0, lockWait: 50 });
  managers.push(sessions);
  const handled: Setup['handled'] = [];
  const a = express();
  a.set('env', options.env ?? 'test');
  a.use(dovetailSessions({ sessions, logger: recordingLogger() }));
  routes(a, sessions);
  if (options.errorHandler ?? true) {
    a.use((err: Setup['handled'][number], _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      handled.push(err);
      res.status(err.status ?? 500).set(err.headers ?? {}).send(`app error handler: ${err.code ?? '?'}`);
    });
  }
  return { url: await listen(a), sessions, handled };
}

describe('req.sessionID', () => {
  it('→ the session id (req.session.uid, req.session.id); reading it stores the new session; "" after the response when there was none', async () => {
    const seen: string[] = [];
    const { url } = await app((a) => {
      a.get('/id', (req, res) => {
        res.json({ sessionID: req.sessionID, uid: req.session.uid, id: req.session.id });
      });
      a.get('/none', (req, res) => {
        res.on('finish', () => seen.push(req.sessionID));
        res.send('none');
      });
    });
    const jar = new Jar();
    const first = await jar.fetch(`${url}/id`);
    const ids = (await first.json()) as { sessionID: string; uid: string; id: string };
    expect(ids.sessionID).toMatch(/^[\w-]{43}$/);
    expect([ids.uid, ids.id]).toEqual([ids.sessionID, ids.sessionID]);
    expect(first.headers.getSetCookie()).toHaveLength(1);
    expect(((await (await jar.fetch(`${url}/id`)).json()) as { sessionID: string }).sessionID).toBe(ids.sessionID);
    await (await fetch(`${url}/none`)).text();
    expect(seen).toEqual(['']);
  });
});

describe('req.session properties', () => {
  it('req.session.n = …, ++, delete, in, Object.keys, JSON.stringify → the dictionary, stored', async () => {
    const { url } = await app((a) => {
      a.get('/count', (req, res) => {
        req.session.n = (req.session.n ?? 0) + 1;
        req.session.cart ??= [];
        req.session.cart.push(`item${req.session.n}`);
        res.json({ n: req.session.n, get: req.session.get('n'), has: 'n' in req.session, keys: Object.keys(req.session), json: JSON.parse(JSON.stringify(req.session)) as unknown });
      });
      a.get('/forget', (req, res) => {
        delete req.session.n;
        res.json({ has: 'n' in req.session, cart: req.session.cart });
      });
    });
    const jar = new Jar();
    await jar.fetch(`${url}/count`);
    expect(await (await jar.fetch(`${url}/count`)).json()).toEqual({ n: 2, get: 2, has: true, keys: ['n', 'cart'], json: { n: 2, cart: ['item1', 'item2'] } });
    expect(await (await jar.fetch(`${url}/forget`)).json()).toEqual({ has: false, cart: ['item1', 'item2'] });
    expect(((await (await jar.fetch(`${url}/count`)).json()) as { n: number }).n).toBe(1);
  });

  it('reading a property (or get()) of a new visitor → no cookie, nothing stored (saveUninitialized: false)', async () => {
    const { url, sessions } = await app((a) => {
      a.get('/peek', (req, res) => {
        res.send(`${String(req.session.n)} ${String(req.session.get('cart'))} ${req.session.size}`);
      });
    });
    const res = await fetch(`${url}/peek`);
    expect(await res.text()).toBe('undefined undefined 0');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessions.store.count()).toBe(0);
  });

  it('assigning a Session member with a setter → that member (cookieMaxAge, timeout)', async () => {
    const { url } = await app((a) => {
      a.get('/remember', (req, res) => {
        req.session.cookieMaxAge = 3600;
        req.session.timeout = 3600;
        res.send(`${req.session.cookieMaxAge} ${req.session.timeout}`);
      });
    });
    const res = await fetch(`${url}/remember`);
    expect(await res.text()).toBe('3600 3600');
    expect(res.headers.getSetCookie()[0]).toMatch(/; Max-Age=3600; /);
  });

  it.each([
    ['req.session.size = 3', (s: Record<string, unknown>) => void (s['size'] = 3), /Cannot assign req\.session\.size: it is a read-only property of Session.*req\.session\.set\('size', value\)/],
    ['req.session.get = 1', (s: Record<string, unknown>) => void (s['get'] = 1), /Cannot assign req\.session\.get: it is a method of Session/],
    ['req.session.id = "x"', (s: Record<string, unknown>) => void (s['id'] = 'x'), /Cannot assign req\.session\.id: it is a read-only member/],
    ['req.session.cookie.maxAge = 60000', (s: Record<string, unknown>) => void ((s['cookie'] as { maxAge: number }).maxAge = 60000), /Cannot read req\.session\.cookie.*req\.session\.cookieMaxAge = seconds/],
  ])('%s → SessionPropertyError (500) to the error handler, nothing stored', async (_what, assign, message) => {
    const messages: string[] = [];
    const { url, sessions, handled } = await app((a) => {
      a.get('/assign', (req, res) => {
        req.session.n = 1;
        try {
          assign(req.session as unknown as Record<string, unknown>);
        } catch (e) {
          messages.push((e as Error).message);
          throw e;
        }
        res.send('unreachable');
      });
    });
    const res = await fetch(`${url}/assign`);
    expect([res.status, await res.text()]).toEqual([500, 'app error handler: DT_WEB_SESSION_PROPERTY']);
    expect(messages[0]).toMatch(message);
    expect(handled[0]?.status).toBe(500);
    expect(await sessions.store.count()).toBe(0);
  });
});

describe('req.session methods', () => {
  it('save(cb) → in the store before the response, the session still held (another request waits); later changes committed', async () => {
    let storedDuring: unknown;
    let otherRequest: number | undefined;
    const { url, sessions } = await app((a) => {
      a.get('/save', (req, res, next) => {
        req.session.n = 1;
        req.session.save((err) => {
          if (err) return next(err);
          void (async () => {
            storedDuring = (await sessions.store.get(req.sessionID, Date.now())) !== undefined;
            otherRequest = (await fetch(`${url}/read`, { headers: { cookie: `DOVETAIL_SESSION=${sessions.sign(req.sessionID)}` } })).status;
            req.session.n = 2;
            res.send('saved');
          })().catch(next);
        });
      });
      a.get('/read', (req, res) => {
        res.send(String(req.session.n));
      });
    });
    const jar = new Jar();
    expect(await (await jar.fetch(`${url}/save`)).text()).toBe('saved');
    expect([storedDuring, otherRequest]).toEqual([true, 503]);
    expect(await (await jar.fetch(`${url}/read`)).text()).toBe('2');
  });

  it('await save(); a failing route after it → what was saved stays, the rest is dropped', async () => {
    const { url } = await app((a) => {
      a.get('/set', (req, res) => {
        req.session.n = 1;
        res.send('ok');
      });
      a.get('/save-then-fail', async (req) => {
        req.session.n = 2;
        await req.session.save();
        req.session.n = 3;
        throw new Error('later failure');
      });
      a.get('/read', (req, res) => {
        res.send(String(req.session.n));
      });
    });
    const jar = new Jar();
    await jar.fetch(`${url}/set`);
    expect((await jar.fetch(`${url}/save-then-fail`)).status).toBe(500);
    expect(await (await jar.fetch(`${url}/read`)).text()).toBe('2');
  });

  it('reload(cb) and await reload() → the changes of the request dropped', async () => {
    const { url } = await app((a) => {
      a.get('/set', (req, res) => {
        req.session.n = 1;
        res.send('ok');
      });
      a.get('/reload', (req, res, next) => {
        req.session.n = 5;
        req.session.reload((err) => {
          if (err) return next(err);
          const afterCallback = req.session.n;
          req.session.n = 7;
          req.session.reload().then(() => res.send(`${afterCallback} ${req.session.n}`), next);
        });
      });
    });
    const jar = new Jar();
    await jar.fetch(`${url}/set`);
    expect(await (await jar.fetch(`${url}/reload`)).text()).toBe('1 1');
  });

  it('regenerate(cb) → a new id, the same data; regenerate({ keep: false }) → a new, empty session; the old ids dead', async () => {
    const { url } = await app((a) => {
      a.get('/set', (req, res) => {
        req.session.n = 1;
        res.send(req.sessionID);
      });
      a.get('/keep', (req, res, next) => {
        const before = req.sessionID;
        req.session.regenerate((err) => {
          if (err) return next(err);
          res.json({ changed: req.sessionID !== before, n: req.session.n ?? null });
        });
      });
      a.get('/empty', async (req, res) => {
        const before = req.sessionID;
        await req.session.regenerate({ keep: false });
        req.session.cart = ['fresh'];
        res.json({ changed: req.sessionID !== before, n: req.session.n ?? null, cart: req.session.cart });
      });
      a.get('/read', (req, res) => {
        res.json({ n: req.session.n ?? null, cart: req.session.cart ?? null });
      });
    });
    const jar = new Jar();
    await jar.fetch(`${url}/set`);
    const first = jar.cookies.get('DOVETAIL_SESSION')!;
    expect(await (await jar.fetch(`${url}/keep`)).json()).toEqual({ changed: true, n: 1 });
    const second = jar.cookies.get('DOVETAIL_SESSION')!;
    expect(second).not.toBe(first);
    expect(await (await jar.fetch(`${url}/empty`)).json()).toEqual({ changed: true, n: null, cart: ['fresh'] });
    expect(await (await jar.fetch(`${url}/read`)).json()).toEqual({ n: null, cart: ['fresh'] });
    for (const old of [first, second]) {
      expect(await (await fetch(`${url}/read`, { headers: { cookie: `DOVETAIL_SESSION=${old}` } })).json()).toEqual({ n: null, cart: null });
    }
  });

  it('destroy(cb) → the session ends (clearing cookie); req.session is a new one, stored only if changed', async () => {
    const { url } = await app((a) => {
      a.get('/set', (req, res) => {
        req.session.n = 1;
        res.send('ok');
      });
      a.get('/destroy', (req, res, next) => {
        req.session.destroy((err) => {
          if (err) return next(err);
          res.send(String(req.session.n));
        });
      });
    });
    const jar = new Jar();
    await jar.fetch(`${url}/set`);
    const res = await jar.fetch(`${url}/destroy`);
    expect(await res.text()).toBe('undefined');
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=; Max-Age=0;/)]);
    expect(jar.cookies.size).toBe(0);
  });
});

describe('errors reach the app', () => {
  it('a commit the store refuses (conflict) → the app error handler answers 409 (err.status, err.statusCode)', async () => {
    const { store, state } = flakyStore();
    const { url, handled } = await app(
      (a) => {
        a.get('/count', (req, res) => {
          req.session.n = (req.session.n ?? 0) + 1;
          res.redirect('/elsewhere');
        });
      },
      { store },
    );
    const jar = new Jar();
    expect((await jar.fetch(`${url}/count`)).status).toBe(302);
    state.conflict = true;
    const res = await jar.fetch(`${url}/count`);
    expect([res.status, await res.text(), res.headers.get('location')]).toEqual([409, 'app error handler: DT_SESSION_CONFLICT', null]);
    expect(handled.map((e) => [e.status, e.statusCode])).toEqual([[409, 409]]);
  });

  it('the store down at commit → 503 from the app error handler, Retry-After from err.headers', async () => {
    const { store, state } = flakyStore();
    const { url, handled } = await app(
      (a) => {
        a.get('/count', (req, res) => {
          req.session.n = 1;
          state.down = true;
          res.send('unreachable');
        });
      },
      { store },
    );
    const res = await fetch(`${url}/count`);
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([503, '5', 'app error handler: DT_SESSION_STORE_UNAVAILABLE']);
    expect(handled[0]).toMatchObject({ status: 503, statusCode: 503, headers: { 'Retry-After': '5' } });
    state.down = false;
  });

  // Outside env 'test', Express's final handler also writes each error with console.error.
  it.each([
    ['test', /<pre>SessionStoreError: Session store &#39;flaky&#39; could not acquire/, 'its stack'],
    ['production', /<pre>Service Unavailable<\/pre>/, 'the status text only'],
  ])("the store down at load, no error handler of the app's, env %s → Express's final handler: 503, Retry-After, in the page %p (%s)", async (env, page) => {
    const { store, state } = flakyStore();
    const { url } = await app(
      (a) => {
        a.get('/count', (req, res) => {
          req.session.n = (req.session.n ?? 0) + 1;
          res.send(String(req.session.n));
        });
      },
      { store, errorHandler: false, env },
    );
    const jar = new Jar();
    await jar.fetch(`${url}/count`);
    state.down = true;
    const res = await jar.fetch(`${url}/count`);
    const body = await res.text();
    state.down = false;
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
    expect(body).toMatch(page);
    if (env === 'production') expect(body).not.toContain('SessionStoreError');
    expect(await (await jar.fetch(`${url}/count`)).text()).toBe('2');
  });

  it('a save() the store refuses → err to the callback with status 409; the error response drops the changes', async () => {
    const { store, state } = flakyStore();
    const { url, handled } = await app(
      (a) => {
        a.get('/count', (req, res, next) => {
          req.session.n = (req.session.n ?? 0) + 1;
          req.session.save((err) => (err ? next(err) : res.send(String(req.session.n))));
        });
      },
      { store },
    );
    const jar = new Jar();
    expect(await (await jar.fetch(`${url}/count`)).text()).toBe('1');
    state.conflict = true;
    expect((await jar.fetch(`${url}/count`)).status).toBe(409);
    expect(handled.map((e) => e.statusCode)).toEqual([409]);
    state.conflict = false;
    expect(await (await jar.fetch(`${url}/count`)).text()).toBe('2');
  });
});
