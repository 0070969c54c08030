/**
 * What every test of the `dovetail` command needs: where the repository, the built CLI and the
 * built demo are, and a build when a bare `jest` run finds them missing (`npm test` builds first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built `dovetail` command. */
export const CLI = join(ROOT, 'packages/web/dist/cli.js');
/** The built demo module. */
export const DEMO = join(ROOT, 'examples/dist/demo/index.js');

/** Builds the packages and examples unless the CLI and the demo are built already (call in `beforeAll`, 180 s timeout). */
export function buildIfMissing(): void {
  if (![CLI, DEMO].every((f) => existsSync(f))) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}
