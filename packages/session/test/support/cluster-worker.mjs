// One process of redis-cluster.test.ts: plain Node, the built packages (packages/*/dist), the
// Sessions manager on a RedisStore over a Redis Cluster.
//
// argv[2] is JSON: { rootNodes, prefix, secret, cookies, increments, name, durability, commandTimeoutMs }.
// Prints "ready" once set up, waits for a line on stdin (so that every process starts at once),
// then runs `increments` units all in flight at once, unit i on cookie i % cookies.length: load →
// append a token (`<name>.<i>.<attempt>`) to the session's `tokens` → commit. A unit that fails
// with a store outage (503: SessionStoreError, SessionNotReplicatedError) or a conflict is tried again with a
// new token after 50 ms. Prints "acked <n>" every 100 acknowledged units, then one line
// "result <json>": the acknowledged tokens and how many attempts failed.
import { createInterface } from 'node:readline';
import { RedisStore, Sessions } from '@dovetail/session';

const job = JSON.parse(process.argv[2]);
// 503s, and the 409 of a lease lost in the failover (its commit refused, never an overwrite): a client repeats the request.
const RETRYABLE = new Set(['DT_SESSION_STORE_UNAVAILABLE', 'DT_SESSION_NOT_REPLICATED', 'DT_SESSION_BUSY', 'DT_SESSION_CONFLICT']);
const store = new RedisStore({
  cluster: { rootNodes: job.rootNodes },
  prefix: job.prefix,
  durability: job.durability,
  commandTimeoutMs: job.commandTimeoutMs,
  replicationTimeoutMs: 300,
});
const sessions = new Sessions({ store, secrets: [job.secret], sweepInterval: 0, lockWait: 60_000, logger: { error: () => undefined, warn: () => undefined, info: () => undefined } });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const acked = [];
let failures = 0;

const unit = async (i) => {
  const cookie = job.cookies[i % job.cookies.length];
  for (let attempt = 0; attempt < 1000; attempt++) {
    const token = `${job.name}.${i}.${attempt}`;
    let session;
    try {
      session = await sessions.load(cookie);
      if (!session) throw new Error(`session ${i % job.cookies.length} did not load`);
      session.set('tokens', [...session.get('tokens', []), token]);
      await sessions.commit(session);
      acked.push(token);
      if (acked.length % 100 === 0) process.stdout.write(`acked ${acked.length}\n`);
      return;
    } catch (e) {
      if (!RETRYABLE.has(e?.code)) throw e;
      failures++;
      if (session) await sessions.abort(session).catch(() => undefined);
      await sleep(50);
    }
  }
  throw new Error(`unit ${i} failed 1000 times`);
};

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();
try {
  await Promise.all(Array.from({ length: job.increments }, (_, i) => unit(i)));
  process.stdout.write(`result ${JSON.stringify({ acked, failures })}\n`);
} finally {
  await sessions.close();
}
