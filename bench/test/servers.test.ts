/**
 * A server the harness holds while another is measured does not run, and serves again once let
 * go: what keeps an idle server's timers and collector off the measured server's CPU.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { until } from '../../packages/session/test/support/until.js';
import { get } from '../harness/client.js';
import type * as Servers from '../harness/servers.js';
import type { RunningServer } from '../harness/servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built harness: it finds the peers among the built modules beside it. */
const SERVERS = join(ROOT, 'bench/dist/harness/servers.js');

/** The state letter of /proc/<pid>/stat: R, S, T (stopped), Z… */
const stateOf = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;

let server: RunningServer | undefined;
let pid: number;

beforeAll(async () => {
  if (!existsSync(SERVERS)) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const { discoverPeers, startServer } = (await import(SERVERS)) as typeof Servers;
  const [entry] = await discoverPeers(['bare-node'], (file, reason) => {
    throw new Error(`bench/peers/${file}: ${reason}`);
  });
  server = await startServer(entry!, [], undefined);
  pid = server.pid!;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

it('a held server is stopped, and answers again once let go', async () => {
  if (!existsSync(`/proc/${pid}/stat`)) {
    console.warn('servers.test: no /proc here, so a stopped process cannot be told apart: not checked');
    return;
  }
  expect((await get(server!.url)).status).toBe(200);
  server!.hold(true);
  await until(() => stateOf(pid) === 'T', 5_000, 'the server process stopped');
  server!.hold(false);
  await until(() => stateOf(pid) !== 'T', 5_000, 'the server process running again');
  expect((await get(server!.url)).status).toBe(200);
}, 30_000);
