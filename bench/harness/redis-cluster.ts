/**
 * Starts a real Redis Cluster (for the cluster tests of packages/session, the soak and the
 * bench): `masters` redis-server processes with `--cluster-enabled yes` on loopback ports (each
 * with its own directory and cluster config file in one temp dir), plus `replicasPerMaster`
 * replicas each, joined by `redis-cli --cluster create … --cluster-yes`. Resolves once every
 * node reports `cluster_state:ok` and every replica's link to its master is up (deadline-bound
 * polling). Always `dispose()` it (in `afterAll`, or a `finally`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One node of a test cluster. */
export interface ClusterNode {
  readonly port: number;
  /** True while its process runs. */
  readonly running: boolean;
}

/** A running test cluster. */
export interface RedisCluster {
  /** `[{ url: 'redis://127.0.0.1:<port>' }, …]`: every node, for `rootNodes`. */
  readonly rootNodes: readonly { readonly url: string }[];
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…`, the CLI's spec of this cluster. */
  readonly spec: string;
  readonly nodes: readonly ClusterNode[];
  /** Runs `redis-cli -p <port> <args…>` and resolves with its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The ports of the nodes that are masters now (as the running nodes see it). */
  masterPorts(): Promise<number[]>;
  /** The port of the master that holds `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** Kills a node (SIGKILL: like a crash) and waits for its exit. */
  kill(port: number): Promise<void>;
  /** Starts a killed node again and resolves once it is a replica in sync (a failed-over master comes back as one). */
  restart(port: number): Promise<void>;
  /** Resolves once every running node reports `cluster_state:ok` and no running master is one the cluster marked failed. */
  waitHealthy(deadlineMs?: number): Promise<void>;
  /** The pids of the running nodes (for their CPU time). */
  pids(): number[];
  /** Empties every master (`FLUSHALL`). */
  flush(): Promise<void>;
  /** Kills every node and deletes the directory. Idempotent. */
  dispose(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** @default 3 */
  readonly masters?: number;
  /** @default 0 */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a silent master takes to be failed over (ms). @default 1000 */
  readonly nodeTimeoutMs?: number;
  /** A command prefix for each redis-server, e.g. `['taskset', '-c', '1']` (the bench pins it). @default [] */
  readonly prefix?: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether `port` can be bound on 127.0.0.1 right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` ports whose cluster bus ports (port + 10000) are free too. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.some((p) => p + 10_000 === port)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`could not find ${count} free port pairs on 127.0.0.1`);
  return ports;
}

function run(command: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${error.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

/** Starts the cluster; see the module comment. Fails (with every process stopped) after ~30 s. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const total = masters * (1 + (options.replicasPerMaster ?? 0));
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-cluster-'));
  const ports = await freePorts(total);
  const children = new Map<number, ChildProcess>();
  const logs = new Map<number, string>();

  const cli = (port: number, ...args: string[]): Promise<string> => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  const running = (port: number): boolean => {
    const c = children.get(port);
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  };

  const kill = async (port: number): Promise<void> => {
    const c = children.get(port);
    if (c === undefined || !running(port)) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  const dispose = async (): Promise<void> => {
    await Promise.all(ports.map(kill));
    rmSync(dir, { recursive: true, force: true });
  };

  /** Polls `check` every 100 ms until it is true; throws `what` with the node logs after the deadline. */
  const until = async (what: string, check: () => Promise<boolean>, deadlineMs: number): Promise<void> => {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // a node that is still starting refuses the connection: poll again
      }
      if (Date.now() > deadline) throw new Error(`the test cluster did not get ${what} within ${deadlineMs} ms; logs: ${[...logs.values()].join('\n')}`);
      await sleep(100);
    }
  };

  const waitHealthy = async (deadlineMs = 20_000): Promise<void> => {
    await until(
      'cluster_state:ok on every running node',
      async () => {
        for (const port of ports.filter(running)) {
          if (!(await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
          // Every slot must be served by a running master (a killed one taken over, not just flagged).
          for (const line of (await cli(port, 'CLUSTER', 'NODES')).split('\n')) {
            const f = line.split(' ');
            if (/master/.test(f[2] ?? '') && f.length > 8 && !running(Number(/:(\d+)@/.exec(line)?.[1]))) return false;
          }
        }
        return true;
      },
      deadlineMs,
    );
  };

  /** Starts (or starts again, as the same node: same directory, same cluster config file) the node on `port`. */
  const startNode = (port: number): void => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    const argv = [
      ...(options.prefix ?? []),
      'redis-server',
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', nodeDir,
      '--daemonize', 'no',
      '--save', '',
      '--appendonly', 'no',
      '--protected-mode', 'yes',
      '--loglevel', 'warning',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', join(nodeDir, 'nodes.conf'),
      '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
      // A replica may take over even right after the cluster was created (no data age limit).
      '--cluster-replica-validity-factor', '0',
    ];
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(port, c);
    logs.set(port, logs.get(port) ?? '');
    const log = (d: Buffer): void => void logs.set(port, (logs.get(port)! + d.toString()).slice(-4000));
    c.stdout!.on('data', log);
    c.stderr!.on('data', log);
  };

  try {
    for (const port of ports) startNode(port);
    for (const port of ports) await until(`PONG from ${port}`, async () => (await cli(port, 'PING')).trim() === 'PONG', 10_000);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(options.replicasPerMaster ?? 0), '--cluster-yes'], 30_000);
    await waitHealthy();
    await until(
      'every replica in sync',
      async () => {
        let replicas = 0;
        for (const port of ports) {
          const info = await cli(port, 'INFO', 'replication');
          if (!info.includes('role:slave')) continue;
          if (!info.includes('master_link_status:up')) return false;
          replicas++;
        }
        return replicas === total - masters;
      },
      20_000,
    );
  } catch (e) {
    await dispose();
    throw e;
  }

  const masterPorts = async (): Promise<number[]> => {
    const port = ports.find(running)!;
    const nodes = await cli(port, 'CLUSTER', 'NODES');
    return nodes
      .split('\n')
      .filter((line) => /master/.test(line.split(' ')[2] ?? '') && !/fail/.test(line.split(' ')[2] ?? '') && line.split(' ').length > 8)
      .map((line) => Number(/:(\d+)@/.exec(line)![1]));
  };

  return {
    rootNodes: ports.map((p) => ({ url: `redis://127.0.0.1:${p}` })),
    spec: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    nodes: ports.map((port) => ({ port, get running() { return running(port); } })),
    cli,
    masterPorts,
    masterOf: async (key) => {
      const port = ports.find(running)!;
      const slot = Number((await cli(port, 'CLUSTER', 'KEYSLOT', key)).trim());
      const slots = await cli(port, 'CLUSTER', 'NODES');
      for (const line of slots.split('\n')) {
        const f = line.split(' ');
        if (!/master/.test(f[2] ?? '') || /fail/.test(f[2] ?? '')) continue;
        for (const range of f.slice(8)) {
          const [from, to] = range.split('-').map(Number);
          if (slot >= from! && slot <= (to ?? from)!) return Number(/:(\d+)@/.exec(line)![1]);
        }
      }
      throw new Error(`no master holds slot ${slot}`);
    },
    kill,
    pids: () => ports.filter(running).map((port) => children.get(port)!.pid!),
    flush: async () => {
      for (const port of await masterPorts()) await cli(port, 'FLUSHALL');
    },
    restart: async (port) => {
      if (running(port)) return;
      startNode(port);
      await until(
        `node ${port} back and in sync`,
        async () => {
          const info = await cli(port, 'INFO', 'replication');
          return info.includes('role:slave') && info.includes('master_link_status:up');
        },
        20_000,
      );
    },
    waitHealthy,
    dispose,
  };
}
