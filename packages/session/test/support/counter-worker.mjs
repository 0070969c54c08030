// A child process of multiprocess.test.ts: increments one session's counter `iterations` times
// through a real store, each time lock-and-load (`acquire`, retried while busy) → write-and-release
// (`commit`).
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
    let got;
    while ((got = await store.acquire(job.id, job.owner, 5000, Date.now())).state === 'busy') {
      lockRetries++;
      await new Promise((r) => setImmediate(r));
    }
    if (got.state !== 'held') throw new Error('the session vanished');
    const counter = JSON.parse(got.entry.payload).counter;
    const v = await store.commit(job.id, job.owner, JSON.stringify({ counter: counter + 1 }), Date.now() + 3_600_000, got.entry.version);
    if (v === undefined) {
      conflicts++; // would be a lost update without the lease; retry this iteration
      await store.release(job.id, job.owner);
      i--;
    }
  }
  process.send({ ok: true, lockRetries, conflicts });
} catch (e) {
  process.send({ ok: false, error: String(e?.stack ?? e) });
  process.exitCode = 1;
} finally {
  await store.close();
}
