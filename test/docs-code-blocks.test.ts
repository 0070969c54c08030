/**
 * Every ```ts block in README.md and docs/ compiles against the packages' sources, and the
 * blocks marked `run` or `serve` run (docs/contributing-docs.md says how to mark them).
 * A new page is picked up by itself.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { extractBlocks, programsOf } from './support/code-blocks.js';
import { docPages, packageNames, repoRoot } from './support/repo.js';
import { runNode } from './support/run-program.js';
import { transpile, typecheck, virtualPath } from './support/typecheck.js';
import type { CodeBlock, Program } from './support/code-blocks.js';

const pages = docPages();
const blocks = new Map<string, CodeBlock[]>(pages.map((page) => [page, extractBlocks(page, readFileSync(join(repoRoot, page), 'utf8'))]));
const programs: Program[] = [];
const runs: { block: CodeBlock; program: Program }[] = [];
for (const [page, pageBlocks] of blocks) {
  const made = programsOf(page, pageBlocks);
  programs.push(...made.programs);
  runs.push(...made.runs);
}

describe('the TypeScript blocks of README.md and docs/', () => {
  it('are found: README and the guides have some', () => {
    expect(blocks.get('README.md')?.length).toBeGreaterThan(0);
    expect(programs.length).toBeGreaterThan(5);
  });

  it('each skipped block says why', () => {
    for (const list of blocks.values()) {
      for (const b of list.filter((x) => x.mode === 'skip')) console.log(`${b.page}:${b.line}: not checked: ${b.skipReason}`);
    }
    const reasons = [...blocks.values()].flat().filter((b) => b.mode === 'skip').map((b) => b.skipReason ?? '');
    expect(reasons.filter((r) => r.trim() === '')).toEqual([]);
  });

  it('compile against the packages (tsc, the repository options)', () => {
    expect(typecheck(programs)).toEqual([]);
  }, 120_000);
});

describe('the runnable blocks', () => {
  const dir = join(repoRoot, 'var', 'docs-check');
  const cwd = mkdtempSync(join(tmpdir(), 'dovetail-docs-run-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  const built = packageNames.every((name) => existsSync(join(repoRoot, 'packages', name, 'dist', 'index.js')));
  const label = (b: CodeBlock) => `${b.page}:${b.line} (${b.mode})`;
  if (runs.length === 0) it('none marked yet', () => expect(runs).toEqual([]));
  for (const { block, program } of runs) {
    it(`${label(block)} runs`, async () => {
      // They import the packages by name, so they run against the built packages.
      if (!built) throw new Error('the packages are not built: run `npm run build` first (npm test does)');
      mkdirSync(dir, { recursive: true });
      const file = virtualPath(program).replace(/\.mts$/, '.mjs');
      writeFileSync(file, transpile(program));
      const result = await runNode(file, {
        cwd,
        env: { DOVETAIL_SECRETS: 'docs-check-secret-0123456789abcdef' },
        timeoutMs: 15_000,
        ...(block.mode === 'serve' ? { serve: {} } : {}),
      });
      if (!result.ok) throw new Error(`${label(block)}: ${result.why}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
    }, 30_000);
  }
});
