/**
 * `dovetail sessions --store sqlite:PATH [ID]` in a child process, on a real SQLite file written
 * by a `Sessions` manager in this process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sessions, SqliteStore } from '@dovetail/session';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildIfMissing, CLI, ROOT } from './support/cli.js';

let dir: string;
let uid: string;
/** Ids are base64url: one in 64 begins with '-'. */
const DASHED = '-' + 'A'.repeat(42);

beforeAll(async () => {
  buildIfMissing();
  dir = mkdtempSync(join(tmpdir(), 'dovetail-cli-sessions-'));
  const store = new SqliteStore({ path: join(dir, 's.db') });
  const sessions = new Sessions({ store, secrets: ['cli-sessions-command-secret-0123456789'], sweepInterval: 0 });
  const session = sessions.create();
  session.set('name', '<b>alice</b>');
  session.namespace('products.foo').set('color', 'red');
  await sessions.commit(session);
  uid = session.uid;
  const entry = (await store.get(uid, Date.now()))!;
  await store.set(DASHED, entry.payload, entry.expires, 0);
  await sessions.close();
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'sessions', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

it('--store sqlite:PATH → the count, then one line per session (id, version, expiry), exit 0', () => {
  const { status, stdout } = run('--store', `sqlite:${join(dir, 's.db')}`);
  expect(status).toBe(0);
  expect(stdout).toMatch(/^2 sessions in sqlite:/);
  expect(stdout).toContain(`\n${uid}  version 1  expires 20`);
});

it("--store sqlite:PATH ID → that session's data and package data; an unknown id → one line, exit 2", () => {
  const shown = run('--store', `sqlite:${join(dir, 's.db')}`, uid);
  // stderr first: when the command fails, the failure says why.
  expect(shown.stderr).toBe('');
  expect(shown.status).toBe(0);
  expect(shown.stdout).toContain("name: '<b>alice</b>'");
  expect(shown.stdout).toMatch(/'products\.foo': \{ color: 'red' \}/);
  const unknown = run('--store', `sqlite:${join(dir, 's.db')}`, 'nope');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/^dovetail: No live session 'nope' in sqlite:.*dovetail sessions --store/);
});

it('a file an exclusive store keeps to itself (a server running with sqlite+exclusive:) → one line saying so and what to do, exit 2', async () => {
  const path = join(dir, 'exclusive.db');
  const held = await SqliteStore.open({ path, exclusive: true });
  try {
    const { status, stderr } = run('--store', `sqlite:${path}`);
    expect(status).toBe(2);
    expect(stderr).toBe(
      `dovetail: --store sqlite:${path} is not usable: could not open the database: database is locked. ` +
        'Another process holds it, most likely a SqliteStore opened with `exclusive: true`, which keeps its file to itself: stop that process, or open every one without `exclusive`.\n',
    );
  } finally {
    await held.close();
  }
}, 40_000); // the command gives the other process 10 s to finish opening

it("an id that begins with '-' is an id, not an option", () => {
  const shown = run('--store', `sqlite:${join(dir, 's.db')}`, DASHED);
  expect(shown.stderr).toBe('');
  expect(shown.status).toBe(0);
  expect(shown.stdout).toContain("name: '<b>alice</b>'");
});

it('without --store → the usage line, exit 2', () => {
  const { status, stderr } = run();
  expect(status).toBe(2);
  expect(stderr.trim()).toBe('dovetail: usage: dovetail sessions --store sqlite:PATH|redis://HOST:PORT [ID]');
});
