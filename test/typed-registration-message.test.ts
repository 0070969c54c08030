/**
 * The compiler's message for a factory that does not fit its registration is the one the
 * interfaces-and-adapters guide shows: the named helper type (`AdapterFactoryFor<[Session],
 * Counter>`) first, then the member that is missing. The guide's example compiles because the
 * mistake is marked `@ts-expect-error`; here the mark is taken away and the message compared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { extractBlocks, programsOf } from './support/code-blocks.js';
import { repoRoot } from './support/repo.js';
import { typecheck } from './support/typecheck.js';

const page = 'docs/guide/interfaces-and-adapters.md';
const markdown = readFileSync(join(repoRoot, page), 'utf8');

describe('typed registration: the compiler message', () => {
  it('a factory whose instances lack the provided type → the message the guide shows', () => {
    const shown = /The compiler says which factory type it wanted[^\n]*\n\n```text\n([\s\S]*?)\n```/.exec(markdown)?.[1];
    expect(shown).toContain("AdapterFactoryFor<[Session], Counter>");
    const program = programsOf(page, extractBlocks(page, markdown)).programs.find((p) => p.source.includes('registerAdapter(Tally'));
    if (!program) throw new Error(`${page} no longer registers Tally: update this test with the guide`);
    // Blank the mark, not the line, so that the program's lines keep their origins in the page.
    const source = program.source.replace(/\/\/ @ts-expect-error Tally[^\n]*/, '');
    expect(source).not.toBe(program.source);
    const errors = typecheck([{ ...program, name: `${program.name}-unmarked`, source }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^docs\/guide\/interfaces-and-adapters\.md:\d+: TS2345: /);
    expect(errors[0]!.replace(/^[^:]+:\d+: TS2345: /, '')).toBe(shown);
  });
});
