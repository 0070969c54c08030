import { readFileSync } from 'node:fs';
import { adapterHooks, Interface } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import '@dovetail/registry';

// A bundler drops any module of a package with `"sideEffects": false` whose exports go unused;
// the modules whose loading changes something outside themselves must be listed.
const manifest = (pkg: string): { sideEffects: unknown; exports: Record<string, unknown> } =>
  JSON.parse(readFileSync(new URL(`../../${pkg}/package.json`, import.meta.url), 'utf8')) as never;

describe('load-time effects are declared in sideEffects', () => {
  it('registry: site.ts installs the hook that asks the current registry', () => {
    expect(adapterHooks.map((h) => h.name)).toContain('currentRegistry');
    expect(manifest('registry').sideEffects).toEqual(['./dist/site.js']);
  });

  it('interfaces: interface.ts gives the root Interface its methods and call', () => {
    expect(Interface.names()).toEqual([]);
    expect(Interface(7)).toBe(7);
    expect(manifest('interfaces').sideEffects).toEqual(['./dist/interface.js']);
  });

  it('both: an ./internal entry beside the public one', () => {
    for (const pkg of ['interfaces', 'registry']) {
      expect(manifest(pkg).exports['./internal']).toEqual({ types: './dist/internal.d.ts', default: './dist/internal.js' });
    }
  });
});
