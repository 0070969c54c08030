/**
 * The Pyramid tutorial "Transient Data Using Sessions", over HTTP.
 */
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CookieStore, MemoryStore, SqliteStore, type SessionStore } from '@dovetail/session';
import { resource } from '../pyramid/index.js';
import { Jar, byId, manager, serveExample, tempDir } from './support.js';

const SECRETS = ['examples-pyramid-secret-0123456789abcdef'];

const counter = async (jar: Jar, url: string, path = '/'): Promise<string | undefined> =>
  byId(await (await jar.fetch(`${url}${path}`)).text(), 'counter');

/** Counts twice on one server, restarts it on the same store (a new Site and Sessions), counts on. */
async function countsAcrossRestart(store: () => SessionStore): Promise<void> {
  const jar = new Jar();
  const first = await serveExample(resource, manager({ store: store(), secrets: SECRETS }));
  expect(await counter(jar, first.url)).toBe('Counter: 1');
  expect(await counter(jar, first.url, '/howdy')).toBe('Counter: 2');
  await first.site.close();
  await first.sessions.close();

  const second = await serveExample(resource, manager({ store: store(), secrets: SECRETS }));
  expect(await counter(jar, second.url)).toBe('Counter: 3');
  expect(await counter(jar, second.url, '/howdy')).toBe('Counter: 4');
}

describe('the pyramid example (transient data, flash messages)', () => {
  it('home and howdy → one counter in the session dictionary', async () => {
    const { url } = await serveExample(resource);
    const jar = new Jar();
    expect(await counter(jar, url)).toBe('Counter: 1');
    expect(await counter(jar, url, '/howdy')).toBe('Counter: 2');
    expect(await counter(jar, url)).toBe('Counter: 3');
    expect(await counter(new Jar(), url, '/howdy')).toBe('Counter: 1');
  });

  it('a restart on the same SqliteStore file and secrets → the counter goes on', async () => {
    const path = join(tempDir(), 'sessions.db');
    await countsAcrossRestart(() => new SqliteStore({ path }));
  });

  it('a restart with a CookieStore and the same secrets → the counter goes on', async () => {
    await countsAcrossRestart(() => new CookieStore({ secrets: SECRETS }));
  });

  it('a restart on a MemoryStore → the counter starts again (the control case)', async () => {
    const jar = new Jar();
    const first = await serveExample(resource, manager({ store: new MemoryStore(), secrets: SECRETS }));
    expect(await counter(jar, first.url)).toBe('Counter: 1');
    await first.site.close();
    const second = await serveExample(resource, manager({ store: new MemoryStore(), secrets: SECRETS }));
    expect(await counter(jar, second.url)).toBe('Counter: 1');
  });

  it('POST → redirect to howdy, the flash message shown once, gone on reload', async () => {
    const { url } = await serveExample(resource);
    const jar = new Jar();
    await jar.fetch(`${url}/`);
    const posted = await jar.fetch(`${url}/`, { method: 'POST' });
    expect(posted.status).toBe(302);
    expect(posted.headers.get('location')).toBe('/howdy');
    const howdy = await (await jar.fetch(`${url}/howdy`)).text();
    expect(byId(howdy, 'flash')).toBe('<li class="flash">Your item was added.');
    const reload = await (await jar.fetch(`${url}/howdy`)).text();
    expect(byId(reload, 'flash')).toBeUndefined();
    expect(byId(reload, 'counter')).toBe('Counter: 3');
  });
});
