import { MemoryStore, RedisStore, SqliteStore } from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import { makeStore } from './cli-store.js';
import { CliError } from './errors.js';

describe('makeStore', () => {
  it('memory, sqlite:PATH, sqlite+exclusive:PATH, redis://… → the store of that kind', async () => {
    expect(makeStore('memory', undefined)).toBeInstanceOf(MemoryStore);
    expect(makeStore('sqlite:/tmp/x.db', undefined)).toBeInstanceOf(SqliteStore);
    const exclusive = makeStore('sqlite+exclusive:/tmp/x.db', undefined);
    expect(exclusive).toBeInstanceOf(SqliteStore);
    expect(exclusive.name).toBe('sqlite+exclusive:/tmp/x.db');
    expect(makeStore('sqlite:/tmp/x.db', undefined).name).toBe('sqlite:/tmp/x.db');
    const redis = makeStore('redis://:pw@127.0.0.1:6379?durability=replicated', undefined);
    expect(redis).toBeInstanceOf(RedisStore);
    expect(redis.name).toBe('redis://:***@127.0.0.1:6379');
  });

  it('redis+cluster://HOST:PORT,HOST:PORT → a RedisStore on a cluster with those root nodes', () => {
    const store = makeStore('redis+cluster://:secret@10.0.0.1:7000,10.0.0.2:7001?durability=replicated', undefined);
    expect(store).toBeInstanceOf(RedisStore);
    expect(store.name).toBe('redis+cluster://10.0.0.1:7000,10.0.0.2:7001');
    expect(store.name).not.toContain('secret');
    expect(makeStore('rediss+cluster://10.0.0.1:7000', undefined).name).toBe('rediss+cluster://10.0.0.1:7000');
  });

  it('a cluster host without a port, an unknown query, an unknown form → CliError, exit 2, naming the forms', () => {
    for (const spec of ['redis+cluster://10.0.0.1', 'redis+cluster://10.0.0.1:7000?durability=always', 'redis://h:1?db=2', 'mysql://x']) {
      let error: unknown;
      try {
        makeStore(spec, undefined);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
    }
    expect(() => makeStore('mysql://x', undefined)).toThrow(/memory, sqlite:PATH, sqlite\+exclusive:PATH, redis:\/\/HOST:PORT or redis\+cluster:\/\/HOST:PORT,HOST:PORT/);
    expect(() => makeStore('sqlite+exclusive:', undefined)).toThrow('--store sqlite+exclusive: needs a path, e.g. --store sqlite+exclusive:var/sessions.db');
  });
});
