/**
 * Starts a real `redis-server` (Debian package) for tests: loopback only, a free port, a temp
 * directory, in the foreground; stop it with `stop()` (always, in `afterAll`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';

/** A running test server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: no shutdown save, like a crash) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING. */
  restart(): Promise<void>;
  /**
   * Stops the process (SIGSTOP) without closing its connections: a stalled server, which takes
   * commands and never answers. `resume()` (SIGCONT) lets it go on.
   */
  pause(): void;
  /** Lets a paused server go on: it answers what it was sent meanwhile. */
  resume(): void;
  /** Stops the server and deletes its directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Durable: `appendonly yes`, `appendfsync always` (every acknowledged write is on disk). @default false */
  readonly appendOnly?: boolean;
}

/** Why redis-server cannot be used here, or `undefined` when it can. */
export function redisUnavailableReason(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return `redis-server not found on PATH (${r.error?.message ?? `exit ${r.status}`}); install it with 'apt-get install -y redis-server'`;
  }
  return undefined;
}

/**
 * Decides, once per test file, whether the Redis tests run: with redis-server present they do;
 * without it they are skipped with the reason printed, except with `CI=true`, where a missing
 * server fails the run.
 */
export function redisTestsEnabled(): boolean {
  const reason = redisUnavailableReason();
  if (reason === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`Redis tests cannot run and CI=true: ${reason}`);
  console.warn(`Skipping the Redis tests: ${reason}.`);
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

/** Starts a server and resolves once it answers PING (fails after ~5 s). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--daemonize', 'no',
    '--save', '',
    '--protected-mode', 'yes',
    '--loglevel', 'warning',
    ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 100; i++) {
      if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}: ${output}`);
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server did not answer PING on port ${port}: ${output}`);
  };

  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    dispose: async () => {
      child?.kill('SIGCONT'); // a stopped process does not act on SIGKILL until it is continued
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One redis-server for the enclosing `describe` block: started in its `beforeAll`, disposed in
 * its `afterAll`. Returns a getter for the running server.
 */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
  }, 30_000);
  afterAll(async () => {
    await server?.dispose();
  });
  return () => {
    if (server === undefined) throw new Error('the redis-server is not started yet: call the getter inside a test or a later hook');
    return server;
  };
}
