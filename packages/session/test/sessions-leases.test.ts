/**
 * Leases through the manager, two `Sessions` on one SQLite file as two processes would have
 * them: a request whose lease lapsed and was taken over gets `SessionConflictError` at commit,
 * never an overwrite; a lease left by a manager that vanished blocks only until it lapses.
 * The store's clock is moved by hand (no real waiting).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from '@jest/globals';
import { SessionBusyError, SessionConflictError } from '../src/errors.js';
import { Sessions } from '../src/sessions.js';
import { SqliteStore } from '../src/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'dovetail-leases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'leases-through-the-manager-0123456789';
const LEASE = 60_000; // long in real time: the renewal timer (every 20 s) never fires during a test
const opened: Sessions[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

let n = 0;
function twoProcesses(): { a: Sessions; b: Sessions; advance(ms: number): void } {
  let now = Date.now();
  const clock = (): number => now;
  const path = join(dir, `s${++n}.db`);
  const make = (): Sessions => {
    const s = new Sessions({ store: new SqliteStore({ path, clock }), secrets: [SECRET], sweepInterval: 0, lockLease: LEASE, lockWait: 50 });
    opened.push(s);
    return s;
  };
  return { a: make(), b: make(), advance: (ms) => void (now += ms) };
}

it('a lease that lapsed mid-request and was taken over → SessionConflictError at commit; the other write stays', async () => {
  const { a, b, advance } = twoProcesses();
  const s = a.create();
  s.set('n', 1);
  await a.commit(s);
  const cookie = a.sign(s.uid);

  const slow = (await a.load(cookie))!; // holds the lease…
  advance(LEASE + 1); // …and stalls past it
  const fast = (await b.load(cookie))!;
  fast.set('n', 2);
  await b.commit(fast);
  slow.set('n', 99);
  await expect(a.commit(slow)).rejects.toBeInstanceOf(SessionConflictError);
  expect((await b.load(cookie))?.get('n')).toBe(2);
});

it('a lease held by another process → busy until it lapses, then the session answers', async () => {
  const { a, b, advance } = twoProcesses();
  const s = a.create();
  s.set('n', 1);
  await a.commit(s);
  const cookie = a.sign(s.uid);
  await a.load(cookie); // held, never committed: as if its process died
  await expect(b.load(cookie)).rejects.toBeInstanceOf(SessionBusyError);
  advance(LEASE + 1);
  expect((await b.load(cookie))?.get('n')).toBe(1);
});
