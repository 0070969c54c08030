/**
 * The docs hold together: docs/index.md, the front door, links every page under docs/, and
 * every relative link in the READMEs and docs/ reaches a file of the repository (docs/api/ is
 * built by `npm run docs`, so links into it are taken on trust).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { docPages, repoRoot } from './support/repo.js';

/** The targets of a page's Markdown links, code spans and fenced blocks left out. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^(\s*)(`{3,}|~{3,})[\s\S]*?^\1\2\s*$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

const pages = docPages();

describe('the docs', () => {
  it('docs/index.md links every page under docs/', () => {
    const index = readFileSync(join(repoRoot, 'docs', 'index.md'), 'utf8');
    const linked = new Set(links(index).map((l) => normalize(join('docs', l.split('#')[0]!))));
    const unlinked = pages.filter((p) => p.startsWith('docs/') && p !== 'docs/index.md' && !linked.has(p));
    // Add a line for each to docs/index.md, under Guides, Reference or Contributing.
    expect(unlinked).toEqual([]);
  });

  it('every relative link reaches a file of the repository', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const target of links(readFileSync(join(repoRoot, page), 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const path = normalize(join(dirname(page), decodeURI(target.split('#')[0]!)));
        if (path.startsWith('docs/api/') || path === 'docs/api') continue;
        if (!existsSync(join(repoRoot, path))) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
