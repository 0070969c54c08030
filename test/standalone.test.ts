/**
 * The repository stands alone: no comment, doc or test points at a file that is not in it
 * (design notes, style guides or reference material kept elsewhere). A reader who clones the
 * repository has only what is in it, so a rule that matters is stated where it applies, or in
 * docs/architecture.md ("Conventions the code keeps").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoFiles, repoRoot } from './support/repo.js';

// Each pattern names a kind of pointer to something outside the repository.
const pointers: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\b(?:STYLE|DESIGN)\.md\b|\bSTYLE rules?\b/, what: 'a design or style document kept outside the repository' },
  { pattern: /\breference\/[\w.-]+/, what: 'reference notes kept outside the repository' },
  { pattern: /\b(?:zope|inversify|node-sessions|twisted-nevow-pyramid)\.md\b/, what: 'reference notes kept outside the repository' },
  { pattern: /\bseeds\//, what: 'the source documents as files (name the document instead)' },
  { pattern: /§ ?\d/, what: 'a section of a document kept outside the repository' },
  { pattern: /\/work\/shared\b/, what: 'a path on the machine the project was written on' },
  { pattern: /\b(?:from|in|per) the brief\b/i, what: 'a brief kept outside the repository' },
  { pattern: /\[verified\]/, what: 'a marker of reference notes kept outside the repository' },
];

// Text files only; the lock file is npm's and this file spells the patterns out.
const skipped = new Set(['package-lock.json', 'test/standalone.test.ts']);
const textFile = /\.(?:ts|js|mjs|cjs|json|md|yml|yaml|sh|txt|html|css)$|(?:^|\/)(?:LICENSE|\.gitignore|run)$/;

describe('the repository stands alone', () => {
  it('no file points at design notes, style guides or reference material kept outside it', () => {
    const found: string[] = [];
    for (const file of repoFiles()) {
      if (skipped.has(file) || !textFile.test(file) || !existsSync(join(repoRoot, file))) continue;
      const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const { pattern, what } of pointers) {
          if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 160)}`);
        }
      });
    }
    // Say what matters in place (a comment, the guide) or in docs/architecture.md instead.
    expect(found).toEqual([]);
  });

  it('the check finds a pointer when one comes back', () => {
    const hits = (line: string) => pointers.filter(({ pattern }) => pattern.test(line)).length;
    expect(hits('// see STYLE.md rule 3')).toBe(1);
    expect(hits(' * Storage follows zope (reference/zope.md §2) exactly')).toBe(3);
    expect(hits('the original is in seeds/000_x.txt')).toBe(1);
    expect(hits("| target (DESIGN.md) | measured |")).toBe(1);
    expect(hits('see docs/architecture.md, "Conventions the code keeps"')).toBe(0);
  });
});
