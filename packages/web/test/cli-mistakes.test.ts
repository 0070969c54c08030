/**
 * `dovetail serve` mistakes, in child processes: each is answered with exit code 2 and one line
 * on stderr saying what to do, never a stack. Then the flags for TLS: `--trust-proxy` (believe
 * X-Forwarded-Proto behind a proxy) and `--https CERT KEY` (a real TLS request on 127.0.0.1).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { buildIfMissing, CLI, DEMO, ROOT } from './support/cli.js';
import { spawnServer, type SpawnedServer } from './support/process.js';
import type { TLSSocket } from 'node:tls';

const WEB = pathToFileURL(join(ROOT, 'packages/web/dist/index.js')).href;

let dir: string;
beforeAll(() => {
  buildIfMissing();
  dir = mkdtempSync(join(tmpdir(), 'dovetail-cli-mistakes-'));
  writeFileSync(join(dir, 'page.ts'), "import { Resource } from '@dovetail/web';\nexport default new Resource();\n");
  writeFileSync(join(dir, 'class.mjs'), `import { Resource } from '${WEB}';\nexport default class CounterPage extends Resource {}\n`);
  writeFileSync(join(dir, 'root-class.mjs'), `import { Resource } from '${WEB}';\nexport const root = class Home extends Resource {};\n`);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: SpawnedServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Lines on stderr that are not Node's own experimental-feature notices. */
function lines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings'));
}

/** Runs `dovetail serve <args>` expecting it to stop at start-up. */
function serveFails(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [CLI, 'serve', ...args, '--port', '0'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, DOVETAIL_SECRETS: '', ...env } });
  return { status: r.status, lines: lines(r.stderr) };
}

describe('a mistake → exit 2, one line, no stack', () => {
  it.each([
    ['an unusable SQLite path', () => [DEMO, '--store', 'sqlite:/etc/hostname/x.db'], /^dovetail: --store sqlite:\/etc\/hostname\/x\.db is not usable: could not open the database: .*Check that the path is a writable file/],
    ['a TypeScript module', () => [join(dir, 'page.ts')], /^dovetail: '.*page\.ts' is TypeScript, which Node does not run: build it \(npx tsc\) .* or run the CLI with a TypeScript loader/],
    ['a Resource class as default export', () => [join(dir, 'class.mjs')], /^dovetail: Module '.*class\.mjs' exports the class CounterPage as 'default'; serving needs an instance of it: export default new CounterPage\(\)\.$/],
    ["a Resource class as 'root'", () => [join(dir, 'root-class.mjs')], /exports the class Home as 'root'; .*: export const root = new Home\(\)\.$/],
    ['a module that does not exist', () => [join(dir, 'nope.js')], /^dovetail: Cannot find module '.*nope\.js' .*Build first/],
    ['an unreachable Redis, named once (not redis:redis://)', () => [DEMO, '--store', 'redis://127.0.0.1:1'], /^dovetail: --store redis:\/\/127\.0\.0\.1:1 is not usable: could not connect: (?!.*redis:redis:)/],
    ['--https without its two files', () => [DEMO, '--https', 'cert.pem'], /^dovetail: --https takes two files, the certificate and its key \(PEM\): --https cert\.pem key\.pem$/],
    ['--https with a file that is not PEM', () => [DEMO, '--https', '/etc/hostname', '/etc/hostname'], /^dovetail: --https \/etc\/hostname \/etc\/hostname: not a certificate and its matching key in PEM/],
    ['an unwritable --secret-file', () => [DEMO, '--secret-file', '/etc/hostname/secret'], /^dovetail: --secret-file \/etc\/hostname\/secret: /],
  ])('%s', (_, args, message) => {
    const r = serveFails(args());
    expect(r).toEqual({ status: 2, lines: [expect.stringMatching(message)] });
  });

  it('a short DOVETAIL_INSPECTOR_TOKEN (the demo mounts the inspector with it) → the variable named, how to make a token, the token not shown', () => {
    const r = serveFails([DEMO], { DOVETAIL_INSPECTOR_TOKEN: 'tooshort' });
    expect(r).toEqual({
      status: 2,
      lines: [expect.stringMatching(/^dovetail: Module '.*demo\/index\.js' stopped while loading: DOVETAIL_INSPECTOR_TOKEN must be a secret string of at least 16 characters .*randomBytes.*, or unset to leave the inspector off, but was given "a string of 8 characters \(not shown\)"\.$/)],
    });
    expect(r.lines[0]).not.toContain('tooshort');
  });

  it('a SQLite store without DOVETAIL_SECRETS → no ephemeral-secret warning (the store keeps the secret), and the store named once', async () => {
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--store', `sqlite:${join(dir, 's.db')}`], cwd: ROOT, env: { DOVETAIL_SECRETS: '' } });
    expect((await fetch(`${server.url}/counter`)).status).toBe(200);
    expect(server.output()).not.toMatch(/DT_WARN_EPHEMERAL_SECRET|secrets: \[/);
    expect(server.output()).toMatch(/with sqlite:\/\S+s\.db sessions; listening on/);
  });
});

describe('--trust-proxy', () => {
  const cookieFor = async (url: string): Promise<string> =>
    (await fetch(`${url}/counter`, { headers: { 'x-forwarded-proto': 'https' } })).headers.getSetCookie().join('\n');

  it('with it, X-Forwarded-Proto: https → the Secure session cookie; without it, the plain one', async () => {
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--trust-proxy'], cwd: ROOT });
    expect(await cookieFor(server.url)).toMatch(/^DOVETAIL_SECURE_SESSION=[^;]+;.*Secure/);
    await server.stop();
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0'], cwd: ROOT });
    const plain = await cookieFor(server.url);
    expect(plain).toMatch(/^DOVETAIL_SESSION=/);
    expect(plain).not.toMatch(/Secure/);
  });
});

/** A self-signed certificate for 127.0.0.1, made now with openssl. */
function selfSigned(): { cert: string; key: string } | null {
  const out = join(dir, 'tls');
  mkdirSync(out, { recursive: true });
  const [cert, key] = [join(out, 'cert.pem'), join(out, 'key.pem')];
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  return r.status === 0 ? { cert, key } : null;
}

describe('--https CERT KEY', () => {
  it('serves TLS on 127.0.0.1: a verified HTTPS request gets the page and the Secure session cookie', async () => {
    const files = selfSigned();
    if (files === null) {
      console.warn('skipped: openssl could not make a certificate (is openssl installed?)');
      return;
    }
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--https', files.cert, files.key], cwd: ROOT });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await new Promise<{ status: number; cookies: string[]; body: string; authorized: boolean }>((resolve, reject) => {
      // `ca`: the certificate is verified (a self-signed one is its own authority).
      const req = request(`${server!.url}/counter`, { ca: readFileSync(files.cert) }, (res) => {
        const authorized = (res.socket as TLSSocket).authorized;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], body, authorized }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.authorized).toBe(true);
    expect(answer.body).toMatch(/Visit #1/);
    expect(answer.cookies[0]).toMatch(/^DOVETAIL_SECURE_SESSION=[^;]+;.*Secure/);
  });
});
