/**
 * The Inspector over real HTTP on 127.0.0.1 (and, for the remote-client refusal, on this
 * machine's own non-loopback address): who it refuses, and what its pages show.
 */
import { networkInterfaces } from 'node:os';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { Registry } from '@dovetail/registry';
import { MemoryStore, Session, Sessions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import { InvalidOptionError } from '../src/errors.js';
import { Inspector, type InspectorOptions } from '../src/inspector.js';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import { serve } from './helpers.js';
import type { Request } from '../src/request.js';

const TOKEN = 'inspector-test-token-0123456789';
const IGadget = defineInterface<{ n: number }>('tests.inspector.IGadget', { members: { n: Attribute('a number') } });
const ISpecialGadget = defineInterface<{ n: number }>('tests.inspector.ISpecialGadget', { extends: [IGadget] });
@implementer(ISpecialGadget)
class Gadget {
  n = 0;
  constructor(_session: Session) {}
}

const made: { inspector: Inspector; sessions: Sessions }[] = [];
afterEach(async () => {
  for (const { inspector, sessions } of made.splice(0)) {
    inspector.close();
    await sessions.close();
  }
});

/** A site with `/_dovetail` and `/remember?value=…` (stores the value in the session). */
async function start(options: Partial<InspectorOptions> = {}, host = '127.0.0.1') {
  let now = Date.UTC(2026, 0, 1);
  const clock = (): number => now;
  const registry = new Registry();
  registry.registerAdapter(Gadget, [Session], ISpecialGadget);
  const sessions = new Sessions({ store: new MemoryStore({ clock }), clock, registry, sweepInterval: 0, secrets: ['inspector-test-secret-0123456789'] });
  const inspector = new Inspector({ token: TOKEN, registry, clock, ...options });
  made.push({ inspector, sessions });
  const root = new Resource();
  root.putChild('_dovetail', inspector);
  root.putChild(
    'remember',
    new (class extends Resource {
      override isLeaf = true;
      async renderGET(request: Request): Promise<string> {
        (await request.getSession()).set('value', request.query.get('value'));
        return 'ok';
      }
    })(),
  );
  if (host === '127.0.0.1') {
    const served = await serve(root, { sessions });
    return { ...served, sessions, advance: (ms: number) => (now += ms) };
  }
  const site = new Site(root, { sessions });
  const { port } = await site.listen(0, host);
  return { site, url: `http://${host}:${port}`, sessions, advance: (ms: number) => (now += ms) };
}

const get = (url: string, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { headers });
const authed = { 'X-Dovetail-Token': TOKEN };

describe('Inspector: who it answers', () => {
  it.each([undefined, '', 'short'])('token %j → InvalidOptionError that says how to make one', (token) => {
    expect(() => new Inspector({ token } as unknown as InspectorOptions)).toThrow(InvalidOptionError);
    expect(() => new Inspector({ token } as unknown as InspectorOptions)).toThrow(/at least 16 characters.*randomBytes/);
  });

  it('a rejected token is not echoed in the message', () => {
    expect(() => new Inspector({ token: 'hunter2-secret' })).toThrow(/given "a string of 14 characters \(not shown\)"/);
    expect(() => new Inspector({ token: 'hunter2-secret' })).not.toThrow(/hunter2/);
  });

  it('no token → 401; a wrong token → 401; the token in the header or the query → 200; every answer has Cache-Control: no-store', async () => {
    const { url } = await start();
    const none = await get(`${url}/_dovetail/registry`);
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('X-Dovetail-Token');
    expect(none.headers.get('cache-control')).toBe('no-store');
    expect((await get(`${url}/_dovetail/registry`, { 'X-Dovetail-Token': TOKEN + 'x' })).status).toBe(401);
    expect((await get(`${url}/_dovetail/registry?token=${TOKEN.slice(0, -1)}`)).status).toBe(401);
    const header = await get(`${url}/_dovetail/registry`, authed);
    expect(header.status).toBe(200);
    expect(header.headers.get('cache-control')).toBe('no-store');
    expect(header.headers.get('referrer-policy')).toBe('no-referrer');
    const query = await get(`${url}/_dovetail/?token=${TOKEN}`);
    expect(query.status).toBe(200);
    // Links keep the token that came in the query, so the pages can be browsed.
    expect(await query.text()).toContain(`href="/_dovetail/graph?token=${TOKEN}"`);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;
  const remote = external === undefined ? it.skip : it;
  if (external === undefined) console.warn('Skipping the remote-client refusal test: this machine has no non-loopback IPv4 address.');

  remote('a client that is not on loopback → 403 even with the token and X-Forwarded-For: 127.0.0.1; allowRemote: true → 200', async () => {
    const closed: Site[] = [];
    try {
      const refused = await start({}, external);
      closed.push(refused.site as Site);
      const r = await get(`${refused.url}/_dovetail/registry`, { ...authed, 'X-Forwarded-For': '127.0.0.1' });
      expect(r.status).toBe(403);
      expect(await r.text()).toContain('allowRemote');
      const allowed = await start({ allowRemote: true }, external);
      closed.push(allowed.site as Site);
      expect((await get(`${allowed.url}/_dovetail/registry`, authed)).status).toBe(200);
      expect((await get(`${allowed.url}/_dovetail/registry`)).status).toBe(401);
    } finally {
      await Promise.all(closed.map((s) => s.close()));
    }
  });
});

describe('Inspector: what it shows', () => {
  it('registry tables: the interfaces with their resolution orders, the adapter, the handlers it subscribed', async () => {
    const { url } = await start();
    const html = await (await get(`${url}/_dovetail/registry`, authed)).text();
    expect(html).toContain('<td>tests.inspector.ISpecialGadget</td><td>tests.inspector.ISpecialGadget → tests.inspector.IGadget → dovetail.interfaces.Interface</td>');
    expect(html).toMatch(/<table id="adapters">.*<td>[^<]*Session[^<]*<\/td><td>tests\.inspector\.ISpecialGadget<\/td><td><\/td><td>Gadget<\/td>/s);
    expect(html).toMatch(/<table id="handlers"><caption>Handlers \(2\)/);
  });

  it('graph: an <svg> with a box per interface and the class adapted, an extends edge and an adapter edge', async () => {
    const { url } = await start();
    const html = await (await get(`${url}/_dovetail/graph`, authed)).text();
    expect(html).toContain('<svg ');
    expect(html).toContain('data-name="tests.inspector.IGadget"');
    expect(html).toContain('data-name="tests.inspector.ISpecialGadget"');
    expect(html).toContain('<title>tests.inspector.IGadget is extended by tests.inspector.ISpecialGadget</title>');
    expect(html).toMatch(/<line class="adapter"[^>]*><title>[^<]*Session[^<]* is adapted to tests\.inspector\.ISpecialGadget<\/title>/);
  });

  it('statistics: the store count, created and expired per minute from the events (0 again a minute later), bytes n/a', async () => {
    const { url, advance, sessions } = await start();
    for (const value of ['a', 'b']) expect((await get(`${url}/remember?value=${value}`)).status).toBe(200);
    const row = async (): Promise<string> => /<table id="statistics">.*?<tbody>(.*?)<\/tbody>/s.exec(await (await get(`${url}/_dovetail/`, authed)).text())![1]!;
    expect(await row()).toBe('<tr><td>memory</td><td>2</td><td>2</td><td>0</td><td>n/a (the store does not tell)</td></tr>');
    advance(61_000);
    expect(await row()).toBe('<tr><td>memory</td><td>2</td><td>0</td><td>0</td><td>n/a (the store does not tell)</td></tr>');
    advance(sessions.timeout * 1000);
    expect(await sessions.sweep()).toBe(2);
    expect(await row()).toBe('<tr><td>memory</td><td>0</td><td>0</td><td>2</td><td>n/a (the store does not tell)</td></tr>');
  });

  it("one session's data, read-only and escaped: a value holding <script> shows as text", async () => {
    const { url } = await start();
    const attack = '<script>alert(1)</script>';
    expect((await get(`${url}/remember?value=${encodeURIComponent(attack)}`)).status).toBe(200);
    const list = await (await get(`${url}/_dovetail/sessions`, authed)).text();
    const id = /href="\/_dovetail\/sessions\/([^"]+)"/.exec(list)![1]!;
    const html = await (await get(`${url}/_dovetail/sessions/${id}`, authed)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect((await get(`${url}/_dovetail/sessions/not-a-session`, authed)).status).toBe(404);
    expect((await get(`${url}/_dovetail/nothing-here`, authed)).status).toBe(404);
  });
});
