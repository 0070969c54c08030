// A child process of multiprocess.test.ts: writes one session `writes` times through a SqliteStore
// on `path` (enough to start its checkpoint thread), closes the store, and only then says so —
// with nothing else keeping its event loop alive, as a script's last lines would be.
// argv[2] is JSON: { dir (the built packages/session/dist), path, writes }.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2]);
const { SqliteStore } = await import(pathToFileURL(join(job.dir, 'sqlite-store.js')).href);
const store = new SqliteStore({ path: job.path });
let version = 0;
for (let i = 0; i < job.writes; i++) version = await store.set('s', `{"n":${i}}`, Date.now() + 60_000, version);
await store.close();
console.log(`closed after ${version} writes`);
