/**
 * `dovetailSessions` in a real Express 5 app on 127.0.0.1, with the real `Sessions` manager.
 */
import { Readable } from 'node:stream';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { registerAdapter } from '@dovetail/registry';
import { MemoryStore, Session, Sessions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { dovetailSessions } from '../src/express.js';
import { Jar, listen } from './helpers.js';

interface Counter {
  value: number;
}
const ICounter = defineInterface<Counter>('dovetail.web.test.express.ICounter', {
  members: { value: Attribute('Counts up once per visit.') },
});
@implementer(ICounter)
class CounterComponent implements Counter {
  value = 0;
  constructor(_session: Session) {}
}
registerAdapter(CounterComponent, Session, ICounter);

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

async function app(options: { trustProxy?: boolean; lockWait?: number } = {}) {
  const sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0, lockWait: options.lockWait ?? 5000 });
  managers.push(sessions);
  const errors: unknown[] = [];
  const a = express();
  a.use(dovetailSessions({ sessions, trustProxy: options.trustProxy ?? false, logger: { ...console, error: (_line: string, e?: unknown) => void errors.push(e) } }));
  a.get('/start', (req, res) => {
    res.send(`started ${req.session.uid}`);
  });
  a.get('/counter', (req, res) => {
    const counter = ICounter(req.session);
    counter.value += 1;
    res.send(`Visit #${counter.value} for you!`);
  });
  a.get('/peek', (req, res) => {
    res.send(`value ${ICounter(req.session).value}`);
  });
  a.get('/none', (_req, res) => {
    res.send('no session here');
  });
  a.get('/uid', (req, res) => {
    res.send(req.session.uid);
  });
  a.get('/secure', (req, res) => {
    req.session.set('seen', true);
    res.json({ secure: req.session.secure });
  });
  a.get('/expire', (req, res) => {
    req.session.expire();
    res.send('expired');
  });
  a.get('/boom', async (req) => {
    ICounter(req.session).value = 999;
    await Promise.resolve();
    throw new Error('handler failed');
  });
  a.get('/bad-data', (req, res) => {
    req.session.set('fn', () => 1);
    res.send('unreachable');
  });
  a.get('/stream', (req, res) => {
    ICounter(req.session).value += 1;
    res.type('text');
    Readable.from(['one ', 'two ', 'three']).pipe(res);
  });
  a.get('/bad-stream', (req, res) => {
    req.session.set('fn', () => 1);
    res.type('text');
    res.write('one ');
    // The rest comes after the commit failed: it must go nowhere, without an error.
    setImmediate(() => {
      res.write('two ');
      res.end('three');
    });
  });
  a.get('/bad-status', (req, res) => {
    ICounter(req.session).value += 1;
    res.writeHead(1000);
    res.end('never sent');
  });
  // The app's error handling sees every error (then Express's final handler answers).
  a.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    errors.push(error);
    next(error);
  });
  return { url: await listen(a), sessions, errors };
}

