/**
 * Type-checks generated programs against the packages' sources with the repository's compiler
 * options, in one TypeScript program (the packages are checked once, not once per block), and
 * reports each error at the page line it came from.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './repo.js';
import type { Program } from './code-blocks.js';

/** The compiler options of tsconfig.json (which maps each `@dovetail/*` to its `src/index.ts`). */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('cannot read tsconfig.json');
  return { ...parsed.options, noEmit: true, types: ['node'] };
}

/** The virtual path of a generated program: under the repository, so imports resolve as in its code. */
export function virtualPath(program: Program): string {
  return join(repoRoot, 'var', 'docs-check', `${program.name}.mts`);
}

/** Type-checks the programs; returns one line per error, `page:line: message`. */
export function typecheck(programs: readonly Program[]): string[] {
  const options = compilerOptions();
  const byPath = new Map(programs.map((p) => [virtualPath(p), p]));
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => byPath.has(f) || fileExists.call(host, f);
  host.readFile = (f) => byPath.get(f)?.source ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const program = byPath.get(f);
    return program ? ts.createSourceFile(f, program.source, language, true) : getSourceFile.call(host, f, language, onError, create);
  };
  const checker = ts.createProgram({ rootNames: [...byPath.keys()], options, host });
  const errors: string[] = [];
  for (const [path, program] of byPath) {
    const file = checker.getSourceFile(path);
    if (!file) throw new Error(`the program ${program.name} was not loaded`);
    const diagnostics = [...checker.getSyntacticDiagnostics(file), ...checker.getSemanticDiagnostics(file)];
    for (const d of diagnostics) {
      const line = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line;
      const origin = program.origins[line] ?? { page: program.page, line: 0 };
      const where = 'hidden' in origin ? `${origin.page}:${origin.line} (hidden code)` : `${origin.page}:${origin.line}`;
      errors.push(`${where}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  // Options or lib problems would hide every block's errors: report them too.
  for (const d of checker.getOptionsDiagnostics()) errors.push(`compiler options: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  return errors;
}

/** The JavaScript of a program, for running it (types are erased, decorators compiled as in the packages). */
export function transpile(program: Program): string {
  const options = compilerOptions();
  return ts.transpileModule(program.source, {
    compilerOptions: { ...options, module: ts.ModuleKind.ESNext, sourceMap: false, declaration: false, declarationMap: false },
    fileName: virtualPath(program),
  }).outputText;
}
