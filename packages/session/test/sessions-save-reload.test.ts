/**
 * `sessions.save(session)` (write now, keep holding), `sessions.reload(session)` (back to what was
 * last written, keep holding) and a session's own cookie lifetime (`cookieMaxAge`), on every
 * store: MemoryStore, SqliteStore (a temp dir), RedisStore (a real redis-server on loopback,
 * skipped when redis-server is missing unless CI=true) and CookieStore.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { registerAdapter } from '@dovetail/registry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { decode } from '../src/codec.js';
import { CookieStore } from '../src/cookie-store.js';
import { CookieMaxAgeError, SessionBusyError, SessionClosedError, SessionStoreConfigError } from '../src/errors.js';
import { MemoryStore } from '../src/memory-store.js';
import { RedisStore } from '../src/redis-store.js';
import { Session } from '../src/session.js';
import { Sessions } from '../src/sessions.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { isClientSide } from '../src/store.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';
import type { SessionRecord } from '../src/session-record.js';
import type { SessionStore } from '../src/store.js';

interface Tally {
  n: number;
}
const ITally = defineInterface<Tally>('dovetail.test.saveReload.ITally', { members: { n: Attribute('A count.') } });
@implementer(ITally)
class TallyAdapter implements Tally {
  n = 0;
  constructor(readonly session: Session) {}
}
registerAdapter(TallyAdapter, Session, ITally);

const dir = mkdtempSync(join(tmpdir(), 'dovetail-save-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
let server: RedisServer | undefined;
const redis = redisTestsEnabled();
if (redis) {
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });
}
let prefixes = 0;

const stores: [string, () => SessionStore][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore({ path: join(dir, `s${++files}.db`) })],
  ['CookieStore', () => new CookieStore({ secrets: [randomBytes(32).toString('base64url')] })],
];
if (redis) stores.push(['RedisStore', () => new RedisStore({ url: server!.url, prefix: `sr${++prefixes}:` })]);

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function manager(store: SessionStore): Sessions {
  const sessions = new Sessions({ store, secrets: ['a-test-secret-of-32-characters!!'], sweepInterval: 0, lockWait: 50 });
  managers.push(sessions);
  return sessions;
}

/** The record a server-side store keeps for `uid` (undefined when none). */
async function stored(sessions: Sessions, uid: string): Promise<SessionRecord | undefined> {
  const entry = await sessions.store.get(uid, sessions.now());
  return entry === undefined ? undefined : (decode(entry.payload) as SessionRecord);
}

