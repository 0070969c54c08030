/**
 * Child processes of the bench: started (optionally pinned to a CPU with taskset), waited for
 * until they print a ready line, their CPU time read from /proc, and always stopped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** Where each kind of process runs: a `taskset -c N` prefix, or none. */
export interface Pinning {
  server: string[];
  others: string[];
  /** One line for the report. */
  note: string;
}

function has(command: string, args: string[]): boolean {
  const run = spawnSync(command, args, { stdio: 'ignore' });
  return run.error === undefined && run.status === 0;
}

/**
 * The server on CPU 0; the load generator, redis-server and this harness on CPU 1 — so that
 * the server has a core to itself and its CPU per request is not the load generator's.
 */
export function choosePinning(enabled: boolean): Pinning {
  if (!enabled) return { server: [], others: [], note: 'not pinned (BENCH_PIN=0)' };
  if (cpus().length < 2) return { server: [], others: [], note: 'not pinned: fewer than 2 CPUs' };
  if (!has('taskset', ['-V'])) return { server: [], others: [], note: 'not pinned: taskset not found (util-linux)' };
  spawnSync('taskset', ['-a', '-pc', '1', String(process.pid)], { stdio: 'ignore' });
  return {
    server: ['taskset', '-c', '0'],
    others: ['taskset', '-c', '1'],
    note: 'server on CPU 0; load generator, redis-server and the harness on CPU 1 (taskset)',
  };
}

export function commandExists(command: string): boolean {
  return has('sh', ['-c', `command -v ${command}`]);
}

const CLOCK_TICKS = ((): number => {
  const run = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(run.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** CPU time (user + system, µs) a process has used so far, from /proc/<pid>/stat. */
export function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The pids of the live processes whose parent is `pid` (a node:cluster primary's workers), from /proc. */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

/** Resident memory of a process in MiB (VmRSS), or undefined when it is gone or /proc is not there. */
export function rssMiB(pid: number): number | undefined {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

export interface Started {
  child: ChildProcess;
  /** The ready line's match. */
  match: RegExpMatchArray;
  /** CPU µs the process has used so far (undefined where /proc is not there). */
  cpu(): number | undefined;
  /** SIGTERM, SIGKILL after 5 s; resolves when it has exited. Idempotent. */
  stop(): Promise<void>;
}

/** Thrown when a process printed `unavailable: <reason>` instead of its ready line. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

const UNAVAILABLE = /^unavailable: (.*)$/;
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
// A signal would end this process without 'exit', leaving its servers, redis-server and wrk
// running (and loading the machine for whatever is measured next): exit instead.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

/** Runs `prefix… command args…` (killed if this process exits first). */
export function spawnPinned(prefix: string[], command: string, args: string[], env?: Record<string, string>): ChildProcess {
  const argv = [...prefix, command, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * Runs `prefix… command args…` and resolves once a line of its output matches `ready`.
 * The prefix is `taskset -c N`, which execs the command: the pid is the command's.
 */
export function startProcess(
  prefix: string[],
  command: string,
  args: string[],
  options: { ready: RegExp; env?: Record<string, string>; timeoutMs?: number; label: string },
): Promise<Started> {
  const child = spawnPinned(prefix, command, args, options.env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    })());
  let output = '';
  return new Promise<Started>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(
      () => fail(new Error(`${options.label} did not start within ${options.timeoutMs ?? 30_000} ms; its output:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    const onLine = (line: string): void => {
      if (settled) return;
      const unavailable = UNAVAILABLE.exec(line.trim());
      if (unavailable) return fail(new UnavailableError(unavailable[1]!));
      const match = options.ready.exec(line);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, match, cpu: () => cpuMicros(child.pid), stop });
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output = (output + chunk).slice(-8192);
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) =>
      fail(new Error(`${options.label} exited (${signal ?? `code ${String(code)}`}) before it was ready; its output:\n${output}`)),
    );
  });
}

/**
 * node's `--max-old-space-size` for a child that holds many sessions: `share` of the machine's
 * memory, at most `capMb` (a million MemoryStore sessions take about 1 GB).
 */
export function largeHeap(share: number, capMb: number): string {
  return `--max-old-space-size=${Math.min(Math.floor((totalmem() / 1024 / 1024) * share), capMb)}`;
}

/**
 * Runs a node script that prints its result as JSON on its last line, with `--expose-gc` and 70%
 * of the machine's memory (at most 16 GB) for its heap: the result, or a rejection saying how it
 * ended.
 */
export function runJsonChild<T>(args: string[]): Promise<T> {
  const child = spawn(process.execPath, ['--expose-gc', largeHeap(0.7, 16_384), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`child exited with ${String(code)}: ${out.slice(-500)}`));
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`child printed no result: ${out.slice(-500)}`));
      }
    });
  });
}
