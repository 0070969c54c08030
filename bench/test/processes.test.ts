/**
 * The harness's child processes (servers, redis-server, wrk) end with it, even when it is
 * stopped by a signal rather than finishing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
import { until } from '../../packages/session/test/support/until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROCESSES = join(ROOT, 'bench/dist/harness/processes.js');

/**
 * True while `pid` runs. A zombie counts as gone: the child outlives the harness by a moment, so
 * it dies adopted by PID 1, and a PID 1 that reaps late (a container's agent) leaves it a zombie
 * for seconds, which `kill(pid, 0)` still finds.
 */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc (not Linux), or it just went: kill(pid, 0) decides at the next look
  }
};

it.each(['SIGTERM', 'SIGINT'] as const)('a harness stopped by %s takes its children with it', async (signal) => {
  if (!existsSync(PROCESSES)) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const script = `import { spawnPinned } from ${JSON.stringify(PROCESSES)}; console.log(spawnPinned([], 'sleep', ['60']).pid);`;
  const harness = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve) => harness.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  expect(alive(pid)).toBe(true);
  const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
  harness.kill(signal);
  expect(await exited).toBe(signal === 'SIGTERM' ? 143 : 130);
  await until(() => !alive(pid), 5_000, 'the child process gone');
}, 60_000);
