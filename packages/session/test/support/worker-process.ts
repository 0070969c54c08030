/**
 * Node worker processes for the cross-process tests: each is started, prints "ready", waits for
 * "go" on stdin, works, and exits 0 with its findings on stdout. Workers still running when a
 * test file ends (a failed or timed-out test) are killed by {@link killWorkers}.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A worker that printed "ready". */
export interface WorkerProcess {
  /** Lets the worker start its work. */
  go(): void;
  /** Resolves with the worker's whole stdout once it exits 0; rejects with its stderr otherwise. */
  readonly done: Promise<string>;
}

const running = new Set<ChildProcess>();

/**
 * Starts `node script ...args` in `cwd`; resolves once it printed "ready". `onLine` hears each
 * complete stdout line as it comes (progress a test may act on, e.g. "acked 100").
 */
export function startWorker(script: string, args: readonly string[], cwd: string, onLine: (line: string) => void = () => undefined): Promise<WorkerProcess> {
  return new Promise((resolveReady, rejectReady) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    let lines = 0;
    let ready = false;
    const done = new Promise<string>((resolveDone, rejectDone) => {
      child.on('exit', (code) => {
        running.delete(child);
        if (code === 0) return resolveDone(out);
        const error = new Error(`worker exited with ${code}: ${err || out.slice(-2000)}`);
        if (!ready) rejectReady(error);
        rejectDone(error);
      });
    });
    done.catch(() => undefined); // the test awaits it; an early exit is reported through ready
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const all = out.split('\n');
      for (; lines < all.length - 1; lines++) onLine(all[lines]!);
      if (!ready && out.includes('ready\n')) {
        ready = true;
        resolveReady({ go: () => child.stdin!.end('go\n'), done });
      }
    });
  });
}

/** Kills (SIGKILL) every worker still running; for `afterAll`. */
export function killWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
}
