/**
 * Transpiles the session store sources to plain ESM JavaScript so that child processes (which run
 * outside jest and without a TypeScript loader) can import the very code under test.
 *
 * Only a transpile (no type check, a few milliseconds): `@dovetail/interfaces` is rewritten to a
 * transpiled copy of its errors module, the one thing the stores need from it. The output goes
 * under the repository's `node_modules/.cache/` so that the stores' lazy `import('better-sqlite3')`
 * and `import('redis')` resolve to the installed packages.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const sessionSrc = resolve(here, '../../src');
const repoRoot = resolve(here, '../../../..');

const SOURCES = ['errors', 'codec', 'memory-store', 'sqlite-store', 'redis-store', 'cookie-store', 'store'];

/** A directory of transpiled modules; `remove()` deletes it. */
export interface CompiledSources {
  /** Absolute directory holding `<name>.js` for each source. */
  readonly dir: string;
  /** Deletes the directory. */
  remove(): void;
}

/** Transpiles the session sources (and the interfaces errors they need) into a fresh directory. */
export function compileSessionSources(): CompiledSources {
  const cache = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'dovetail-session-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const emit = (source: string, out: string): void => {
    const text = readFileSync(source, 'utf8').replace(/'@dovetail\/interfaces'/g, "'./interfaces-errors.js'");
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    }).outputText;
    writeFileSync(join(dir, out), js);
  };
  emit(resolve(repoRoot, 'packages/interfaces/src/errors.ts'), 'interfaces-errors.js');
  for (const name of SOURCES) emit(join(sessionSrc, `${name}.ts`), `${name}.js`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
