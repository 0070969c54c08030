/**
 * The API reference builds from the packages' doc comments, and every exported name (with its
 * properties, methods and accessors) has one: `npm run docs` fails otherwise, and so does this test, which
 * runs the same TypeDoc configuration (typedoc.json) without writing the pages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from './support/repo.js';

const typedoc = join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc');

describe('the API reference (TypeDoc)', () => {
  it('builds, and every exported name has a doc comment', () => {
    // TypeDoc is a devDependency: a node_modules installed before it joined needs `npm install`.
    if (!existsSync(typedoc)) throw new Error(`typedoc is not installed (${typedoc}): run \`npm install\`, then npm test again`);
    const result = spawnSync(process.execPath, [typedoc, '--emit', 'none'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 150_000,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const output = `${result.stdout}${result.stderr}`.trim();
    // Each line names a name without a comment, or a broken {@link}: document it in the source.
    expect(output).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);
});
