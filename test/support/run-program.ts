/**
 * Runs a compiled program in a child process, with a deadline: either to its end (exit 0), or
 * as a server (PORT=0; it prints its http:// URL, which must answer a GET with 200, then it is
 * stopped). Used for the docs' runnable blocks and for the counter run from packed packages.
 */
import { spawn } from 'node:child_process';

/** What a run printed, and how it ended. */
export interface RunResult {
  readonly ok: boolean;
  readonly why: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a run. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  /** Serve: wait for a printed URL, GET it (`path` appended), expect 200 and `expectBody`, stop. */
  readonly serve?: {
    readonly path?: string;
    readonly expectBody?: RegExp;
    /** How many GETs, one after the other, each sending the session cookie the last one set. */
    readonly requests?: number;
    /** A `name=value` cookie to send from the first request on (a returning visitor). */
    readonly cookie?: string;
  };
}

/** Runs `node file` and reports how it went; never leaves the child running. */
export function runNode(file: string, options: RunOptions): Promise<RunResult & { bodies: string[]; cookie: string }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const child = spawn(process.execPath, [file], {
    cwd: options.cwd,
    env: { ...process.env, ...(options.serve ? { PORT: '0' } : {}), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const bodies: string[] = [];
  return new Promise((resolve) => {
    let settled = false;
    let requesting = false;
    let cookie = options.serve?.cookie ?? '';
    const finish = (ok: boolean, why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const done = () => resolve({ ok, why, stdout, stderr, bodies, cookie });
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    };
    const timer = setTimeout(() => finish(false, `no ${options.serve ? 'URL printed' : 'exit'} within ${timeoutMs} ms`), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = options.serve && !settled ? /https?:\/\/[^\s'"`]+/.exec(stdout)?.[0] : undefined;
      if (url && bodies.length === 0 && !requesting) {
        requesting = true;
        void visit(url.replace(/\/$/, '') + (options.serve?.path ?? ''));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      if (options.serve) finish(false, `the server ended (code ${code}, signal ${signal}) before it was visited`);
      else finish(code === 0, `exit code ${code}${signal ? `, signal ${signal}` : ''}`);
    });
    const visit = async (url: string) => {
      try {
        for (let n = 0; n < (options.serve?.requests ?? 1); n++) {
          const response = await fetch(url, { headers: cookie ? { cookie } : {} });
          const setCookie = response.headers.get('set-cookie');
          if (setCookie) cookie = setCookie.split(';')[0]!;
          const body = await response.text();
          bodies.push(body);
          if (response.status !== 200) return finish(false, `GET ${url} answered ${response.status}: ${body.slice(0, 200)}`);
          if (options.serve?.expectBody && !options.serve.expectBody.test(body)) return finish(false, `GET ${url} answered ${body.slice(0, 200)}`);
        }
        finish(true, `GET ${url} answered 200`);
      } catch (e) {
        finish(false, `GET ${url} failed: ${String(e)}`);
      }
    };
  });
}
