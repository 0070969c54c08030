/**
 * zope.session's "Zope3 Session Implementation", over HTTP.
 */
import { describe, expect, it } from '@jest/globals';
import { barContainer, resource } from '../zope/index.js';
import { Jar, byId, manager, serveExample } from './support.js';

const show = async (jar: Jar, url: string, query = ''): Promise<Record<string, string | undefined>> => {
  const page = await (await jar.fetch(`${url}/${query}`)).text();
  return { foo: byId(page, 'foo'), bar: byId(page, 'bar'), timeout: byId(page, 'timeout'), client: byId(page, 'client') };
};

describe('the zope example (package data)', () => {
  it('products.foo and products.bar → separate package data', async () => {
    const { url } = await serveExample(resource);
    const jar = new Jar();
    expect(await show(jar, url)).toMatchObject({
      foo: 'products.foo color: red',
      bar: 'products.bar color: blue (kept in the products.bar container)',
    });
    expect(await show(jar, url, '?color=green')).toMatchObject({
      foo: 'products.foo color: green',
      bar: 'products.bar color: blue (kept in the products.bar container)',
    });
    expect((await show(jar, url)).foo).toBe('products.foo color: green');
  });

  it('products.bar data → stored in the named container, products.foo in the default store', async () => {
    const { url, sessions } = await serveExample(resource);
    const jar = new Jar();
    await show(jar, url, '?color=green');
    const session = (await sessions.load(jar.cookies.get('DOVETAIL_SESSION')!))!;
    const uid = session.uid;
    await sessions.abort(session);
    const now = Date.now();
    const bar = await barContainer.get(`${uid}/products.bar`, now);
    expect(bar?.payload).toContain('blue');
    expect(bar?.payload).not.toContain('green');
    const main = await sessions.store.get(uid, now);
    expect(main?.payload).toContain('green');
    expect(main?.payload).not.toContain('blue');
  });

  it('/oops (a function stored) → 500, and the data unchanged afterwards', async () => {
    const { url, errors } = await serveExample(resource);
    const jar = new Jar();
    await show(jar, url, '?color=green');
    const oops = await jar.fetch(`${url}/oops`);
    expect(oops.status).toBe(500);
    expect(await oops.text()).not.toContain('never shows');
    expect((errors[0] as Error).name).toBe('SessionDataError');
    expect(await show(jar, url)).toMatchObject({
      foo: 'products.foo color: green',
      bar: 'products.bar color: blue (kept in the products.bar container)',
    });
  });

  it('the session timeout → shown on the page', async () => {
    const { url } = await serveExample(resource, manager({ timeout: 600 }));
    expect((await show(new Jar(), url)).timeout).toBe('Timeout: 600 s');
  });
});