describe.each(stores)('Sessions#save and #reload on %s', (_name, makeStore) => {
  it('save() of a new session → stored now, the handle still open and held; commit writes the rest', async () => {
    const sessions = manager(makeStore());
    const s = sessions.create();
    s.set('step', 1);
    await sessions.save(s);
    expect(s.isNew).toBe(false);
    const cookie = sessions.cookieValue(s);
    expect(cookie).not.toBe('');
    if (!isClientSide(sessions.store)) expect((await stored(sessions, s.uid))?.data).toEqual({ step: 1 });
    // Held: another request waits, then is refused (lockWait 50 ms).
    await expect(sessions.load(cookie)).rejects.toBeInstanceOf(SessionBusyError);
    s.set('step', 2);
    ITally(s).n = 5;
    await sessions.commit(s);
    const again = (await sessions.load(sessions.cookieValue(s)))!;
    expect([again.get('step'), ITally(again).n]).toEqual([2, 5]);
    await sessions.commit(again);
  });

  it('save() then the request fails (abort) → what was saved stays, the later changes are dropped', async () => {
    const sessions = manager(makeStore());
    const first = sessions.create();
    first.set('a', 1);
    await sessions.commit(first);
    const s = (await sessions.load(sessions.cookieValue(first)))!;
    s.set('a', 2);
    await sessions.save(s);
    s.set('a', 3);
    await sessions.abort(s);
    const again = (await sessions.load(sessions.cookieValue(s)))!;
    expect(again.get('a')).toBe(2);
    await sessions.commit(again);
  });

  it('regenerate() then save() → the old id is gone at once, the new one holds the data and stays held', async () => {
    const sessions = manager(makeStore());
    const first = sessions.create();
    first.set('user', 'ann');
    await sessions.commit(first);
    const oldCookie = sessions.cookieValue(first);
    const s = (await sessions.load(oldCookie))!;
    const oldUid = s.uid;
    s.regenerate();
    await sessions.save(s);
    expect(s.uid).not.toBe(oldUid);
    expect(await sessions.load(oldCookie)).toBeUndefined();
    await expect(sessions.load(sessions.cookieValue(s))).rejects.toBeInstanceOf(SessionBusyError);
    await sessions.commit(s);
    const again = (await sessions.load(sessions.cookieValue(s)))!;
    expect(again.get('user')).toBe('ann');
    await sessions.commit(again);
  });

  it('save() of a session nothing changed, new and unread → nothing stored, still held', async () => {
    const sessions = manager(makeStore());
    const s = sessions.create();
    await sessions.save(s);
    expect(sessions.cookieValue(s)).toBe('');
    expect(await sessions.store.count()).toBe(0);
    s.set('late', true);
    await sessions.commit(s);
    expect(sessions.cookieValue(s)).not.toBe('');
  });

  it('reload() → the data, components and regenerate() of the request are dropped; the handle stays open', async () => {
    const sessions = manager(makeStore());
    const first = sessions.create();
    first.set('a', 1);
    ITally(first).n = 1;
    await sessions.commit(first);
    const s = (await sessions.load(sessions.cookieValue(first)))!;
    const uid = s.uid;
    const tally = ITally(s);
    tally.n = 99;
    s.set('a', 2);
    s.set('b', 3);
    s.regenerate();
    sessions.reload(s);
    expect([s.uid, s.get('a'), s.has('b'), ITally(s).n]).toEqual([uid, 1, false, 1]);
    s.set('c', 4);
    await sessions.commit(s);
    const again = (await sessions.load(sessions.cookieValue(s)))!;
    expect([again.get('a'), again.get('c'), ITally(again).n]).toEqual([1, 4, 1]);
    await sessions.commit(again);
  });

  it('reload() after save() → back to what save() wrote; reload() of a new session → empty, nothing stored', async () => {
    const sessions = manager(makeStore());
    const s = sessions.create();
    s.set('a', 1);
    await sessions.save(s);
    s.set('a', 2);
    sessions.reload(s);
    expect(s.get('a')).toBe(1);
    await sessions.commit(s);

    const fresh = sessions.create();
    fresh.set('x', 1);
    ITally(fresh).n = 3;
    sessions.reload(fresh);
    expect([fresh.size, ITally(fresh).n]).toEqual([0, 0]);
    await sessions.commit(fresh);
    expect(sessions.cookieValue(fresh)).toBe('');
  });

  it('save() and reload() of a committed handle → SessionClosedError', async () => {
    const sessions = manager(makeStore());
    const s = sessions.create();
    s.set('a', 1);
    await sessions.commit(s);
    await expect(sessions.save(s)).rejects.toBeInstanceOf(SessionClosedError);
    expect(() => sessions.reload(s)).toThrow(SessionClosedError);
  });

  it('cookieMaxAge → kept with the session across requests; null and undefined too', async () => {
    const sessions = manager(makeStore());
    const s = sessions.create();
    expect(s.cookieMaxAge).toBeUndefined();
    s.cookieMaxAge = 30 * 86400;
    await sessions.commit(s);
    expect(sessions.cookieValue(s)).not.toBe('');
    const again = (await sessions.load(sessions.cookieValue(s)))!;
    expect(again.cookieMaxAge).toBe(30 * 86400);
    again.cookieMaxAge = null;
    await sessions.commit(again);
    const third = (await sessions.load(sessions.cookieValue(again)))!;
    expect(third.cookieMaxAge).toBeNull();
    third.cookieMaxAge = undefined;
    await sessions.commit(third);
    const fourth = (await sessions.load(sessions.cookieValue(third)))!;
    expect(fourth.cookieMaxAge).toBeUndefined();
    await sessions.commit(fourth);
  });
});

describe('cookie maxAge in seconds', () => {
  it('Sessions({ cookie: { maxAge: a day in milliseconds } }) → CookieMaxAgeError saying it looks like milliseconds and to write 86400', () => {
    const make = (): Sessions => new Sessions({ cookie: { maxAge: 24 * 60 * 60 * 1000 }, sweepInterval: 0 });
    expect(make).toThrow(CookieMaxAgeError);
    expect(make).toThrow(/86400000 seconds is 2 years, longer than browsers keep a cookie \(400 days\): it looks like milliseconds.*write 86400 \(1 day\)/);
  });

  it('thirty days in milliseconds (over ten years as seconds) → the same error, write 2592000', () => {
    expect(() => new Sessions({ cookie: { maxAge: 30 * 86400 * 1000 }, sweepInterval: 0 })).toThrow(/82 years.*looks like milliseconds.*write 2592000 \(30 days\)/);
  });

  it.each([0, -1, 1.5, Number.NaN, '3600'])('maxAge %p → CookieMaxAgeError (whole seconds from 1)', (value) => {
    expect(() => new Sessions({ cookie: { maxAge: value as number }, sweepInterval: 0 })).toThrow(/whole number of seconds from 1 to 34560000/);
  });

  it('400 days exactly → accepted; rolling that is not a boolean → SessionStoreConfigError', async () => {
    const sessions = new Sessions({ cookie: { maxAge: 400 * 86400, rolling: true }, sweepInterval: 0 });
    expect([sessions.cookie.maxAge, sessions.cookie.rolling]).toEqual([34_560_000, true]);
    await sessions.close();
    expect(() => new Sessions({ cookie: { rolling: 'yes' as unknown as boolean }, sweepInterval: 0 })).toThrow(SessionStoreConfigError);
  });

  it('session.cookieMaxAge = milliseconds → CookieMaxAgeError, the session unchanged', async () => {
    const sessions = manager(new MemoryStore());
    const s = sessions.create();
    expect(() => (s.cookieMaxAge = 7 * 86400 * 1000)).toThrow(/session\.cookieMaxAge.*looks like milliseconds.*write 604800 \(7 days\)/);
    expect(s.cookieMaxAge).toBeUndefined();
    await sessions.commit(s);
    expect(sessions.cookieValue(s)).toBe('');
  });
});
