/**
 * `dovetail inspect <module>` in a child process: the registry tables of the demo in the terminal.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, expect, it } from '@jest/globals';
import { buildIfMissing, CLI, DEMO, ROOT } from './support/cli.js';


beforeAll(() => {
  buildIfMissing();
}, 180_000);

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DOVETAIL_INSPECTOR_TOKEN: '' }, timeout: 30_000 });

it('dovetail inspect <demo> → the interfaces with their resolution orders and the adapters as text tables, exit 0', () => {
  const { status, stdout } = run('inspect', DEMO);
  expect(status).toBe(0);
  expect(stdout).toMatch(/^Interfaces \(\d+\)$/m);
  expect(stdout).toMatch(/^examples\.counter\.ICounter +examples\.counter\.ICounter → dovetail\.interfaces\.Interface/m);
  expect(stdout).toMatch(/^implementedBy\(Session\) +examples\.counter\.ICounter +CounterComponent$/m);
  expect(stdout).toMatch(/^dovetail\.session\.ISessionDataContainer +products\.bar +MemoryStore$/m);
});

it('dovetail inspect without a module → the usage line, exit 2, no stack', () => {
  const { status, stderr } = run('inspect');
  expect(status).toBe(2);
  expect(stderr.trim()).toBe('dovetail: usage: dovetail inspect <module>');
});
