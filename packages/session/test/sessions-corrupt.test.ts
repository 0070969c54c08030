/**
 * A corrupt stored record never locks a user out: every field is checked on load; one that fails
 * is logged once (naming the field) and the id is treated as unknown, so the visitor gets a new
 * session instead of a 503 or 409 that lasts until the record expires.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { decode, encode } from '../src/codec.js';
import { SessionStoreConfigError } from '../src/errors.js';
import { Sessions } from '../src/sessions.js';
import { SqliteStore } from '../src/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'dovetail-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'corrupt-records-secret-0123456789abcdef';
let n = 0;

/** A committed session whose stored record then gets `change` applied, straight in the database. */
async function corrupted(change: (record: Record<string, unknown>) => void, version?: number) {
  const path = join(dir, `s${++n}.db`);
  const errors: string[] = [];
  const sessions = new Sessions({ store: new SqliteStore({ path }), secrets: [SECRET], sweepInterval: 0, logger: { error: (m) => errors.push(m), warn: (m) => errors.push(m), info: () => undefined } });
  const session = sessions.create();
  session.set('n', 1);
  await sessions.commit(session);
  const db = new Database(path);
  const row = db.prepare('SELECT payload FROM dovetail_sessions WHERE id = ?').get(session.uid) as { payload: string };
  const record = decode(row.payload) as Record<string, unknown>;
  change(record);
  db.prepare('UPDATE dovetail_sessions SET payload = ?, version = ? WHERE id = ?').run(encode(record), version ?? 1, session.uid);
  db.close();
  return { sessions, cookie: sessions.sign(session.uid), errors };
}

describe('Sessions#load of a corrupt record', () => {
  it.each([
    ['timeout', (r: Record<string, unknown>) => (r['timeout'] = 'x')],
    ['timeout', (r: Record<string, unknown>) => (r['timeout'] = 1e20)],
    ['created', (r: Record<string, unknown>) => delete r['created']],
    ['secure', (r: Record<string, unknown>) => (r['secure'] = 'yes')],
    ['data', (r: Record<string, unknown>) => (r['data'] = [1, 2])],
    ["components['x']", (r: Record<string, unknown>) => (r['components'] = { x: 5 })],
  ])("bad field '%s' → undefined (a new session), logged once naming the field", async (field, change) => {
    const { sessions, cookie, errors } = await corrupted(change);
    try {
      expect(await sessions.load(cookie)).toBeUndefined();
      expect(await sessions.load(cookie)).toBeUndefined();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`field '${field}'`);
      expect(errors[0]).toMatch(/is corrupt and is treated as unknown/);
      // The visitor goes on with a new session: nothing stays locked.
      const fresh = sessions.create();
      fresh.set('n', 2);
      await sessions.commit(fresh);
      expect((await sessions.load(sessions.sign(fresh.uid)))?.get('n')).toBe(2);
    } finally {
      await sessions.close();
    }
  });

  it("version -1 → undefined, logged naming 'version' (not a 409 forever)", async () => {
    const { sessions, cookie, errors } = await corrupted(() => undefined, -1);
    try {
      expect(await sessions.load(cookie)).toBeUndefined();
      expect(errors.join()).toContain("field 'version' is -1");
    } finally {
      await sessions.close();
    }
  });
});

describe('Sessions option timeout', () => {
  it('over 400 days, negative or not a number → SessionStoreConfigError', () => {
    expect(() => new Sessions({ timeout: 1e20 })).toThrow(SessionStoreConfigError);
    expect(() => new Sessions({ timeout: 400 * 86400 + 1 })).toThrow(/over 400 days/);
    expect(() => new Sessions({ timeout: -1 })).toThrow(SessionStoreConfigError);
    expect(new Sessions({ timeout: 400 * 86400, sweepInterval: 0 }).timeout).toBe(400 * 86400);
  });
});
