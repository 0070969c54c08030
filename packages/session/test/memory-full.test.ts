/**
 * A full MemoryStore, through the `Sessions` manager: by default a new session is refused
 * (`SessionStoreError`, nothing dropped); with `whenFull: 'evict'` the least recently used
 * session makes room and `ISessionExpired` is notified for it. Time comes from the manager's clock.
 */
import { Registry } from '@dovetail/registry';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ISessionExpired } from '../src/contracts.js';
import { SessionStoreConfigError, SessionStoreError } from '../src/errors.js';
import { MemoryStore } from '../src/memory-store.js';
import { Sessions } from '../src/sessions.js';
import type { SessionEvent } from '../src/contracts.js';
import type { SessionsOptions } from '../src/sessions-options.js';

const SECRET = 'memory-full-secret-0123456789abcdef';
let now = Date.UTC(2032, 0, 1);
const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function setup(options: Partial<SessionsOptions>): { sessions: Sessions; ended: string[] } {
  const registry = new Registry({ name: 'memory-full' });
  const ended: string[] = [];
  registry.registerHandler((e: SessionEvent) => ended.push(String(e.object.get('name'))), [ISessionExpired]);
  const sessions = new Sessions({ registry, secrets: [SECRET], sweepInterval: 0, clock: () => now, ...options });
  managers.push(sessions);
  return { sessions, ended };
}

/** A committed session named `name`; returns its cookie value. */
async function stored(sessions: Sessions, name: string): Promise<string> {
  const s = sessions.create();
  s.set('name', name);
  await sessions.commit(s);
  return sessions.cookieValue(s);
}

describe('MemoryStore at maxSessions', () => {
  it("refuses a new session by default (SessionStoreError, the web layer's 503); every stored session stays", async () => {
    const { sessions, ended } = setup({ maxSessions: 2 });
    const a = await stored(sessions, 'a');
    const b = await stored(sessions, 'b');
    await expect(stored(sessions, 'c')).rejects.toBeInstanceOf(SessionStoreError);
    expect(ended).toEqual([]);
    for (const [cookie, name] of [[a, 'a'], [b, 'b']] as const) {
      const s = await sessions.load(cookie);
      expect(s?.get('name')).toBe(name);
      await sessions.commit(s!);
    }
    // A new visitor that only reads still gets an (unstored) session: the cap costs it nothing.
    const reader = sessions.create();
    expect(reader.get('name')).toBeUndefined();
    await sessions.commit(reader);
  });

  it("whenFull: 'evict' drops the least recently used session, notifies ISessionExpired for it, keeps the rest", async () => {
    const { sessions, ended } = setup({ maxSessions: 2, whenFull: 'evict' });
    const a = await stored(sessions, 'a');
    now += 1000;
    const b = await stored(sessions, 'b');
    now += 1000;
    const again = (await sessions.load(a))!; // a is used again: b is now the least recently used
    again.set('seen', true);
    await sessions.commit(again);
    now += 1000;
    const c = await stored(sessions, 'c');
    expect(ended).toEqual(['b']);
    expect(await sessions.load(b)).toBeUndefined();
    for (const [cookie, name] of [[a, 'a'], [c, 'c']] as const) {
      const s = await sessions.load(cookie);
      expect(s?.get('name')).toBe(name);
      await sessions.commit(s!);
    }
    expect((sessions.store as MemoryStore).size).toBe(2);
    expect(await sessions.sweep()).toBe(0); // b was ended once, at the eviction
    expect(ended).toEqual(['b']);
  });

  it('whenFull must be refuse or evict', () => {
    expect(() => new MemoryStore({ whenFull: 'drop' as 'evict' })).toThrow(SessionStoreConfigError);
  });
});
