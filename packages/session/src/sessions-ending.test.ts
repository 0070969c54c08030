/**
 * A sweep ends what it claims in bounded batches and lets the event loop run between them (a
 * sweep after a busy minute ends tens of thousands of sessions: in one go it stalled every
 * request of the process), and still ends each session exactly once, also with two managers
 * sweeping one store at the same time. Time comes from the managers' clock: no waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '@dovetail/registry';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { ISessionDataContainer, ISessionExpired } from './contracts.js';
import { MemoryStore } from './memory-store.js';
import { SWEEP_BATCH } from './sessions-ending.js';
import { Sessions } from './sessions.js';
import { SqliteStore } from './sqlite-store.js';
import type { SessionEvent } from './contracts.js';
import type { SessionStore } from './store.js';

const SECRET = 'sessions-ending-secret-0123456789abcdef';
let now = Date.UTC(2033, 0, 1);
const clock = (): number => now;
const managers: Sessions[] = [];
const dir = mkdtempSync(join(tmpdir(), 'dovetail-sweep-batches-'));
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A manager on `store` whose ISessionExpired handler records each ended session's name. */
function manager(store: SessionStore, ended: string[], registry = new Registry({ name: 'sweep-batches' })): Sessions {
  registry.registerHandler((e: SessionEvent) => ended.push(String(e.object.get('name'))), [ISessionExpired]);
  const sessions = new Sessions({ store, registry, secrets: [SECRET], sweepInterval: 0, timeout: 60, clock });
  managers.push(sessions);
  return sessions;
}

/** Stores `count` sessions named s0…, through `sessions`. */
async function fill(sessions: Sessions, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const s = sessions.create();
    s.set('name', `s${i}`);
    await sessions.commit(s);
  }
}

/** Counts, at every turn of the event loop until `done()`, how many sessions have ended by then. */
function turns(ended: readonly unknown[], done: () => boolean): number[] {
  const seen: number[] = [];
  const watch = (): void => {
    seen.push(ended.length);
    if (!done()) setImmediate(watch);
  };
  setImmediate(watch);
  return seen;
}

/** Records the `limit` of every `sweep` call `store` gets (how many sessions were asked for at once). */
function sweepLimits(store: MemoryStore): number[] {
  const limits: number[] = [];
  const sweep = store.sweep.bind(store);
  store.sweep = (at, limit) => {
    limits.push(limit);
    return sweep(at, limit);
  };
  return limits;
}

describe('Sessions#sweep in batches', () => {
  it(`ends ${2.5 * SWEEP_BATCH} expired sessions at most ${SWEEP_BATCH} per turn of the event loop, asking the store for no more at once`, async () => {
    const store = new MemoryStore({ clock });
    const limits = sweepLimits(store);
    const ended: string[] = [];
    const sessions = manager(store, ended);
    await fill(sessions, 2.5 * SWEEP_BATCH);
    now += 61_000;
    let finished = false;
    const seen = turns(ended, () => finished);
    const swept = sessions.sweep().finally(() => (finished = true));
    expect(await swept).toBe(2.5 * SWEEP_BATCH);
    expect(new Set(ended).size).toBe(2.5 * SWEEP_BATCH);
    expect(Math.max(...limits)).toBeLessThanOrEqual(SWEEP_BATCH);
    // Other work ran while the sweep was under way, between its batches, never more than a batch apart.
    expect(seen.some((n) => n > 0 && n < 2.5 * SWEEP_BATCH)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeLessThanOrEqual(SWEEP_BATCH);
  });

  it('two managers sweeping one SQLite store at the same time, batch by batch: each session ends exactly once', async () => {
    const path = join(dir, 'shared.db');
    const endedA: string[] = [];
    const endedB: string[] = [];
    const a = manager(new SqliteStore({ path, clock }), endedA);
    const b = manager(new SqliteStore({ path, clock }), endedB);
    await fill(a, 3 * SWEEP_BATCH + 7);
    now += 121_000; // a shared store keeps a session its timeout and the last-access resolution (60 s)
    const [byA, byB] = await Promise.all([a.sweep(), b.sweep()]);
    expect(byA + byB).toBe(3 * SWEEP_BATCH + 7);
    expect(endedA.length).toBe(byA);
    expect(endedB.length).toBe(byB);
    const all = [...endedA, ...endedB].sort();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(Array.from({ length: 3 * SWEEP_BATCH + 7 }, (_, i) => `s${i}`).sort());
    // They took turns: both got some (each yields between batches).
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(await a.sweep()).toBe(0);
  });

  it(`the store of a routed namespace: everything expired in it goes, ${SWEEP_BATCH} per turn of the event loop`, async () => {
    const side = new MemoryStore({ clock });
    const limits = sweepLimits(side);
    const registry = new Registry({ name: 'sweep-batches-routed' });
    registry.registerUtility(side, ISessionDataContainer, { name: 'products.cart' });
    const sessions = manager(new MemoryStore({ clock }), [], registry);
    // Entries left behind by a process that died: no session of this manager owns them.
    for (let i = 0; i < 2.5 * SWEEP_BATCH; i++) side.set(`orphan${i}`, '{}', now + 1000, 0);
    side.set('later', '{}', now + 3_600_000, 0);
    now += 2000;
    let finished = false;
    const seen = turns(limits, () => finished);
    await sessions.sweep().finally(() => (finished = true));
    expect(side.count()).toBe(1);
    expect(Math.max(...limits)).toBeLessThanOrEqual(SWEEP_BATCH);
    expect(seen.some((n) => n > 0 && n < limits.length)).toBe(true); // other work ran between its batches
  });
});
