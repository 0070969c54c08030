/**
 * The type tests are real: `npm test` runs the TypeScript checker over every test file, so a
 * wrong type assertion fails the run. This test shows the checker refusing the two kinds of
 * mistake a type test guards against, with the compiler options the project builds with.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'dovetail-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The checker's errors for `source`, compiled with the project's options. */
function typeErrors(source: string): string[] {
  const configPath = join(root, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, source);
  const program = ts.createProgram([file], { ...options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const header = `
import { Attribute, defineInterface } from '${join(root, 'packages/interfaces/src/index.js')}';
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}
interface Counter { value: number }
const ICounter = defineInterface<Counter>('test.typecheck.ICounter', { members: { value: Attribute('n') } });
const c = ICounter({});
`;

describe('the type checker in npm test', () => {
  it('accepts a true type assertion', () => {
    expect(typeErrors(`${header}expectType<Equal<typeof c, Counter>>();\n`)).toEqual([]);
  });

  it('refuses a wrong Equal<…> assertion', () => {
    const errors = typeErrors(`${header}expectType<Equal<typeof c, Counter | null>>();\n`);
    expect(errors.join('\n')).toMatch(/does not satisfy the constraint 'true'/);
  });

  it('refuses a value of the wrong type', () => {
    const errors = typeErrors(`${header}const bad: number = 'x';\nexport { bad };\n`);
    expect(errors.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  });
});
