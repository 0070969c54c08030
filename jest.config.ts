import type { Config } from 'jest';

const packages = ['interfaces', 'registry', 'session', 'web'] as const;

// Tests run as ESM (inversify 8 is ESM-only) straight from the TypeScript sources:
// each package name maps to its src/index.ts, so no build is needed to test.
const moduleNameMapper: Record<string, string> = {
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
for (const name of packages) moduleNameMapper[`^@dovetail/${name}$`] = `<rootDir>/packages/${name}/src/index.ts`;
// What the packages share with each other only (`exports["./internal"]`).
for (const name of ['interfaces', 'registry', 'session']) moduleNameMapper[`^@dovetail/${name}/internal$`] = `<rootDir>/packages/${name}/src/internal.ts`;

const transform: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
};

const project = (displayName: string, roots: string[]): NonNullable<Config['projects']>[number] => ({
  displayName,
  rootDir: '.',
  roots,
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper,
  transform,
  testEnvironment: 'node',
});

const config: Config = {
  projects: [
    ...packages.map((name) => project(name, [`<rootDir>/packages/${name}`])),
    project('examples', ['<rootDir>/examples']),
    // A smoke test of the benchmark harness (not a benchmark: it asserts no speed).
    project('bench', ['<rootDir>/bench']),
    // Repository-wide checks: the docs' code blocks, the API reference, the packed packages.
    project('repository', ['<rootDir>/test']),
  ],
  testTimeout: 30_000,
};

export default config;
