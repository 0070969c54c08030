import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { SessionStoreConfigError } from '../src/errors.js';
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

  it('a shared store that keeps no secret → DT_WARN_EPHEMERAL_SECRET once per process, at ready()', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await manager({ store: new SqliteStore({ path: ':memory:' }) }).ready();
    await manager({ store: new SqliteStore({ path: ':memory:' }) }).ready();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toEqual({ code: 'DT_WARN_EPHEMERAL_SECRET' });
    expect(String(warn.mock.calls[0]![0])).toMatch(/restart/);
    // Library advice: the option to pass (the dovetail command never gets here: its stores keep a secret).
    expect(String(warn.mock.calls[0]![0])).toMatch(/Pass secrets: \[\.\.\.\]/);
  });
});

describe('Sessions without secrets on a store that keeps one', () => {
  it('SQLite: the secret file beside the database is made once (mode 0600) and signs every manager on it', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const path = join(dir, 'kept', 'sessions.db');
    const a = manager({ store: new SqliteStore({ path }) });
    const b = manager({ store: new SqliteStore({ path }) });
    await Promise.all([a.ready(), b.ready()]);
    const secret = readFileSync(join(dir, 'kept', '.dovetail-secret'), 'utf8').trim();
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'kept', '.dovetail-secret')).mode & 0o777).toBe(0o600);
    const uid = 'u'.repeat(22);
    expect(a.sign(uid)).toBe(b.sign(uid));
    expect(a.sign(uid)).toBe(manager({ secrets: [secret] }).sign(uid));
    expect(warn).not.toHaveBeenCalled();
  });

  it('configured secrets win: no file is made', async () => {
    const path = join(dir, 'configured', 'sessions.db');
    const s = manager({ store: new SqliteStore({ path }), secrets: ['c'.repeat(32)] });
    await s.ready();
    expect(existsSync(join(dir, 'configured', '.dovetail-secret'))).toBe(false);
    expect(s.sign('u'.repeat(22))).toBe(manager({ secrets: ['c'.repeat(32)] }).sign('u'.repeat(22)));
  });

  it('an empty or short secret file → ready() fails with one line naming the file and saying how to make one', async () => {
    for (const [name, text] of [['empty', ''], ['short', 'short\n']] as const) {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, '.dovetail-secret'), text, { mode: 0o600 });
      const s = manager({ store: new SqliteStore({ path: join(dir, name, 'sessions.db') }) });
      const error = (await s.ready().catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(SessionStoreConfigError);
      expect(error.message).toMatch(new RegExp(`secret file .*${name}.*(empty|5 bytes long).*openssl rand -base64 32`));
      expect(error.message).not.toContain('\n');
    }
  });

  it('a secret file readable by group or others → DT_WARN_SECRET_FILE_MODE', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    mkdirSync(join(dir, 'open'), { recursive: true });
    writeFileSync(join(dir, 'open', '.dovetail-secret'), 'o'.repeat(40));
    chmodSync(join(dir, 'open', '.dovetail-secret'), 0o644);
    await manager({ store: new SqliteStore({ path: join(dir, 'open', 'sessions.db') }) }).ready();
    expect(warn.mock.calls.map((c) => c[1])).toEqual([{ code: 'DT_WARN_SECRET_FILE_MODE' }]);
    expect(String(warn.mock.calls[0]![0])).toMatch(/chmod 600/);
  });
});