describe('dovetailSessions under Express 5', () => {
  it('the counter with a cookie jar → 1, 2, 3; a second jar counts separately', async () => {
    const { url } = await app();
    const alice = new Jar();
    const bob = new Jar();
    const first = await alice.fetch(`${url}/counter`);
    expect(await first.text()).toBe('Visit #1 for you!');
    expect(first.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/)]);
    const second = await alice.fetch(`${url}/counter`);
    expect(await second.text()).toBe('Visit #2 for you!');
    expect(second.headers.getSetCookie()).toEqual([]);
    expect(await (await bob.fetch(`${url}/counter`)).text()).toBe('Visit #1 for you!');
    expect(await (await alice.fetch(`${url}/counter`)).text()).toBe('Visit #3 for you!');
  });

  it('100 concurrent requests on one session → counter 100, no lost update', async () => {
    const { url } = await app();
    const jar = new Jar();
    await (await jar.fetch(`${url}/start`)).text();
    const responses = await Promise.all(Array.from({ length: 100 }, () => jar.fetch(`${url}/counter`)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(bodies).size).toBe(100);
    expect(await (await jar.fetch(`${url}/peek`)).text()).toBe('value 100');
  });

  it('a 12 KiB unrelated cookie before ours → the same session, no new cookie', async () => {
    const { url } = await app();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const ours = jar.cookies.get('DOVETAIL_SESSION')!;
    const res = await fetch(`${url}/counter`, { headers: { cookie: `analytics=${'a'.repeat(12 * 1024)}; DOVETAIL_SESSION=${ours}` } });
    expect(await res.text()).toBe('Visit #2 for you!');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('a route that never reads req.session → no session stored, no cookie', async () => {
    const { url, sessions } = await app();
    const res = await fetch(`${url}/none`);
    expect(await res.text()).toBe('no session here');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessions.store.sweep(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it('a returning visitor on a route that does not read the session → no Set-Cookie, session kept', async () => {
    const { url } = await app();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/none`);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('expire() → a clearing cookie (Max-Age=0), and the next visit gets a new session', async () => {
    const { url } = await app();
    const jar = new Jar();
    const uid = await (await jar.fetch(`${url}/uid`)).text();
    const res = await jar.fetch(`${url}/expire`);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=; Max-Age=0; Path=\/;/)]);
    const next = await (await jar.fetch(`${url}/uid`)).text();
    expect(next).not.toBe(uid);
  });

  it('a throwing route → 500 through the Express error path, the session changes dropped', async () => {
    const { url } = await app();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a throwing route on a new session → no session stored, no cookie', async () => {
    const { url, sessions } = await app();
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessions.store.sweep(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it('data the codec cannot carry → next(err): Express answers 500 instead of the held response, the stored session unchanged', async () => {
    const { url, errors } = await app();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/bad-data`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('unreachable');
    expect((errors[0] as Error).name).toBe('SessionDataError');
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a session held by another request past lockWait → 503 with Retry-After', async () => {
    const { url, sessions } = await app({ lockWait: 30 });
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const held = await sessions.load(jar.cookies.get('DOVETAIL_SESSION')!);
    try {
      const res = await jar.fetch(`${url}/counter`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await sessions.abort(held!);
    }
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a store that cannot take new sessions (full) → 503 with Retry-After; one warning for many through the injected logger, no error', async () => {
    const sessions = new Sessions({ store: new MemoryStore({ maxSessions: 1 }), sweepInterval: 0 });
    managers.push(sessions);
    const lines: string[] = [];
    const errors: unknown[] = [];
    const a = express();
    a.use(dovetailSessions({ sessions, logger: { error: (_line, e) => void errors.push(e), warn: (line) => void lines.push(line), info: () => undefined } }));
    a.get('/counter', (req, res) => {
      res.send(`Visit #${++ICounter(req.session).value}`);
    });
    const url = await listen(a);
    expect((await fetch(`${url}/counter`)).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/counter`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    }
    expect(lines).toEqual([expect.stringMatching(/DT_SESSION_STORE_UNAVAILABLE: .*the store is full/)]);
    expect(errors).toEqual([]);
  });

  it('a held write node refuses (writeHead(1000)) → the connection is cut and logged, the server keeps serving', async () => {
    const { url, errors } = await app();
    const jar = new Jar();
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #1 for you!');
    await expect(jar.fetch(`${url}/bad-status`)).rejects.toThrow();
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_HTTP_INVALID_STATUS_CODE' })]);
    // A status of 500 or more drops the route's changes, as for any error answer.
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a streamed body whose commit fails → the error answers instead (logged), the rest of the body goes nowhere', async () => {
    const { url, errors } = await app();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/bad-stream`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('500 Internal Server Error');
    expect(errors).toEqual([expect.objectContaining({ name: 'SessionDataError' })]);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a piped body → held while committing (write returns false, then drain), Set-Cookie in the head', async () => {
    const { url } = await app();
    const jar = new Jar();
    const res = await jar.fetch(`${url}/stream`);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=/)]);
    expect(await res.text()).toBe('one two three');
    expect(await (await jar.fetch(`${url}/peek`)).text()).toBe('value 1');
  });

  it('HTTPS through a trusted proxy → the secure cookie name with Secure', async () => {
    const { url } = await app({ trustProxy: true });
    const res = await fetch(`${url}/secure`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(await res.json()).toEqual({ secure: true });
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SECURE_SESSION=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/)]);
  });

  it('a forged cookie → a new session, never an error page', async () => {
    const { url } = await app();
    const res = await fetch(`${url}/counter`, { headers: { cookie: 'DOVETAIL_SESSION=forged.value' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Visit #1 for you!');
  });
});
