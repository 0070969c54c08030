/**
 * Where the repository is, and which of its files are its own (tracked or about to be), for the
 * repository-wide checks in this folder.
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding the workspace's package.json). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The four published packages, in dependency order. */
export const packageNames = ['interfaces', 'registry', 'session', 'web'] as const;

/**
 * The repository's files, relative to its root: tracked ones and new ones git does not ignore,
 * so a check sees a file before it is committed.
 */
export function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(out.split('\0').filter((f) => f !== ''))].sort();
}

/** The READMEs (the repository's and each package's) and every page under docs/ (generated API pages excepted). */
export function docPages(): string[] {
  const readme = /^(?:packages\/[\w-]+\/)?README\.md$/;
  return repoFiles().filter((f) => f.endsWith('.md') && (readme.test(f) || (f.startsWith('docs/') && !f.startsWith('docs/api/'))));
}
