/**
 * The peers: found in bench/peers/, each started in its own process (pinned to the server CPU)
 * with a fresh directory and secret, and the child side of that (`http.js --serve`).
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerUnavailableError, type Peer, type PeerContext } from '../peers/peer.js';
import { isScaleSet } from './options.js';
import { childPids, cpuMicros, startProcess, type Started } from './processes.js';

const PEERS_DIR = new URL('../peers/', import.meta.url);
export const BASELINE = 'bare-node';
/** The order of the report (the order of issue 7's table); unknown peers go last, by name. */
const ORDER = [
  BASELINE,
  'bare-node-2w',
  'dovetail-memory',
  'fastify-session',
  'express-session',
  'dovetail-sqlite',
  'dovetail-sqlite-exclusive',
  'express-sqlite',
  'dovetail-redis',
  'fastify-redis',
  'express-redis',
];

/**
 * `BENCH_PEERS=scale`: what more workers and Redis Cluster cost — 1 vs 2 workers on SQLite and
 * on Redis, and one Redis server vs a 3-master cluster, under the same load — beside what a
 * second worker does for bare node:http.
 */
export const SCALE = [BASELINE, 'bare-node-2w', 'dovetail-sqlite', 'dovetail-sqlite-2w', 'dovetail-redis', 'dovetail-redis-2w', 'dovetail-redis-cluster'] as const;

export interface PeerEntry {
  /** The module's file name in bench/dist/peers/. */
  file: string;
  peer: Peer;
}

async function peersOf(file: string): Promise<Peer[]> {
  const mod = (await import(new URL(file, PEERS_DIR).href)) as { peers?: Peer[] };
  return mod.peers ?? [];
}

/**
 * Every peer, or those named (in that order); `all` names every peer, opt-in ones too.
 * A peer module that cannot be loaded (its library missing) is reported through `skip`.
 */
export async function discoverPeers(wanted: readonly string[] | undefined, skip: (file: string, reason: string) => void): Promise<PeerEntry[]> {
  const files = readdirSync(PEERS_DIR).filter((f) => f.endsWith('.js') && f !== 'peer.js');
  const entries: PeerEntry[] = [];
  for (const file of files) {
    try {
      for (const peer of await peersOf(file)) entries.push({ file, peer });
    } catch (error) {
      skip(file, error instanceof Error ? error.message.split('\n')[0]! : String(error));
    }
  }
  const rank = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  entries.sort((a, b) => rank(a.peer.name) - rank(b.peer.name) || a.peer.name.localeCompare(b.peer.name));
  if (wanted === undefined) return entries.filter((e) => !e.peer.optIn);
  if (wanted.length === 1 && wanted[0] === 'all') return entries;
  if (isScaleSet(wanted)) wanted = [...SCALE];
  const missing = wanted.filter((w) => !entries.some((e) => e.peer.name === w));
  if (missing.length > 0) {
    throw new Error(`BENCH_PEERS names unknown peer(s) ${missing.join(', ')}; known: ${entries.map((e) => e.peer.name).join(', ')}, all`);
  }
  return wanted.map((w) => entries.find((e) => e.peer.name === w)!);
}

export interface RunningServer {
  url: string;
  /** The server's process (with workers: the primary). */
  pid: number | undefined;
  /** CPU µs the server process (with workers: the primary) has used so far. */
  cpu(): number | undefined;
  /** CPU µs its node:cluster workers have used so far (summed); undefined without workers. */
  workersCpu(): number | undefined;
  /**
   * Stops the server's processes (SIGSTOP) while another server is measured, or lets them go on
   * (SIGCONT): an idle server's timers, collector and threads would otherwise run on the
   * measured one's CPU.
   */
  hold(stopped: boolean): void;
  stop(): Promise<void>;
}

const HARNESS = fileURLToPath(new URL('../http.js', import.meta.url));
const CONTEXT_ENV = 'BENCH_PEER_CONTEXT';

/**
 * Starts a peer in its own process, pinned with `prefix`, node running with `nodeFlags`; throws
 * UnavailableError with why.
 */
export async function startServer(entry: PeerEntry, prefix: string[], redisUrl: string | undefined, redisCluster?: string, nodeFlags: string[] = []): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `dovetail-bench-${entry.peer.name}-`));
  const context: PeerContext = { dir, secret: randomBytes(32).toString('base64url'), ...(redisUrl ? { redisUrl } : {}), ...(redisCluster ? { redisCluster } : {}) };
  const command = entry.peer.command?.(context);
  let started: Started;
  try {
    started = command
      ? await startProcess(prefix, process.execPath, [...nodeFlags, ...command.args], { ready: command.ready, env: command.env, label: entry.peer.name })
      : await startProcess(prefix, process.execPath, [...nodeFlags, HARNESS, '--serve', entry.file, entry.peer.name], {
          ready: /^listening on (http:\/\/\S+)$/,
          env: { [CONTEXT_ENV]: JSON.stringify(context) },
          label: entry.peer.name,
        });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: command ? started.match[1]! + command.path : started.match[1]!,
    pid: started.child.pid,
    cpu: started.cpu,
    workersCpu: () => {
      const workers = childPids(started.child.pid);
      return workers.length === 0 ? undefined : workers.reduce((sum, pid) => sum + (cpuMicros(pid) ?? 0), 0);
    },
    hold: (stopped) => {
      const pid = started.child.pid;
      if (pid === undefined || started.child.exitCode !== null || started.child.signalCode !== null) return;
      for (const each of [pid, ...childPids(pid)]) process.kill(each, stopped ? 'SIGSTOP' : 'SIGCONT');
    },
    stop: async () => {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `node bench/dist/http.js --serve <file> <name>`: the child side of startServer. */
export async function serveInThisProcess(file: string, name: string): Promise<void> {
  const peer = (await peersOf(file)).find((p) => p.name === name);
  if (!peer?.start) throw new Error(`bench/peers/${file} has no peer ${name} with start()`);
  const context = JSON.parse(process.env[CONTEXT_ENV] ?? '{}') as PeerContext;
  let started;
  try {
    started = await peer.start(context);
  } catch (error) {
    if (!(error instanceof PeerUnavailableError)) throw error;
    process.stdout.write(`unavailable: ${error.message.replace(/\n/g, ' ')}\n`);
    return;
  }
  const shutdown = (): void => {
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // A node:cluster worker of a peer (bare-node-2w) only serves: its primary says where.
  if (cluster.isPrimary) process.stdout.write(`listening on ${started.url}\n`);
}
