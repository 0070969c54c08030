/**
 * The Nevow answer on session components, over HTTP.
 */
import { describe, expect, it } from '@jest/globals';
import { ICurrentUser, IUserManager, UserManager, cleanups, resource } from '../users/index.js';
import { Jar, byId, serveExample } from './support.js';

const login = (jar: Jar, url: string, name: string): Promise<Response> =>
  jar.fetch(`${url}/`, { method: 'POST', body: new URLSearchParams({ name }) });

describe('the users example (Nevow components)', () => {
  it('log in (POST) → redirected; the current user is set with setComponent, the user manager is kept across requests', async () => {
    const { url, sessions } = await serveExample(resource);
    const jar = new Jar();
    const posted = await login(jar, url, 'ada');
    expect(posted.status).toBe(302);
    expect(posted.headers.get('location')).toBe('/');
    let page = await (await jar.fetch(`${url}/`)).text();
    expect(byId(page, 'current')).toBe('Logged in as ada');
    expect(byId(page, 'seen')).toBe('Users seen in this session: ada');

    await login(jar, url, 'bob');
    page = await (await jar.fetch(`${url}/`)).text();
    expect(byId(page, 'current')).toBe('Logged in as bob');
    expect(byId(page, 'seen')).toBe('Users seen in this session: ada, bob');

    const session = (await sessions.load(jar.cookies.get('DOVETAIL_SESSION')!))!;
    try {
      expect(session.getComponent(ICurrentUser)).toEqual({ name: 'bob' });
      const manager = IUserManager(session);
      expect(manager).toBeInstanceOf(UserManager);
      expect(manager.users).toEqual(['ada', 'bob']);
      expect(IUserManager(session)).toBe(manager);
    } finally {
      await sessions.abort(session);
    }
  });

  it('logout → the session ends, its user manager is disposed (cleanup recorded), the next visit starts afresh and stores nothing until it changes', async () => {
    const { url } = await serveExample(resource);
    const jar = new Jar();
    await login(jar, url, 'ada');
    await login(jar, url, 'grace');
    const before = jar.cookies.get('DOVETAIL_SESSION');
    const cleaned = cleanups.length;

    const bye = await jar.fetch(`${url}/logout`);
    expect(byId(await bye.text(), 'bye')).toBe('Logged out.');
    expect(bye.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=; Max-Age=0;/)]);
    expect(cleanups.slice(cleaned)).toEqual(['user manager of 2 user(s) (ada, grace) cleaned up']);

    const fresh = await jar.fetch(`${url}/`);
    const page = await fresh.text();
    expect(byId(page, 'current')).toBe('Not logged in');
    expect(byId(page, 'seen')).toBe('Users seen in this session: none');
    expect(byId(page, 'cleanups')).toContain('(ada, grace) cleaned up');
    // A page that only reads the new session stores nothing and sets no cookie.
    expect(fresh.headers.getSetCookie()).toEqual([]);
    expect(jar.cookies.get('DOVETAIL_SESSION')).not.toBe(before);
  });
});
