/**
 * The bare rows of `npm run bench:sessions` part 3 work (short, on a few thousand sessions): the
 * child fills its `Map`, times requests spread over all and on the active ones, checks every
 * count was kept, and prints its figures; bad arguments are refused. It asserts no speed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BARE = join(ROOT, 'bench/dist/sessions-bare.js');

beforeAll(() => {
  // `npm test` builds first; a bare `jest` run may not have.
  if (!existsSync(BARE)) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
});

const run = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, ['--expose-gc', BARE, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

it.each(['map', 'held'])('measures the %s row among 5,000 sessions, about a kilobyte of heap each', (lookup) => {
  const child = run('5000', lookup, '50', '1');
  expect({ status: child.status, stderr: String(child.stderr) }).toEqual({ status: 0, stderr: '' });
  const figures = JSON.parse(String(child.stdout).trim()) as Record<string, number>;
  expect(figures.n).toBe(5000);
  expect(figures.spread).toBeGreaterThan(0);
  expect(figures.active).toBeGreaterThan(0);
  // Padded to what a live MemoryStore session holds (1,017 bytes on a million of them).
  expect(figures.bytesPerSession).toBeGreaterThan(800);
  expect(figures.bytesPerSession).toBeLessThan(1_400);
}, 60_000);

it('refuses a count of sessions or a lookup it does not know, saying what it takes', () => {
  for (const args of [['0', 'map'], ['1000', 'hash']]) {
    const child = run(...args);
    expect(child.status).not.toBe(0);
    expect(String(child.stderr)).toContain(`usage: sessions-bare.js <sessions> map|held [active sessions] [runs] (got ${args.join(' ')})`);
  }
});
