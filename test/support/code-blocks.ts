/**
 * The ```ts blocks of a Markdown page, and the programs they make.
 *
 * A page is read top to bottom, so its blocks form one program: each block continues the ones
 * before it (their imports are merged at the top). The fence's info string says otherwise:
 *
 * - ```ts standalone  starts a program of its own; the blocks after it continue that one;
 * - ```ts run         is checked, then the program up to it runs and must exit 0 in time;
 * - ```ts serve       likewise, but it is a server: it runs with PORT=0 and must print its
 *                     http:// URL, which then answers a GET with 200; then it is stopped;
 * - ```ts skip: why   is not checked; the reason is required and is printed.
 *
 * Flags combine (`ts standalone run`). An HTML comment right above a block that starts with
 * `<!-- ts` holds hidden code for that block (declarations the prose takes as given):
 *
 *     <!-- ts
 *     declare const cookieValue: string;
 *     -->
 */
import ts from 'typescript';

/** One fenced block, with where it came from. */
export interface CodeBlock {
  readonly page: string;
  /** 1-based line of the block's first code line in the page. */
  readonly line: number;
  readonly code: string;
  /** Hidden code from a `<!-- ts … -->` comment above the block, and its first line. */
  readonly hidden?: { readonly code: string; readonly line: number };
  readonly standalone: boolean;
  readonly mode: 'check' | 'run' | 'serve' | 'skip';
  readonly skipReason?: string;
}

/** A fence that is a TypeScript block, with its flags (the words after the language). */
const tsFence = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/;
const anyFence = /^(\s*)(`{3,}|~{3,})/;

/** Reads every ```ts block of a page. Throws on flags it does not know, so a typo is not a silent skip. */
export function extractBlocks(page: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let hidden: { code: string; line: number; endsAt: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*<!--\s*ts\s*$/.test(line)) {
      const end = lines.findIndex((l, j) => j > i && l.includes('-->'));
      if (end < 0) throw new Error(`${page}:${i + 1}: a '<!-- ts' comment is never closed`);
      hidden = { code: lines.slice(i + 1, end).join('\n'), line: i + 2, endsAt: end };
      i = end;
      continue;
    }
    const open = anyFence.exec(line);
    if (!open) {
      if (line.trim() !== '') hidden = undefined;
      continue;
    }
    const indent = open[1]!;
    const fence = open[2]!;
    const closing = new RegExp(`^\\s*\\${fence[0]}{${fence.length},}\\s*$`);
    const end = lines.findIndex((l, j) => j > i && closing.test(l));
    const close = end < 0 ? lines.length : end;
    const opening = tsFence.exec(line);
    if (opening) {
      const flags = parseFlags(page, i + 1, opening[4]!.trim());
      const code = lines.slice(i + 1, close).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
      blocks.push({ page, line: i + 2, code, ...(hidden ? { hidden: { code: hidden.code, line: hidden.line } } : {}), ...flags });
    }
    hidden = undefined;
    i = close;
  }
  return blocks;
}

function parseFlags(page: string, line: number, info: string): Pick<CodeBlock, 'standalone' | 'mode' | 'skipReason'> {
  const skip = /^skip\s*:\s*(.*)$/.exec(info);
  if (skip) {
    if (!skip[1]!.trim()) throw new Error(`${page}:${line}: 'ts skip:' needs a reason the reader can see, e.g. 'ts skip: needs a Redis server'`);
    return { standalone: true, mode: 'skip', skipReason: skip[1]!.trim() };
  }
  if (/^skip\b/.test(info)) throw new Error(`${page}:${line}: write the reason after a colon: 'ts skip: <why>'`);
  const words = info.split(/\s+/).filter(Boolean);
  const known = new Set(['standalone', 'run', 'serve']);
  const unknown = words.filter((w) => !known.has(w));
  if (unknown.length) throw new Error(`${page}:${line}: unknown flag(s) '${unknown.join(' ')}' on a ts block; use standalone, run, serve or 'skip: <why>'`);
  return { standalone: words.includes('standalone'), mode: words.includes('serve') ? 'serve' : words.includes('run') ? 'run' : 'check' };
}

/** Where a line of a generated program came from. */
export type LineOrigin = { readonly page: string; readonly line: number } | { readonly page: string; readonly line: number; readonly hidden: true };

/** A program made of a page's blocks: the source, a map from its lines to the page's, and its blocks. */
export interface Program {
  readonly name: string;
  readonly page: string;
  readonly source: string;
  readonly origins: readonly LineOrigin[];
  readonly blocks: readonly CodeBlock[];
}

/**
 * Groups a page's checked blocks into programs, and for each block that runs, the program up to
 * and including it. Imports are hoisted and merged, so blocks may repeat an import.
 */
