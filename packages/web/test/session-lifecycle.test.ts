/**
 * A request's session handle over real HTTP, through `Site` and through Express: it closes when
 * the request's commit starts (a change after that throws `SessionClosedError` and reaches
 * nothing), and a new session that nothing changed is neither stored nor given a cookie.
 */
import { createServer, type Server } from 'node:http';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { registerAdapter } from '@dovetail/registry';
import { MemoryStore, Session, SessionClosedError, Sessions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { dovetailSessions } from '../src/express.js';
import { Resource } from '../src/resource.js';
import { Jar, serve } from './helpers.js';
import type { Request } from '../src/request.js';
import type { AddressInfo } from 'node:net';

interface Visits {
  value: number;
}
const IVisits = defineInterface<Visits>('dovetail.web.test.lifecycle.IVisits', { members: { value: Attribute('Visits.') } });
@implementer(IVisits)
class VisitsComponent implements Visits {
  value = 0;
  constructor(readonly session: Session) {}
}
registerAdapter(VisitsComponent, Session, IVisits);

/** What a late task (a timer left running after the response) ran into. */
interface Late {
  set: unknown;
  adapt: unknown;
  getSession: unknown;
}

/** A promise and its resolve. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const caught = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
};

const now = Date.UTC(2031, 4, 6, 7, 8, 9);
const clock = (): number => now;
const managers: Sessions[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function manager(): Sessions {
  const sessions = new Sessions({ store: new MemoryStore({ clock }), sweepInterval: 0, clock });
  managers.push(sessions);
  return sessions;
}

/** Every entry the store holds, claimed by a sweep at the end of time. */
async function storedIds(sessions: Sessions): Promise<string[]> {
  return (await sessions.store.sweep(Number.MAX_SAFE_INTEGER, 1000)).map((e) => e.id);
}

describe('Site: the session handle closes when the commit starts', () => {
  let late = later<Late>();

  class Page extends Resource {
    override isLeaf = true;
    async renderGET(request: Request): Promise<unknown> {
      const session = await request.getSession();
      switch (request.postpath[0]) {
        case 'late': {
          session.set('x', 1);
          IVisits(session).value += 1;
          setTimeout(() => {
            const result: Late = { set: caught(() => session.set('x', 2)), adapt: caught(() => (IVisits(session).value += 100)), getSession: undefined };
            request.getSession().then(
              () => late.resolve(result),
              (e: unknown) => late.resolve({ ...result, getSession: e }),
            );
          }, 0);
          return 'answered';
        }
        case 'read': return { x: session.get('x') ?? null, visits: IVisits(session).value };
        case 'uid': return { uid: session.uid };
        default: return 'nothing';
      }
    }
  }

  it('request.getSession() and session.set() in a timer after the render throw SessionClosedError; nothing reaches the next request', async () => {
    late = later<Late>();
    const sessions = manager();
    const root = new Resource();
    root.putChild('p', new Page());
    const { url } = await serve(root, { sessions });
    const jar = new Jar();
    expect(await (await jar.fetch(`${url}/p/late`)).text()).toBe('answered');
    const seen = await late.promise;
    for (const error of [seen.set, seen.adapt, seen.getSession]) expect(error).toBeInstanceOf(SessionClosedError);
    expect((seen.set as SessionClosedError).code).toBe('DT_SESSION_CLOSED');
    expect((seen.set as SessionClosedError).message).toContain('2031-05-06T07:08:09.000Z');
    expect(await (await jar.fetch(`${url}/p/read`)).json()).toEqual({ x: 1, visits: 1 });
  });

  it('a page that only reads a new session stores nothing and sets no cookie; reading the uid does', async () => {
    const sessions = manager();
    const root = new Resource();
    root.putChild('p', new Page());
    const { url } = await serve(root, { sessions });
    const read = await fetch(`${url}/p/read`);
    expect(await read.json()).toEqual({ x: null, visits: 0 });
    expect(read.headers.getSetCookie()).toEqual([]);
    expect(await storedIds(sessions)).toEqual([]);

    const jar = new Jar();
    const { uid } = (await (await jar.fetch(`${url}/p/uid`)).json()) as { uid: string };
    expect(jar.cookies.get('DOVETAIL_SESSION')).toBeDefined();
    expect(await (await jar.fetch(`${url}/p/uid`)).json()).toEqual({ uid });
  });
});

describe('Site: a full MemoryStore', () => {
  it('refuses a new stored session with 503 and Retry-After; read-only visitors and stored sessions go on', async () => {
    const sessions = new Sessions({ maxSessions: 1, sweepInterval: 0, clock });
    managers.push(sessions);
    const root = new Resource();
    root.putChild('p', new (class extends Resource {
      override isLeaf = true;
      async renderGET(request: Request): Promise<unknown> {
        const session = await request.getSession();
        return request.postpath[0] === 'uid' ? { uid: session.uid } : { x: session.get('x') ?? null };
      }
    })());
    const { url } = await serve(root, { sessions });
    const jar = new Jar();
    const first = await jar.fetch(`${url}/p/uid`);
    expect(first.status).toBe(200);
    const refused = await fetch(`${url}/p/uid`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await fetch(`${url}/p/read`)).status).toBe(200);
    expect(await (await jar.fetch(`${url}/p/uid`)).json()).toEqual(await first.json());
  });
});

describe('Express: req.session closes when the response is sent', () => {
  async function app(): Promise<{ url: string; sessions: Sessions; afterSend: unknown[] }> {
    const sessions = manager();
    const afterSend: unknown[] = [];
    const a = express();
    a.use(dovetailSessions({ sessions }));
    a.get('/late', (req, res) => {
      req.session.set('x', 1);
      res.send('answered');
      afterSend.push(caught(() => req.session.set('x', 2)), caught(() => IVisits(req.session)));
    });
    a.get('/read', (req, res) => {
      res.json({ x: req.session.get('x') ?? null, visits: IVisits(req.session).value });
    });
    const server = createServer(a);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sessions, afterSend };
  }

  it('res.send(); req.session.set(…) throws SessionClosedError; the stored session keeps what was committed', async () => {
    const { url, afterSend } = await app();
    const jar = new Jar();
    expect(await (await jar.fetch(`${url}/late`)).text()).toBe('answered');
    expect(afterSend).toHaveLength(2);
    for (const error of afterSend) expect(error).toBeInstanceOf(SessionClosedError);
    expect(await (await jar.fetch(`${url}/read`)).json()).toEqual({ x: 1, visits: 0 });
  });

  it('a handler that only reads a new req.session sets no cookie and stores nothing', async () => {
    const { url, sessions } = await app();
    const res = await fetch(`${url}/read`);
    expect(await res.json()).toEqual({ x: null, visits: 0 });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await storedIds(sessions)).toEqual([]);
  });
});
