// One process of the multi-process test (sessions-multiprocess.test.ts): plain Node, the built
// packages (packages/*/dist), the Sessions manager on a shared SqliteStore file or Redis server.
//
// argv: <sqlite|redis> <path|url> <prefix> <secret> <cookie value> <units>
// Prints "ready" once set up, waits for a line on stdin (so that every process starts at once),
// runs <units> load → ICounter(session).value += 1 → macrotask → commit units, all in flight at
// once, prints "done <n>" and exits.
import { createInterface } from 'node:readline';
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { Registry, withRegistry } from '@dovetail/registry';
import { RedisStore, Session, Sessions, SqliteStore } from '@dovetail/session';

const [kind, target, prefix, secret, cookie, unitsArg] = process.argv.slice(2);
const units = Number(unitsArg);

const ICounter = defineInterface('dovetail.test.multiprocess.ICounter', { members: { value: Attribute('Counts.') } });
class Counter {
  value = 0;
  constructor(session) {
    this.session = session;
  }
}
implementer(ICounter)(Counter);

const registry = new Registry({ name: `worker-${process.pid}` });
registry.registerAdapter(Counter, Session, ICounter);
const store = kind === 'sqlite' ? new SqliteStore({ path: target }) : new RedisStore({ url: target, prefix });
const sessions = new Sessions({ store, registry, secrets: [secret], sweepInterval: 0, lockWait: 60_000 });

const unit = async () => {
  const session = await sessions.load(cookie);
  if (!session) throw new Error('the session did not load');
  withRegistry(registry, () => {
    ICounter(session).value += 1;
  });
  await new Promise((resolve) => setImmediate(resolve));
  await sessions.commit(session);
};

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();
try {
  await Promise.all(Array.from({ length: units }, unit));
  process.stdout.write(`done ${units}\n`);
} finally {
  await sessions.close();
}
