/**
 * The web layer with the real `Sessions` manager of @dovetail/session (MemoryStore), over HTTP.
 */
import { MemoryStore, Sessions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Resource } from '../src/resource.js';
import { Jar, serve } from './helpers.js';
import type { Request } from '../src/request.js';

class CounterPage extends Resource {
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    const value = (session.get<number>('count') ?? 0) + 1;
    session.set('count', value);
    return `<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body>Visit #${value} for you!`;
  }
}

class SessionPage extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    if (request.postpath[0] === 'expire') {
      session.expire();
      return 'expired';
    }
    if (request.postpath[0] === 'bad') {
      session.set('fn', () => 1);
      return 'unreachable';
    }
    return session.uid;
  }
}

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

async function site() {
  const sessions = new Sessions({ store: new MemoryStore(), secrets: ['test-secret-0123456789abcdef-0123456789'] });
  managers.push(sessions);
  const root = new Resource();
  root.putChild('counter', new CounterPage());
  root.putChild('session', new SessionPage());
  return { ...(await serve(root, { sessions })), sessions };
}

describe('Site with @dovetail/session Sessions', () => {
  it('the counter page → counts per cookie jar, one Set-Cookie for a new session only', async () => {
    const { url } = await site();
    const a = new Jar();
    const b = new Jar();
    const first = await a.fetch(`${url}/counter`);
    expect(await first.text()).toContain('Visit #1 for you!');
    expect(first.headers.getSetCookie()[0]).toMatch(/^DOVETAIL_SESSION=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const second = await a.fetch(`${url}/counter`);
    expect(await second.text()).toContain('Visit #2 for you!');
    expect(second.headers.getSetCookie()).toEqual([]);
    expect(await (await b.fetch(`${url}/counter`)).text()).toContain('Visit #1 for you!');
    expect(await (await a.fetch(`${url}/counter`)).text()).toContain('Visit #3 for you!');
  });

  it('a forged cookie → a new session, never an error page', async () => {
    const { url } = await site();
    const res = await fetch(`${url}/counter`, { headers: { cookie: 'DOVETAIL_SESSION=forged.value' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Visit #1 for you!');
  });

  it('/session/expire → clearing cookie; the next visit shows a new uid (Twisted\'s "Session Basics")', async () => {
    const { url } = await site();
    const jar = new Jar();
    const uid = await (await jar.fetch(`${url}/session`)).text();
    expect(await (await jar.fetch(`${url}/session`)).text()).toBe(uid);
    const expired = await jar.fetch(`${url}/session/expire`);
    expect(expired.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect(await (await jar.fetch(`${url}/session`)).text()).not.toBe(uid);
  });

  it('data the codec cannot carry → 500 at commit, the stored session unchanged', async () => {
    const { url, errors } = await site();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const res = await jar.fetch(`${url}/session/bad`);
    expect(res.status).toBe(500);
    expect((errors[0] as { code?: string }).code).toMatch(/^DT_SESSION_/);
    expect(await (await jar.fetch(`${url}/counter`)).text()).toContain('Visit #2 for you!');
  });

  it('32 concurrent requests on one session → no lost update', async () => {
    const { url } = await site();
    const jar = new Jar();
    await jar.fetch(`${url}/counter`);
    const results = await Promise.all(Array.from({ length: 32 }, () => jar.fetch(`${url}/counter`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await Promise.all(results.map((r) => r.text()));
    expect(await (await jar.fetch(`${url}/counter`)).text()).toContain('Visit #34 for you!');
  });
});
