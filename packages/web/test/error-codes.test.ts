import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as interfaces from '@dovetail/interfaces';
import * as registry from '@dovetail/registry';
import * as session from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import * as web from '@dovetail/web';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const packages = ['interfaces', 'registry', 'session', 'web'];

/** class name → code, read from each package's errors.ts and its other `*-errors.ts` files. */
function codesInSources(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const pkg of packages) {
    const src = join(root, 'packages', pkg, 'src');
    const files = readdirSync(src).filter((f) => /^(?:.+-)?errors\.ts$/.test(f));
    let current = '';
    for (const line of files.flatMap((f) => readFileSync(join(src, f), 'utf8').split('\n'))) {
      const cls = /^export (?:abstract )?class (\w+)/.exec(line);
      if (cls) current = cls[1]!;
      const code = /code(?:: string)? = '(DT_[A-Z_]+)'/.exec(line);
      if (code) codes.set(current, code[1]!);
    }
  }
  return codes;
}

function codesInDocs(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(root, 'docs', 'errors.md'), 'utf8').split('\n')) {
    const row = /^\| `(DT_[A-Z_]+)` \| `(\w+)` \|/.exec(line);
    if (row) rows.set(row[1]!, row[2]!);
  }
  return rows;
}

describe('error codes', () => {
  const sources = codesInSources();
  const docs = codesInDocs();

  it('every code → unique', () => {
    const all = [...sources.values()];
    expect(new Set(all).size).toBe(all.length);
  });

  it('every code in the sources → a row in docs/errors.md naming its class', () => {
    for (const [cls, code] of sources) expect([code, docs.get(code)]).toEqual([code, cls]);
  });

  it('every row in docs/errors.md → a code in the sources', () => {
    const known = new Set(sources.values());
    for (const code of docs.keys()) expect([code, known.has(code)]).toEqual([code, true]);
  });

  it('every exported error class → has a documented code', () => {
    const exported = [interfaces, registry, session, web].flatMap((m) => Object.entries(m));
    const errorClasses = exported.filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error);
    expect(errorClasses.length).toBeGreaterThan(30);
    for (const [name] of errorClasses) {
      if (/^(DovetailError|InterfacesError|RegistryError|SessionError|WebError)$/.test(name)) continue;
      expect([name, sources.has(name)]).toEqual([name, true]);
    }
  });
});
