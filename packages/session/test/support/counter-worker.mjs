// A child process of multiprocess.test.ts: increments one session's counter `iterations` times
// through a real store, each time lock (with retry) → get → compare-and-set → unlock.
// argv[2] is JSON (dir: the built packages/session/dist): { dir, kind: 'sqlite' | 'redis', path?, url?, prefix?, id, iterations, owner }.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2]);
const load = (name) => import(pathToFileURL(join(job.dir, `${name}.js`)).href);

const store =
  job.kind === 'sqlite'
    ? new (await load('sqlite-store')).SqliteStore({ path: job.path })
    : new (await load('redis-store')).RedisStore({ url: job.url, prefix: job.prefix });

let lockRetries = 0;
let conflicts = 0;
try {
  for (let i = 0; i < job.iterations; i++) {
    while (!(await store.lock(job.id, job.owner, 5000))) {
      lockRetries++;
      await new Promise((r) => setImmediate(r));
    }
    try {
      const now = Date.now();
      const entry = await store.get(job.id, now);
      if (!entry) throw new Error('the session vanished');
      const counter = JSON.parse(entry.payload).counter;
      const v = await store.set(job.id, JSON.stringify({ counter: counter + 1 }), now + 3_600_000, entry.version);
      if (v === undefined) {
        conflicts++; // would be a lost update without the lock; retry this iteration
        i--;
      }
    } finally {
      await store.unlock(job.id, job.owner);
    }
  }
  process.send({ ok: true, lockRetries, conflicts });
} catch (e) {
  process.send({ ok: false, error: String(e?.stack ?? e) });
  process.exitCode = 1;
} finally {
  await store.close();
}
