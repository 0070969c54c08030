/**
 * dovetail as users run it: `dovetail serve examples/dist/demo/index.js --store …` with
 * `DOVETAIL_SECRETS` set, the demo's /counter page (Twisted's counter: `ICounter(session)` through a
 * registered adapter), on each of the three server-side stores (SQLite both shared and exclusive);
 * and, opt-in (the `scale` set of BENCH_PEERS), with 2 workers on SQLite and Redis, and on a
 * 3-master Redis Cluster.
 *
 * `BENCH_BASE=<checkout>` adds the same three servers run from another built checkout (opt-in
 * peers `base-dovetail-memory|sqlite|redis|sqlite-2w|redis-2w`): a lever's before and after measured in one run,
 * interleaved, e.g. `BENCH_BASE=/tmp/main BENCH_PEERS=bare-node,base-dovetail-sqlite,dovetail-sqlite`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Peer, PeerContext } from './peer.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One way to serve the demo: its store spec and workers, run from any built checkout. */
interface Served extends Omit<Peer, 'command'> {
  store: (context: PeerContext) => string;
  workers?: number;
}

function serve({ store, workers = 1, ...peer }: Served, root = ROOT): Peer {
  return {
    ...peer,
    command: (context) => ({
      args: [
        join(root, 'packages/web/dist/cli.js'), 'serve', join(root, 'examples/dist/demo/index.js'),
        '--host', '127.0.0.1', '--port', '0', '--store', store(context),
        ...(workers > 1 ? ['--workers', String(workers)] : []),
      ],
      env: { DOVETAIL_SECRETS: context.secret },
      ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      path: '/counter',
    }),
  };
}

const sqlite = (context: PeerContext): string => `sqlite:${join(context.dir, 'sessions.db')}`;
const redis = (context: PeerContext): string => context.redisUrl!;

const served: Served[] = [
  { name: 'dovetail-memory', description: 'dovetail serve --store memory (MemoryStore)', store: () => 'memory' },
  { name: 'dovetail-sqlite', description: 'dovetail serve --store sqlite: (SqliteStore, WAL, synchronous=NORMAL)', store: sqlite },
  {
    name: 'dovetail-sqlite-exclusive',
    description: 'dovetail serve --store sqlite+exclusive: (SqliteStore kept by one process, its leases in memory)',
    store: (context) => `sqlite+exclusive:${join(context.dir, 'sessions-exclusive.db')}`,
  },
  { name: 'dovetail-redis', description: 'dovetail serve --store redis:// (RedisStore)', needsRedis: true, store: redis },
  { name: 'dovetail-sqlite-2w', description: 'dovetail serve --workers 2 --store sqlite: (two node:cluster workers, one file)', optIn: true, store: sqlite, workers: 2 },
  { name: 'dovetail-redis-2w', description: 'dovetail serve --workers 2 --store redis:// (two node:cluster workers)', needsRedis: true, optIn: true, store: redis, workers: 2 },
  {
    name: 'dovetail-redis-cluster',
    description: 'dovetail serve --store redis+cluster:// (RedisStore on a 3-master Redis Cluster, no replicas)',
    needsRedisCluster: true,
    optIn: true,
    store: (context) => context.redisCluster!,
  },
];

/** What BENCH_BASE runs from the other checkout. */
const BASED = ['dovetail-memory', 'dovetail-sqlite', 'dovetail-redis', 'dovetail-sqlite-2w', 'dovetail-redis-2w'];
const base = process.env.BENCH_BASE;

/** The servers, and with BENCH_BASE the three single-process ones and SQLite and Redis with 2 workers from that checkout (opt-in). */
export const peers: Peer[] = [
  ...served.map((s) => serve(s)),
  ...(base === undefined
    ? []
    : served.filter((s) => BASED.includes(s.name)).map((s) => serve({ ...s, name: `base-${s.name}`, description: `${s.description}, from ${base}`, optIn: true }, base))),
];
