import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { SessionStoreError } from './errors.js';
import { SqliteStore } from './sqlite-store.js';

const FAR = 4_102_444_800_000;
let dir: string;
let path: string;
let observer: Database.Database | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dovetail-group-'));
  path = join(dir, 'sessions.db');
});
afterEach(() => {
  observer?.close();
  observer = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** What another connection to the file sees: the committed rows only. */
function committed(): string[] {
  observer ??= new Database(path, { readonly: true });
  return (observer.prepare('SELECT id FROM dovetail_sessions ORDER BY id').all() as { id: string }[]).map((r) => r.id);
}

async function openStore(busyTimeoutMs = 100): Promise<SqliteStore> {
  const store = await SqliteStore.open({ path, busyTimeoutMs });
  // Start from a fresh turn: the next write is the first of its turn.
  await new Promise((resolve) => setImmediate(resolve));
  return store;
}

describe('SqliteStore group commit', () => {
  it('writes the first call of a turn at once, and the rest of the turn together, acknowledged only once committed', async () => {
    const store = await openStore();
    expect(store.set('a', 'A', FAR, 0)).toBe(1);
    expect(committed()).toEqual(['a']);
    const b = store.set('b', 'B', FAR, 0);
    const c = store.set('c', 'C', FAR, 0);
    expect(b).toBeInstanceOf(Promise);
    expect(committed()).toEqual(['a']);
    await expect(Promise.all([b, c])).resolves.toEqual([1, 1]);
    expect(committed()).toEqual(['a', 'b', 'c']);
    await store.close();
  });

  it('under load, writes the first call of a turn with the rest of it; once a turn writes alone, at once again', async () => {
    const store = await openStore();
    expect(store.set('a', 'A', FAR, 0)).toBe(1);
    await store.set('b', 'B', FAR, 0); // this turn wrote twice: requests are arriving together
    const c = store.set('c', 'C', FAR, 0); // the first write of the next turn
    expect(c).toBeInstanceOf(Promise);
    expect(committed()).toEqual(['a', 'b']);
    await expect(c).resolves.toBe(1);
    expect(committed()).toEqual(['a', 'b', 'c']);
    expect(store.set('d', 'D', FAR, 0)).toBe(1); // c's turn wrote once
    expect(committed()).toEqual(['a', 'b', 'c', 'd']);
    await store.close();
  });

  it('keeps call order: a read made after queued writes sees them', async () => {
    const store = await openStore();
    expect(store.set('a', 'A', FAR, 0)).toBe(1);
    void store.set('b', 'B', FAR, 0);
    await expect(store.get('b', 0)).resolves.toMatchObject({ payload: 'B', version: 1 });
    await store.close();
  });

  it('fails a statement that fails alone, and writes the rest of its group', async () => {
    const store = await openStore();
    expect(store.set('a', 'A', FAR, 0)).toBe(1);
    const bad = store.set('bad', null as unknown as string, FAR, 0);
    const good = store.set('good', 'G', FAR, 0);
    await expect(bad).rejects.toThrow(SessionStoreError);
    await expect(good).resolves.toBe(1);
    expect(committed()).toEqual(['a', 'good']);
    await store.close();
  });

  it('while another process holds the database, answers busy to acquire, fails the other writes and writes none of them', async () => {
    const store = await openStore(0);
    expect(store.set('a', 'A', FAR, 0)).toBe(1);
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const acquired = store.acquire('a', 'me', 5_000, 0);
    const written = store.set('d', 'D', FAR, 0);
    await expect(acquired).resolves.toEqual({ state: 'busy' });
    await expect(written).rejects.toThrow(SessionStoreError);
    holder.exec('ROLLBACK');
    holder.close();
    expect(committed()).toEqual(['a']);
    expect(await store.acquire('a', 'other', 5_000, 0)).toMatchObject({ state: 'held' });
    await store.close();
  });

  it('waits for another process holding the database without stopping the event loop, then writes', async () => {
    const store = await openStore(60_000);
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const first = store.set('a', 'A', FAR, 0);
    expect(first).toBeInstanceOf(Promise);
    const acquired = store.acquire('a', 'me', 5_000, 0);
    let settled = false;
    void Promise.all([first, acquired]).then(() => (settled = true));
    // The event loop keeps turning (and the queue keeps being tried) while the lock is held.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    holder.exec('ROLLBACK');
    holder.close();
    await expect(first).resolves.toBe(1);
    await expect(acquired).resolves.toMatchObject({ state: 'held', entry: { payload: 'A' } });
    expect(committed()).toEqual(['a']);
    await store.close();
  });

  it('writes what is queued before the database closes', async () => {
    const store = await openStore();
    expect(store.set('a', 'A', FAR, 0)).toBe(1);
    const b = store.set('b', 'B', FAR, 0);
    await store.close();
    await expect(b).resolves.toBe(1);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('ends the turn on its own when the application fakes timers', async () => {
    const store = await openStore();
    jest.useFakeTimers();
    try {
      expect(store.set('a', 'A', FAR, 0)).toBe(1);
      await expect(store.set('b', 'B', FAR, 0)).resolves.toBe(1);
    } finally {
      jest.useRealTimers();
    }
    await store.close();
  });
});
