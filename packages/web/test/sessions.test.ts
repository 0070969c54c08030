/**
 * The session wiring of Site/Request over HTTP, against the real `Sessions` manager of
 * @dovetail/session (MemoryStore). What the manager did is read back from its store.
 */
import { Readable } from 'node:stream';
import { MemoryStore, Sessions, type SessionsOptions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import { Jar, recordingLogger, serve } from './helpers.js';
import type { Request } from '../src/request.js';

const SIGNED = '[A-Za-z0-9_-]{22,128}\\.[A-Za-z0-9_-]{43}';

/** A promise and its resolve, to hold a render until the test lets it go (no sleeps). */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

class Counter extends Resource {
  async renderGET(request: Request): Promise<string> {
    const s = await request.getSession();
    const n = (s.get<number>('count') ?? 0) + 1;
    s.set('count', n);
    return `Visit #${n} for you!`;
  }
}

/** Set by a test to hold `/s/slow` until it opens the gate. */
let slow: { entered: () => void; release: Promise<void> } | null = null;

class Actions extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<unknown> {
    switch (request.postpath[0]) {
      case 'none': return 'no session here';
      case 'uid': return (await request.getSession()).uid;
      case 'twice': {
        const [a, b] = await Promise.all([request.getSession(), request.getSession()]);
        const c = await request.getSession();
        c.set('twice', (c.get<number>('twice') ?? 0) + 1);
        return { same: a === b && b === c };
      }
      case 'adapt': return request.getSession((s) => ({ adapted: s.uid.length > 0 }));
      case 'expire': {
        (await request.getSession()).expire();
        return 'expired';
      }
      case 'expire-renew': {
        const old = await request.getSession();
        const oldUid = old.uid;
        old.expire();
        const fresh = await request.getSession();
        fresh.set('fresh', true);
        return { old: oldUid, fresh: fresh.uid, isNew: fresh.isNew };
      }
      case 'regenerate': {
        const s = await request.getSession();
        s.regenerate();
        return s.uid;
      }
      case 'fail': {
        const s = await request.getSession();
        s.set('count', 999);
        throw new Error('render failed');
      }
      case 'bad-data': {
        (await request.getSession()).set('fn', () => 1);
        return 'unreachable';
      }
      case 'stream': {
        (await request.getSession()).set('streamed', true);
        return Readable.from(['streamed']);
      }
      case 'slow': {
        const s = await request.getSession();
        s.set('slow', true);
        slow!.entered();
        await slow!.release;
        return 'done';
      }
      case 'secure': return { secure: (await request.getSession()).set('seen', true).secure };
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

const managers: Sessions[] = [];
afterEach(async () => {
  slow = null;
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function manager(options: SessionsOptions = {}): Sessions {
  const sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0, ...options });
  managers.push(sessions);
  return sessions;
}

async function served(options: { trustProxy?: boolean; sessions?: SessionsOptions } = {}) {
  const sessions = manager(options.sessions);
  const s = await serve(tree(), { sessions, trustProxy: options.trustProxy ?? false });
  return { ...s, sessions };
}

/** Every entry the store holds, claimed through a sweep at the end of time (the test is over for it). */
async function storedIds(sessions: Sessions): Promise<string[]> {
  return (await sessions.store.sweep(Number.MAX_SAFE_INTEGER, 1000)).map((e) => e.id);
}

async function stored(sessions: Sessions, uid: string): Promise<{ version: number; payload: string } | undefined> {
  return sessions.store.get(uid, Date.now()) as Promise<{ version: number; payload: string } | undefined>;
}

const uidOf = (jar: Jar, name = 'DOVETAIL_SESSION'): string => jar.cookies.get(name)!.split('.')[0]!;

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
    expect(cookie).toMatch(new RegExp(`^DOVETAIL_SESSION=${SIGNED}; Path=/; HttpOnly; SameSite=Lax$`));
  });

  it('a returning visitor with an unchanged cookie → no Set-Cookie', async () => {
    const { url } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/counter`);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('a page that never calls getSession → no session stored, no cookie, the session cookie never loaded', async () => {
    const { url, sessions } = await served({ sessions: { lockWait: 20 } });
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    // Held by another load: a request that loaded it would wait and answer 503.
    const held = (await sessions.load(jar.cookies.get('DOVETAIL_SESSION')!))!;
    try {
      const res = await jar.fetch(`${url}/s/none`);
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([]);
    } finally {
      await sessions.abort(held);
    }
    const anonymous = await fetch(`${url}/s/none`);
    expect(anonymous.headers.getSetCookie()).toEqual([]);
    expect(await storedIds(sessions)).toEqual([uidOf(jar)]);
  });

  it.each([
    ['forged', `${'A'.repeat(22)}.${'B'.repeat(43)}`],
    ['malformed', '%%%"'],
    ['unknown format', 'garbage'],
  ])('a %s cookie → a new session and cookie, never an error page', async (_label, value) => {
    const { url } = await served();
    const res = await fetch(`${url}/counter`, { headers: { cookie: `DOVETAIL_SESSION=${value}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Visit #1 for you!');
    expect(res.headers.getSetCookie()[0]).toMatch(new RegExp(`^DOVETAIL_SESSION=${SIGNED};`));
  });

  it('getSession twice, also concurrently → the same session, loaded once (no wait on its own lock), written once', async () => {
    const { url, sessions } = await served({ sessions: { lockWait: 20 } });
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const before = (await stored(sessions, uidOf(jar)))!.version;
    const res = await jar.fetch(`${url}/s/twice`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ same: true });
    expect((await stored(sessions, uidOf(jar)))!.version).toBe(before + 1);
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
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^DOVETAIL_SESSION=${body.fresh}\\.`))]);
    expect(await stored(sessions, body.old)).toBeUndefined();
    expect(await stored(sessions, body.fresh)).toBeDefined();
  });

  it('a regenerated session → Set-Cookie with the new value', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/s/regenerate`);
    const uid = await res.text();
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^DOVETAIL_SESSION=${sessions.sign(uid)};`))]);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a render error → the session is aborted, not committed; 500', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const before = await stored(sessions, uidOf(jar));
    const res = await jar.fetch(`${url}/s/fail`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await stored(sessions, uidOf(jar))).toEqual(before);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a busy session on load → 503 with Retry-After', async () => {
    const { url, sessions } = await served({ sessions: { lockWait: 20 } });
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const held = (await sessions.load(jar.cookies.get('DOVETAIL_SESSION')!))!;
    try {
      const res = await jar.fetch(`${url}/counter`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await sessions.abort(held);
    }
    expect(await (await jar.fetch(`${url}/counter`)).text()).toBe('Visit #2 for you!');
  });

  it('a commit error (data the codec cannot carry) → 500, no Set-Cookie, the stored session unchanged', async () => {
    const { url, sessions, errors } = await served();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const before = await stored(sessions, uidOf(jar));
    const res = await jar.fetch(`${url}/s/bad-data`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((errors[0] as Error).name).toBe('SessionDataError');
    expect(await stored(sessions, uidOf(jar))).toEqual(before);
  });

  it('a new session on a commit error → 500, no Set-Cookie, nothing stored', async () => {
    const { url, sessions } = await served();
    const res = await fetch(`${url}/s/bad-data`);
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await storedIds(sessions)).toEqual([]);
  });

  it('a store that cannot take the session at commit (full) → 503 with Retry-After, no Set-Cookie; one warning for many through the injected logger, no error', async () => {
    const logger = recordingLogger();
    const sessions = manager({ store: new MemoryStore({ maxSessions: 1 }) });
    const { url } = await serve(tree(), { sessions, logger });
    await fetch(`${url}/counter`);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/counter`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(logger.warnings).toEqual([expect.stringMatching(/^\[dovetail\/web\] DT_SESSION_STORE_UNAVAILABLE: .*the store is full/)]);
    expect(logger.errors).toEqual([]);
  });

  it('a streamed body → committed before the first byte (its Set-Cookie is in the head)', async () => {
    const { url, sessions } = await served();
    const jar = new Jar();
    const res = await jar.fetch(`${url}/s/stream`);
    expect(res.headers.getSetCookie()[0]).toMatch(/^DOVETAIL_SESSION=/);
    expect(await res.text()).toBe('streamed');
    expect((await stored(sessions, uidOf(jar)))?.payload).toContain('streamed');
  });

  it('HTTPS (trusted proxy) → the secure cookie name with Secure', async () => {
    const { url } = await served({ trustProxy: true });
    const res = await fetch(`${url}/s/secure`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(await res.json()).toEqual({ secure: true });
    expect(res.headers.getSetCookie()[0]).toMatch(new RegExp(`^DOVETAIL_SECURE_SESSION=${SIGNED}; Path=/; HttpOnly; Secure; SameSite=Lax$`));
  });

  it('a secure session cookie sent over plain HTTP → not used, a new plain session', async () => {
    const { url } = await served({ trustProxy: true });
    const https = new Jar();
    const secureUid = await (await https.fetch(`${url}/s/uid`, { headers: { 'x-forwarded-proto': 'https' } })).text();
    const value = https.cookies.get('DOVETAIL_SECURE_SESSION')!;
    const res = await fetch(`${url}/s/uid`, { headers: { cookie: `DOVETAIL_SESSION=${value}` } });
    expect(await res.text()).not.toBe(secureUid);
  });

  it('close() → waits for an in-flight request and its commit', async () => {
    const { url, sessions, site } = await served();
    const entered = gate();
    const release = gate();
    slow = { entered: entered.open, release: release.promise };
    const jar = new Jar();
    const pending = jar.fetch(`${url}/s/slow`);
    await entered.promise;
    const closed = site.close();
    release.open();
    await closed;
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('done');
    expect((await stored(sessions, uidOf(jar)))?.payload).toContain('slow');
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
    const sessions = manager({ cookie: { name: 'bad name' } });
    expect(() => new Site(new Resource(), { sessions })).toThrow(/cookie name/);
  });
});
