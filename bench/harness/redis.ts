/**
 * The redis-server the bench starts for itself: loopback only, a free port, no persistence
 * (the same for every Redis peer), stopped at the end.
 */
import { createServer } from 'node:net';
import { commandExists, startProcess, type Started } from './processes.js';

export interface BenchRedis {
  url: string;
  process: Started;
  /** Empties the database between scenarios (each scenario starts from no sessions). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves to `{ unavailable }`, with the reason, when redis-server is not installed. */
export async function startRedis(prefix: string[]): Promise<BenchRedis | { unavailable: string }> {
  if (!commandExists('redis-server')) return { unavailable: 'redis-server is not installed (Debian: apt-get install redis-server)' };
  const port = await freePort();
  const started = await startProcess(
    prefix,
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { ready: /Ready to accept connections/, label: 'redis-server' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const { createClient } = await import('redis');
  const client = await createClient({ url }).connect();
  return {
    url,
    process: started,
    flush: async () => void (await client.flushAll()),
    stop: async () => {
      await client.close().catch(() => undefined);
      await started.stop();
    },
  };
}
