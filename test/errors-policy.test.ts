/**
 * One errors policy in every package (docs/errors.md, top section): each error class extends
 * DovetailError, except those a zope or Twisted user catches as TypeError, which extend
 * TypeError; the docs name every one of those, and isDovetailError recognises both kinds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as interfaces from '@dovetail/interfaces';
import * as registry from '@dovetail/registry';
import * as session from '@dovetail/session';
import * as web from '@dovetail/web';
import { repoRoot } from './support/repo.js';

type ErrorClass = abstract new (...args: never[]) => Error;

const exported: [string, ErrorClass][] = [interfaces, registry, session, web]
  .flatMap((m) => Object.entries(m))
  .filter((entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error);

/** The classes the policy paragraph names as its TypeErrors (up to where it turns to the others). */
function namedTypeErrors(): Set<string> {
  const top = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
  const paragraph = top.slice(top.indexOf('One policy'), top.indexOf('Where zope raises'));
  return new Set([...paragraph.matchAll(/`(\w+Error)`/g)].map((m) => m[1]!).filter((n) => !['TypeError', 'ValueError', 'DovetailError'].includes(n)));
}

describe('the errors policy', () => {
  it('every exported error class → a DovetailError or a TypeError, never a bare Error', () => {
    expect(exported.length).toBeGreaterThan(30);
    for (const [name, cls] of exported) {
      const kind = cls === interfaces.DovetailError || cls.prototype instanceof interfaces.DovetailError ? 'DovetailError' : cls.prototype instanceof TypeError ? 'TypeError' : 'Error';
      expect([name, kind]).not.toEqual([name, 'Error']);
    }
  });

  it('the TypeErrors → exactly the ones docs/errors.md names as such (a subclass of a named one counts as named)', () => {
    const named = namedTypeErrors();
    const typeErrors = exported.filter(([, cls]) => cls.prototype instanceof TypeError);
    for (const [name, cls] of typeErrors) {
      const parent = (Object.getPrototypeOf(cls) as { name: string }).name;
      expect([name, named.has(name) || named.has(parent)]).toEqual([name, true]);
    }
    const exportedNames = new Set(exported.map(([name]) => name));
    const typeErrorNames = new Set(typeErrors.map(([name]) => name));
    for (const name of named) expect([name, exportedNames.has(name), typeErrorNames.has(name)]).toEqual([name, true, true]);
  });

  it('isDovetailError → true for an error of each kind thrown by the API', () => {
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const typeError = thrown(() => interfaces.classImplements(class Plain {}, 42 as never));
    const valueError = thrown(() => interfaces.defineInterface('not-dotted'));
    expect(typeError).toBeInstanceOf(TypeError);
    expect(valueError).toBeInstanceOf(interfaces.DovetailError);
    expect([typeError, valueError].map(interfaces.isDovetailError)).toEqual([true, true]);
  });
});
