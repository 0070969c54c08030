/**
 * The four packages as users get them: `npm pack` each, install the tarballs into an empty
 * project (offline, from npm's cache: nothing is fetched), type-check the getting-started
 * counter there against the installed declarations with the getting-started tsconfig, and run
 * it: real HTTP on 127.0.0.1, the count goes up, and after a restart with the same secret the
 * same cookie keeps counting. Also checks what each tarball holds and that its maps resolve.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { extractBlocks, programsOf } from './support/code-blocks.js';
import { packageNames, repoRoot } from './support/repo.js';
import { runNode } from './support/run-program.js';

const work = mkdtempSync(join(tmpdir(), 'dovetail-pack-'));
const app = join(work, 'counter');
const tarballs = join(work, 'tarballs');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a nested npm: without the `npm_*` variables of the `npm test` running us. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

interface Packed {
  name: string;
  version: string;
  filename: string;
  integrity: string;
  files: { path: string }[];
}

interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * A package-lock for the empty project: the four tarballs, and their runtime dependencies
 * (inversify, reflect-metadata, cookie and what they need) pinned as the repository's own lock
 * pins them. `npm ci --offline` then takes every one from npm's cache by its integrity, as
 * `npm ci` in the repository left them there, and asks the registry nothing.
 */
function lockFor(packages: readonly Packed[]): { manifest: object; lock: object } {
  const repoLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const entries: Record<string, LockEntry> = {};
  const dependencies: Record<string, string> = {};
  const queue: [string, Record<string, string>][] = [];
  for (const p of packages) {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages', p.name.split('/')[1]!, 'package.json'), 'utf8')) as LockEntry;
    const spec = `file:../tarballs/${p.filename}`;
    dependencies[p.name] = spec;
    entries[`node_modules/${p.name}`] = { version: p.version, resolved: spec, integrity: p.integrity, license: 'MIT', ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}) };
    queue.push([`node_modules/${p.name}`, manifest.dependencies ?? {}]);
  }
  // Node's lookup over the repository's lock: a nested node_modules first, then the top level.
  const find = (from: string, name: string): string => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (repoLock.packages[key]) return key;
      if (!dir) throw new Error(`the repository's package-lock has no ${name} (needed by ${from})`);
    }
  };
  while (queue.length) {
    const [from, deps] = queue.shift()!;
    for (const name of Object.keys(deps)) {
      if (name.startsWith('@dovetail/')) continue;
      const key = find(from.startsWith('node_modules/@dovetail/') ? '' : from, name);
      if (entries[key]) continue;
      const entry = { ...repoLock.packages[key]! };
      const base = name.split('/').pop()!;
      entry.resolved ??= `https://registry.npmjs.org/${name}/-/${base}-${entry.version}.tgz`;
      entries[key] = entry;
      queue.push([key, entry.dependencies ?? {}]);
    }
  }
  const manifest = { name: 'counter', version: '1.0.0', private: true, type: 'module', dependencies };
  return { manifest, lock: { name: 'counter', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'counter', version: '1.0.0', dependencies }, ...entries } } };
}
let packed: Packed[] = [];

beforeAll(() => {
  // The tarballs hold dist/: bring it up to date (incremental; npm test has just built it).
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ...packageNames.map((n) => `packages/${n}`)], { cwd: repoRoot, stdio: 'pipe' });
  mkdirSync(tarballs);
  const workspaces = packageNames.flatMap((n) => ['--workspace', `packages/${n}`]);
  packed = JSON.parse(npm(['pack', ...workspaces, '--pack-destination', tarballs, '--json', '--ignore-scripts'], repoRoot)) as Packed[];
  mkdirSync(app);
  const { manifest, lock } = lockFor(packed);
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
  npm(['ci', '--offline', '--ignore-scripts'], app);
  // What getting-started installs from the registry besides dovetail: the SQLite driver (a
  // native build) and Node's types. Linked from the repository rather than rebuilt here.
  for (const name of ['better-sqlite3', '@types/node']) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
}, 180_000);

describe('the packed packages', () => {
  it('each tarball holds its README, LICENSE, built code, sources for its maps, and no tests', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(packageNames.map((n) => `@dovetail/${n}`));
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/index.d.ts.map', 'src/index.ts']));
      expect(files.filter((f) => /\.test\.(?:ts|js|d\.ts)$/.test(f) || f.startsWith('test/'))).toEqual([]);
      expect(readFileSync(join(repoRoot, 'packages', p.name.split('/')[1]!, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'));
    }
  });

  it('each package.json says where it comes from and what it is', () => {
    const repository = new Set<string>();
    for (const name of packageNames) {
      const manifest = JSON.parse(readFileSync(join(app, 'node_modules', '@dovetail', name, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({ license: 'MIT', type: 'module', repository: { type: 'git', directory: `packages/${name}` } });
      expect(manifest['homepage']).toMatch(/^https:\/\//);
      expect((manifest['keywords'] as string[]).length).toBeGreaterThan(2);
      repository.add((manifest['repository'] as { url: string }).url);
    }
    expect(repository.size).toBe(1);
  });

  it('every declaration map and source map points at a file the package ships', () => {
    const missing: string[] = [];
    let maps = 0;
    for (const name of packageNames) {
      const root = join(app, 'node_modules', '@dovetail', name);
      const dist = join(root, 'dist');
      const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
      for (const file of walk(dist).filter((f) => f.endsWith('.map'))) {
        maps += 1;
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string };
        for (const source of map.sources) {
          const target = resolve(dirname(file), map.sourceRoot ?? '', source);
          if (!existsSync(target) || relative(root, target).startsWith('..')) missing.push(`${relative(app, file)} → ${source}`);
        }
      }
    }
    expect(maps).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('the getting-started counter compiles against them and counts, across a restart', async () => {
    const page = 'docs/getting-started.md';
    const markdown = readFileSync(join(repoRoot, page), 'utf8');
    const served = programsOf(page, extractBlocks(page, markdown)).runs.find((r) => r.block.mode === 'serve');
    if (!served) throw new Error(`${page} has no \`ts serve\` block: the counter this test installs and runs`);
    const tsconfig = /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1];
    if (!tsconfig) throw new Error(`${page} has no tsconfig.json block`);
    writeFileSync(join(app, 'tsconfig.json'), tsconfig);
    writeFileSync(join(app, 'counter.ts'), served.program.source);

    // `npx tsc`, as the page says: the installed declarations must carry the program.
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(`${tsc.stdout}${tsc.stderr}`.trim()).toBe('');
    expect(tsc.status).toBe(0);

    const env = { DOVETAIL_SECRETS: 'packaging-test-secret-0123456789abcdef' };
    const first = await runNode(join(app, 'dist', 'counter.js'), { cwd: app, env, timeoutMs: 20_000, serve: { requests: 2 } });
    if (!first.ok) throw new Error(`${first.why}\n${first.stdout}\n${first.stderr}`);
    expect(first.bodies.map((b) => /Visit #(\d+)/.exec(b)?.[1])).toEqual(['1', '2']);

    // A restart with the same secret: the same cookie finds the same session in the SQLite file.
    const second = await runNode(join(app, 'dist', 'counter.js'), { cwd: app, env, timeoutMs: 20_000, serve: { requests: 1, cookie: first.cookie } });
    if (!second.ok) throw new Error(`${second.why}\n${second.stdout}\n${second.stderr}`);
    expect(second.bodies.map((b) => /Visit #(\d+)/.exec(b)?.[1])).toEqual(['3']);
  }, 90_000);
});