export function programsOf(page: string, blocks: readonly CodeBlock[]): { programs: Program[]; runs: { block: CodeBlock; program: Program }[] } {
  const slug = page.replace(/\.md$/, '').replace(/[^\w]+/g, '-');
  const chains: CodeBlock[][] = [];
  for (const block of blocks) {
    if (block.mode === 'skip') continue;
    if (block.standalone || chains.length === 0) chains.push([block]);
    else chains[chains.length - 1]!.push(block);
  }
  const programs = chains.map((chain, n) => assemble(`${slug}.${n + 1}`, page, chain));
  const runs: { block: CodeBlock; program: Program }[] = [];
  chains.forEach((chain, n) => {
    chain.forEach((block, k) => {
      if (block.mode === 'run' || block.mode === 'serve') runs.push({ block, program: assemble(`${slug}.${n + 1}.run${k + 1}`, page, chain.slice(0, k + 1)) });
    });
  });
  return { programs, runs };
}

interface ImportParts {
  named: Map<string, boolean>; // "a" or "a as b" → type-only
  defaults: Set<string>;
  namespaces: Set<string>;
  typeOnlyDefaults: Set<string>;
  bare: boolean;
  origin: LineOrigin;
}

function assemble(name: string, page: string, chain: readonly CodeBlock[]): Program {
  const imports = new Map<string, ImportParts>();
  const body: string[] = [];
  const bodyOrigins: LineOrigin[] = [];
  for (const block of chain) {
    const pieces = block.hidden ? [{ code: block.hidden.code, line: block.hidden.line, hidden: true }, { code: block.code, line: block.line, hidden: false }] : [{ code: block.code, line: block.line, hidden: false }];
    for (const piece of pieces) {
      const origin = (offset: number): LineOrigin => (piece.hidden ? { page, line: piece.line + offset, hidden: true } : { page, line: piece.line + offset });
      const file = ts.createSourceFile('block.ts', piece.code, ts.ScriptTarget.ES2022, true);
      const lines = piece.code.split('\n');
      const dropped = new Set<number>();
      for (const statement of file.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const from = file.getLineAndCharacterOfPosition(statement.getStart()).line;
        const to = file.getLineAndCharacterOfPosition(statement.getEnd()).line;
        for (let l = from; l <= to; l++) dropped.add(l);
        addImport(imports, statement, origin(from));
      }
      lines.forEach((text, l) => {
        body.push(dropped.has(l) ? '' : text);
        bodyOrigins.push(origin(l));
      });
    }
    body.push('');
    bodyOrigins.push({ page, line: block.line });
  }
  const head: string[] = [];
  const headOrigins: LineOrigin[] = [];
  for (const [from, parts] of imports) {
    for (const line of importLines(from, parts)) {
      head.push(line);
      headOrigins.push(parts.origin);
    }
  }
  // `export {}` keeps a program without imports a module (top-level await, no global clashes).
  head.push('export {};');
  headOrigins.push({ page, line: chain[0]!.line });
  return { name, page, source: [...head, ...body].join('\n'), origins: [...headOrigins, ...bodyOrigins], blocks: chain };
}

function addImport(imports: Map<string, ImportParts>, statement: ts.ImportDeclaration, origin: LineOrigin): void {
  const from = (statement.moduleSpecifier as ts.StringLiteral).text;
  let parts = imports.get(from);
  if (!parts) {
    parts = { named: new Map(), defaults: new Set(), namespaces: new Set(), typeOnlyDefaults: new Set(), bare: false, origin };
    imports.set(from, parts);
  }
  const clause = statement.importClause;
  if (!clause) {
    parts.bare = true;
    return;
  }
  if (clause.name) (clause.isTypeOnly ? parts.typeOnlyDefaults : parts.defaults).add(clause.name.text);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) parts.namespaces.add(bindings.name.text);
  if (bindings && ts.isNamedImports(bindings)) {
    for (const element of bindings.elements) {
      const key = element.propertyName ? `${element.propertyName.text} as ${element.name.text}` : element.name.text;
      const typeOnly = clause.isTypeOnly || element.isTypeOnly;
      // A name imported as a value anywhere is a value import.
      parts.named.set(key, (parts.named.get(key) ?? true) && typeOnly);
    }
  }
}

function importLines(from: string, parts: ImportParts): string[] {
  const spec = JSON.stringify(from);
  const lines: string[] = [];
  for (const name of parts.defaults) lines.push(`import ${name} from ${spec};`);
  for (const name of parts.typeOnlyDefaults) lines.push(`import type ${name} from ${spec};`);
  for (const name of parts.namespaces) lines.push(`import * as ${name} from ${spec};`);
  if (parts.named.size) lines.push(`import { ${[...parts.named].map(([key, typeOnly]) => (typeOnly ? `type ${key}` : key)).join(', ')} } from ${spec};`);
  if (parts.bare && lines.length === 0) lines.push(`import ${spec};`);
  return lines;
}
