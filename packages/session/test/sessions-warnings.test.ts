import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryStore } from '../src/memory-store.js';
import { Sessions } from '../src/sessions.js';
import { SqliteStore } from '../src/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'dovetail-warn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const opened: Sessions[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function manager(options: ConstructorParameters<typeof Sessions>[0]): Sessions {
  const sessions = new Sessions({ sweepInterval: 0, ...options });
  opened.push(sessions);
  return sessions;
}

describe('Sessions without secrets', () => {
  it('a memory store → no warning (sessions die with the process anyway)', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    manager({ store: new MemoryStore() });
    expect(warn).not.toHaveBeenCalled();
  });

  it('a durable store with secrets → no warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    manager({ store: new SqliteStore({ path: join(dir, 'a.db') }), secrets: ['s'.repeat(32)] });
    expect(warn).not.toHaveBeenCalled();
  });

  it('a durable store without secrets → DT_WARN_EPHEMERAL_SECRET once per process', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    manager({ store: new SqliteStore({ path: join(dir, 'b.db') }) });
    manager({ store: new SqliteStore({ path: join(dir, 'c.db') }) });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toEqual({ code: 'DT_WARN_EPHEMERAL_SECRET' });
    expect(String(warn.mock.calls[0]![0])).toMatch(/restart/);
  });
});
