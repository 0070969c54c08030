/**
 * dovetail as users run it: `dovetail serve examples/dist/demo/index.js --store …` with
 * `DOVETAIL_SECRETS` set, the demo's /counter page (Twisted's counter: `ICounter(session)` through a
 * registered adapter), on each of the three server-side stores.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Peer, PeerCommand, PeerContext } from './peer.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'packages/web/dist/cli.js');
const DEMO = join(ROOT, 'examples/dist/demo/index.js');

function serve(store: (context: PeerContext) => string): (context: PeerContext) => PeerCommand {
  return (context) => ({
    args: [CLI, 'serve', DEMO, '--host', '127.0.0.1', '--port', '0', '--store', store(context)],
    env: { DOVETAIL_SECRETS: context.secret },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    path: '/counter',
  });
}

export const peers: Peer[] = [
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
];
