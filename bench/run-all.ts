/**
 * `npm run bench`: runs every benchmark (adapt, sessions, http) one after the other, each in
 * its own process so one cannot warm or disturb another, and writes their results, in order,
 * to bench/results/latest.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const benches = [
  { script: 'adapt.js', result: 'adapt.md' },
  { script: 'sessions.js', result: 'sessions.md' },
  { script: 'http.js', result: 'http.md' },
];

const parts: string[] = [`# dovetail benchmarks\n\nAll results of one \`npm run bench\`, ${new Date().toISOString()}.\n`];
let failed = 0;
for (const { script, result } of benches) {
  process.stderr.write(`\n==> ${script}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(here, script)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    parts.push(`\n## ${script}\n\nFailed (exit ${String(run.status ?? run.signal)}).\n`);
    continue;
  }
  parts.push('\n' + readFileSync(join(results, result), 'utf8').replace(/^# /m, '## '));
}
writeFileSync(join(results, 'latest.md'), parts.join('\n'));
process.stderr.write(`\nwrote ${join(results, 'latest.md')}\n`);
process.exitCode = failed ? 1 : 0;
