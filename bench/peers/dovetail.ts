/**
 * dovetail as users run it: `dovetail serve examples/dist/demo/index.js --store …` with
 * `DOVETAIL_SECRETS` set, the demo's /counter page (Twisted's counter: `ICounter(session)` through a
 * registered adapter), on each of the three server-side stores; and, opt-in (the `scale` set of
 * BENCH_PEERS), with 2 workers on SQLite and Redis, and on a 3-master Redis Cluster.
 *
 * `BENCH_BASE=<checkout>` adds the same three servers run from another built checkout (opt-in
 * peers `base-dovetail-memory|sqlite|redis|sqlite-2w|redis-2w`): a lever's before and after measured in one run,
 * interleaved, e.g. `BENCH_BASE=/tmp/main BENCH_PEERS=bare-node,base-dovetail-sqlite,dovetail-sqlite`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Peer, PeerCommand, PeerContext } from './peer.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function serve(store: (context: PeerContext) => string, root = ROOT, workers = 1): (context: PeerContext) => PeerCommand {
  return (context) => ({
    args: [
      join(root, 'packages/web/dist/cli.js'), 'serve', join(root, 'examples/dist/demo/index.js'),
      '--host', '127.0.0.1', '--port', '0', '--store', store(context),
      ...(workers > 1 ? ['--workers', String(workers)] : []),
    ],
    env: { DOVETAIL_SECRETS: context.secret },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    path: '/counter',
  });
}

const own: Peer[] = [
  {
    name: 'dovetail-memory',
    description: 'dovetail serve --store memory (MemoryStore)',
    command: serve(() => 'memory'),
  },
  {
    name: 'dovetail-sqlite',
    description: 'dovetail serve --store sqlite: (SqliteStore, WAL, synchronous=NORMAL)',
    command: serve((context) => `sqlite:${join(context.dir, 'sessions.db')}`),
  },
  {
    name: 'dovetail-redis',
    description: 'dovetail serve --store redis:// (RedisStore)',
    needsRedis: true,
    command: serve((context) => context.redisUrl!),
  },
  {
    name: 'dovetail-sqlite-2w',
    description: 'dovetail serve --workers 2 --store sqlite: (two node:cluster workers, one file)',
    optIn: true,
    command: serve((context) => `sqlite:${join(context.dir, 'sessions.db')}`, ROOT, 2),
  },
  {
    name: 'dovetail-redis-2w',
    description: 'dovetail serve --workers 2 --store redis:// (two node:cluster workers)',
    needsRedis: true,
    optIn: true,
    command: serve((context) => context.redisUrl!, ROOT, 2),
  },
  {
    name: 'dovetail-redis-cluster',
    description: 'dovetail serve --store redis+cluster:// (RedisStore on a 3-master Redis Cluster, no replicas)',
    needsRedisCluster: true,
    optIn: true,
    command: serve((context) => context.redisCluster!),
  },
];

const base = process.env.BENCH_BASE;

/** The servers, and with BENCH_BASE the three single-process ones and SQLite and Redis with 2 workers from that checkout (opt-in). */
export const peers: Peer[] = base
  ? [
      ...own,
      { ...own[0]!, name: 'base-dovetail-memory', description: `${own[0]!.description}, from ${base}`, optIn: true, command: serve(() => 'memory', base) },
      { ...own[1]!, name: 'base-dovetail-sqlite', description: `${own[1]!.description}, from ${base}`, optIn: true, command: serve((context) => `sqlite:${join(context.dir, 'sessions.db')}`, base) },
      { ...own[2]!, name: 'base-dovetail-redis', description: `${own[2]!.description}, from ${base}`, optIn: true, command: serve((context) => context.redisUrl!, base) },
      { ...own[3]!, name: 'base-dovetail-sqlite-2w', description: `${own[3]!.description}, from ${base}`, optIn: true, command: serve((context) => `sqlite:${join(context.dir, 'sessions.db')}`, base, 2) },
      { ...own[4]!, name: 'base-dovetail-redis-2w', description: `${own[4]!.description}, from ${base}`, optIn: true, command: serve((context) => context.redisUrl!, base, 2) },
    ]
  : own;
