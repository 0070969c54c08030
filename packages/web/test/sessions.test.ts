/**
 * The session wiring of Site/Request, against a manager with the exact API of
 * `@dovetail/session`'s `Sessions` (test/fake-sessions.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import type { Sessions } from '@dovetail/session';
import type { Request } from '../src/request.js';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import { FakeBusyError, FakeSession, FakeSessions } from './fake-sessions.js';
import { Jar, serve } from './helpers.js';

async function session(request: Request): Promise<FakeSession> {
  return (await request.getSession()) as unknown as FakeSession;
}

class Counter extends Resource {
  async renderGET(request: Request): Promise<string> {
    const s = await session(request);
    const n = ((s.data.count as number | undefined) ?? 0) + 1;
    s.data.count = n;
    return `Visit #${n} for you!`;
  }
}

class Actions extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<unknown> {
    switch (request.postpath[0]) {
      case 'none': return 'no session here';
      case 'uid': return (await session(request)).uid;
      case 'twice': {
        const [a, b] = await Promise.all([session(request), session(request)]);
        const c = await session(request);
        return { same: a === b && b === c };
      }
      case 'adapt': return request.getSession((s) => ({ adapted: s.uid.length > 0 }));
      case 'expire': {
        const s = await session(request);
        s.expire();
        return 'expired';
      }
      case 'expire-renew': {
        const old = await session(request);
        old.expire();
        const fresh = await session(request);
        return { old: old.uid, fresh: fresh.uid, isNew: fresh.isNew };
      }
      case 'regenerate': {
        const s = await session(request);
        s.regenerate();
        return s.uid;
      }
      case 'fail': {
        const s = await session(request);
        s.data.count = 999;
        throw new Error('render failed');
      }
      case 'stream': {
        await session(request);
        return Readable.from(['streamed']);
      }
      case 'secure': return { secure: (await session(request)).secure };
      default: return 'default';
    }
  }
}

function tree(): Resource {
  const root = new Resource();
  root.putChild('counter', new Counter());
  root.putChild('s', new Actions());
  return root;
}

async function served(options: { trustProxy?: boolean } = {}) {
  const sessions = new FakeSessions();
  const s = await serve(tree(), { sessions: sessions as unknown as Sessions, ...options });
  return { ...s, sessions };
}

describe('Request#getSession over HTTP', () => {
  it('the counter page → counts per client with a cookie jar', async () => {
    const { url } = await served();
    const alice = new Jar();
    const bob = new Jar();
    expect(await (await alice.fetch(`${url}/counter`)).text()).toBe('Visit #1 for you!');
    expect(await (await alice.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
    expect(await (await bob.fetch(`${url}/counter`)).text()).toBe('Visit #1 for you!');
    expect(await (await alice.fetch(`${url}/counter`)).text()).toBe('Visit #3 for you!');
  });

  it('a new session → Set-Cookie DOVETAIL_SESSION with HttpOnly; SameSite=Lax; Path=/', async () => {
    const { url } = await served();
    const res = await fetch(`${url}/counter`);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^DOVETAIL_SESSION=s\.[0-9a-f]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('a returning visitor with an unchanged cookie → no Set-Cookie', async () => {
    const { url } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/counter`);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('a page that never calls getSession → no session, no cookie, no manager call', async () => {
    const { url, sessions } = await served();
    const res = await fetch(`${url}/s/none`, { headers: { cookie: 'DOVETAIL_SESSION=s.whatever' } });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(sessions.log).toEqual([]);
  });

  it.each([
    ['forged', 's.forged'],
    ['malformed', '%%%"'],
    ['unknown format', 'garbage'],
  ])('a %s cookie → a new session and cookie, never an error page', async (_label, value) => {
    const { url } = await served();
    const res = await fetch(`${url}/counter`, { headers: { cookie: `DOVETAIL_SESSION=${value}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Visit #1 for you!');
    expect(res.headers.getSetCookie()[0]).toMatch(/^DOVETAIL_SESSION=s\./);
  });

  it('getSession twice, also concurrently → the same session, loaded once', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    sessions.log.length = 0;
    expect(await (await jar.fetch(`${url}/s/twice`)).json()).toEqual({ same: true });
    expect(sessions.log.filter((l) => l.startsWith('load'))).toHaveLength(1);
    expect(sessions.log.filter((l) => l.startsWith('commit'))).toHaveLength(1);
  });

  it('getSession(I) → I(session)', async () => {
    const { url } = await served();
    expect(await (await fetch(`${url}/s/adapt`)).json()).toEqual({ adapted: true });
  });

  it('expire() → a clearing Set-Cookie (Max-Age=0), and the next visit gets a new session', async () => {
    const { url } = await served();
    const jar = new Jar();
    const uid = await (await jar.fetch(`${url}/s/uid`)).text();
    const res = await jar.fetch(`${url}/s/expire`);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^DOVETAIL_SESSION=; Max-Age=0; Path=\/;/);
    const next = await (await jar.fetch(`${url}/s/uid`)).text();
    expect(next).not.toBe(uid);
  });

  it('expire() then getSession() in one request → a fresh session and its cookie', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/s/expire-renew`);
    const body = (await res.json()) as { old: string; fresh: string; isNew: boolean };
    expect(body.fresh).not.toBe(body.old);
    expect(body.isNew).toBe(true);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^DOVETAIL_SESSION=s\\.${body.fresh};`))]);
    expect(sessions.stored.has(body.old)).toBe(false);
    expect(sessions.stored.has(body.fresh)).toBe(true);
  });

  it('a regenerated session → Set-Cookie with the new value', async () => {
    const { url } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/s/regenerate`);
    const uid = await res.text();
    expect(res.headers.getSetCookie()[0]).toMatch(new RegExp(`^DOVETAIL_SESSION=s\\.${uid};`));
  });

  it('a render error → the session is aborted, not committed; 500', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    sessions.log.length = 0;
    const res = await jar.fetch(`${url}/s/fail`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(sessions.log).toEqual([expect.stringMatching(/^load/), expect.stringMatching(/^abort/)]);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a busy session on load → 503 with Retry-After', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    sessions.failLoad = new FakeBusyError('busy');
    const res = await jar.fetch(`${url}/counter`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('a commit error → 500, no Set-Cookie', async () => {
    const { url, sessions, errors } = await served();
    sessions.failCommit = Object.assign(new Error('cannot encode'), { name: 'SessionDataError' });
    const res = await fetch(`${url}/counter`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((errors[0] as Error).name).toBe('SessionDataError');
  });

  it('a busy session on commit → 503 with Retry-After', async () => {
    const { url, sessions } = await served();
    sessions.failCommit = new FakeBusyError('busy');
    const res = await fetch(`${url}/counter`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('a streamed body → committed before the first byte (its Set-Cookie is in the head)', async () => {
    const { url, sessions } = await served();
    sessions.commitDelayMs = 30;
    const res = await fetch(`${url}/s/stream`);
    expect(res.headers.getSetCookie()[0]).toMatch(/^DOVETAIL_SESSION=/);
    expect(await res.text()).toBe('streamed');
    expect(sessions.log.some((l) => l.startsWith('commit'))).toBe(true);
  });

  it('HTTPS (trusted proxy) → the secure cookie name with Secure', async () => {
    const { url } = await served({ trustProxy: true });
    const res = await fetch(`${url}/s/secure`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(await res.json()).toEqual({ secure: true });
    expect(res.headers.getSetCookie()[0]).toMatch(/^DOVETAIL_SECURE_SESSION=s\.[0-9a-f]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('a secure session cookie sent over plain HTTP → not used, a new plain session', async () => {
    const { url } = await served({ trustProxy: true });
    const https = new Jar();
    const secureUid = await (await https.fetch(`${url}/s/uid`, { headers: { 'x-forwarded-proto': 'https' } })).text();
    const value = https.cookies.get('DOVETAIL_SECURE_SESSION')!;
    const res = await fetch(`${url}/s/uid`, { headers: { cookie: `DOVETAIL_SESSION=${value}` } });
    expect(await res.text()).not.toBe(secureUid);
  });

  it('close() → waits for an in-flight commit', async () => {
    const { url, sessions, site } = await served();
    sessions.commitDelayMs = 100;
    const pending = fetch(`${url}/counter`);
    await new Promise((r) => setTimeout(r, 20));
    await site.close();
    expect(sessions.stored.size).toBe(1);
    expect((await pending).status).toBe(200);
  });
});

describe('Request#getSession without sessions', () => {
  it('no sessions option → 500 with DT_WEB_NO_SESSIONS reported', async () => {
    const { url, errors } = await serve(tree());
    expect((await fetch(`${url}/counter`)).status).toBe(500);
    expect((errors[0] as { code: string }).code).toBe('DT_WEB_NO_SESSIONS');
  });
});

describe('new Site with sessions', () => {
  it('an invalid session cookie name → throws at construction', () => {
    const sessions = new FakeSessions();
    sessions.cookieName = () => 'bad name';
    expect(() => new Site(new Resource(), { sessions: sessions as unknown as Sessions })).toThrow(/cookie name/);
  });
});
