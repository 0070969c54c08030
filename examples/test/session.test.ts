/**
 * Twisted Web's "Session Basics", over HTTP.
 */
import { describe, expect, it } from '@jest/globals';
import { resource } from '../session/index.js';
import { Jar, serveExample } from './support.js';

const uidOf = (text: string): string => /^Your session id is: ([A-Za-z0-9_-]+)$/.exec(text)![1]!;

describe('the session example (Twisted\'s Session Basics)', () => {
  it('/ shows the uid, /expire expires it (clearing cookie), the next visit shows a new uid', async () => {
    const { url } = await serveExample(resource);
    const jar = new Jar();
    const uid = uidOf(await (await jar.fetch(`${url}/`)).text());
    expect(uid.length).toBeGreaterThanOrEqual(22);
    expect(uidOf(await (await jar.fetch(`${url}/`)).text())).toBe(uid);
    const expired = await jar.fetch(`${url}/expire`);
    expect(await expired.text()).toBe('Your session has been expired.');
    expect(expired.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=; Max-Age=0;/)]);
    const next = uidOf(await (await jar.fetch(`${url}/`)).text());
    expect(next).not.toBe(uid);
    expect(uidOf(await (await jar.fetch(`${url}/`)).text())).toBe(next);
  });
});
