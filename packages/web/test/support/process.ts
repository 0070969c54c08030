/**
 * Test support: run a server in a child Node process and wait until it says where it listens.
 *
 * ```ts
 * const server = await spawnServer({
 *   args: ['packages/web/dist/cli.js', 'serve', 'examples/dist/demo/index.js', '--port', '0'],
 *   ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
 * });
 * try { await fetch(server.url + '/counter'); } finally { await server.stop(); }
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnServerOptions {
  /** Arguments after the node executable (script path first). */
  args: string[];
  /** A line of stdout or stderr matching this means "ready". Default: `listening on http://…`. */
  ready?: RegExp;
  /** How long to wait for the ready line. Default 20 s. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL in `stop()`. Default 5 s. */
  graceMs?: number;
  cwd?: string;
  /** Added to (and overriding) `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Executable; default `process.execPath` (this Node). */
  command?: string;
  /** Echo the child's output to this process's stderr (also when DOVETAIL_TEST_ECHO=1). */
  echo?: boolean;
}

export interface SpawnedServer {
  /** `http://127.0.0.1:PORT` (or the URL found in the ready line), without a trailing slash. */
  url: string;
  /** The match of `ready` against the ready line. */
  match: RegExpMatchArray;
  child: ChildProcess;
  /** Everything the child printed so far (last 64 KiB), for assertion messages. */
  output(): string;
  /** Resolves when the child has exited: SIGTERM, then SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
}

export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

const DEFAULT_READY = /listening on (https?:\/\/[^\s/]+)/;
const MAX_OUTPUT = 64 * 1024;

// Safety net: never leave a server behind when the test process ends without stop().
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
}

function urlFrom(match: RegExpMatchArray): string {
  const found = /https?:\/\/[^\s"'<>]+/.exec(match[0]);
  if (found) return found[0].replace(/\/+$/, '');
  const group = match[1];
  if (group !== undefined && /^\d+$/.test(group)) return `http://127.0.0.1:${group}`;
  if (group !== undefined && /^https?:\/\//.test(group)) return group.replace(/\/+$/, '');
  throw new ServerStartError(
    `The ready line "${match.input ?? match[0]}" matched, but no URL could be read from it: ` +
      `put the URL or the port in the first capture group of the ready pattern.`,
  );
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function spawnServer(options: SpawnServerOptions): Promise<SpawnedServer> {
  const ready = options.ready ?? DEFAULT_READY;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const graceMs = options.graceMs ?? 5_000;
  const echo = options.echo ?? process.env.DOVETAIL_TEST_ECHO === '1';
  const command = options.command ?? process.execPath;

  const child = spawn(command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const exitPromise = new Promise<void>((resolve) => {
    if (exited(child)) resolve();
    else child.once('exit', () => resolve());
  });
  void exitPromise.then(() => live.delete(child));

  let output = '';
  const append = (text: string): void => {
    output += text;
    if (output.length > MAX_OUTPUT) output = output.slice(output.length - MAX_OUTPUT);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exited(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited(child)) child.kill('SIGKILL');
      }, graceMs);
      try {
        await exitPromise;
      } finally {
        clearTimeout(timer);
      }
    })());

  const describeCommand = `${command} ${options.args.join(' ')}`;
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let settled = false;
    const partial = { stdout: '', stderr: '' };
    const finish = (error: Error | undefined, m?: RegExpMatchArray): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else if (m) resolve(m);
    };
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      append(text);
      if (echo) process.stderr.write(text);
      if (settled) return;
      partial[stream] += text;
      const lines = partial[stream].split(/\r?\n/);
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) {
        const m = ready.exec(line);
        if (m) return finish(undefined, m);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(
        new ServerStartError(
          `\`${describeCommand}\` exited (${signal ?? `code ${String(code)}`}) before printing a line ` +
            `matching ${String(ready)}. Its output:\n${output || '(none)'}`,
        ),
      );
    const onError = (error: Error): void =>
      finish(new ServerStartError(`Could not start \`${describeCommand}\`: ${error.message}`));
    const timer = setTimeout(() => {
      finish(
        new ServerStartError(
          `\`${describeCommand}\` printed no line matching ${String(ready)} within ${timeoutMs} ms. ` +
            `Its output:\n${output || '(none)'}`,
        ),
      );
    }, timeoutMs);
    child.stdout?.on('data', onData('stdout'));
    child.stderr?.on('data', onData('stderr'));
    child.once('exit', onExit);
    child.once('error', onError);
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  let url: string;
  try {
    url = urlFrom(match);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, match, child, output: () => output, stop };
}
