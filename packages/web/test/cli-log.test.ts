/**
 * `dovetail serve --log`, in a child process over real HTTP: the URL line when listening, then
 * one access line per request in Combined Log Format followed by `session=… ms=…`, or (with
 * `--log json`) the same fields as one JSON object per line.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { buildIfMissing, CLI, DEMO, ROOT } from './support/cli.js';
import { spawnServer, type SpawnedServer } from './support/process.js';


beforeAll(() => {
  buildIfMissing();
}, 180_000);

let server: SpawnedServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The child's stdout lines that match `pattern`, once there are `count` of them (polled, 10 s deadline). */
async function linesMatching(s: SpawnedServer, pattern: RegExp, count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = s.output().split('\n').filter((l) => pattern.test(l));
    if (lines.length >= count || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Four requests: a new session, the same one, a cookie naming no session, a page without a session. */
async function visit(url: string): Promise<void> {
  const first = await fetch(`${url}/counter`, { headers: { 'user-agent': 'log-test "quoted"', referer: 'http://example.test/' } });
  const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  await first.text();
  await (await fetch(`${url}/counter?x=1`, { headers: { cookie } })).text();
  await (await fetch(`${url}/counter`, { headers: { cookie: 'DOVETAIL_SESSION=gone.forged' } })).text();
  await (await fetch(`${url}/nope`)).text();
}

// host ident user [time] "request" status bytes "referer" "user-agent" session=… ms=…
const COMBINED =
  /^(127\.0\.0\.1|::ffff:127\.0\.0\.1) - - \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" session=(created|loaded|expired|-) ms=(\d+)$/;

describe('dovetail serve --log', () => {
  it('prints the URL, then one Combined Log Format line per request with session= and ms=', async () => {
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--log'], cwd: ROOT });
    expect(server.output()).toMatch(/^dovetail: serving .* listening on http:\/\/127\.0\.0\.1:\d+$/m);
    await visit(server.url);
    const lines = await linesMatching(server, /^\S+ - - \[/, 4);
    expect(lines).toHaveLength(4);
    const fields = lines.map((l) => {
      const m = COMBINED.exec(l);
      expect({ line: l, parsed: m !== null }).toEqual({ line: l, parsed: true });
      return m!;
    });
    expect(fields.map((m) => [m[3], m[4], m[8]])).toEqual([
      ['GET /counter HTTP/1.1', '200', 'created'],
      ['GET /counter?x=1 HTTP/1.1', '200', 'loaded'],
      ['GET /counter HTTP/1.1', '200', 'expired'],
      ['GET /nope HTTP/1.1', '404', '-'],
    ]);
    expect(fields[0]![6]).toBe('http://example.test/');
    expect(fields[0]![7]).toBe('log-test \\"quoted\\"');
    expect(Number(fields[0]![5])).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(fields[0]![2]!.replace(':', ' ')) - Date.now())).toBeLessThan(60_000);
  });

  it('--log json → the same fields as one JSON object per line', async () => {
    server = await spawnServer({ args: [CLI, 'serve', DEMO, '--port', '0', '--log', 'json'], cwd: ROOT });
    await visit(server.url);
    const lines = await linesMatching(server, /^\{/, 4);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => [e['method'], e['target'], e['status'], e['session']])).toEqual([
      ['GET', '/counter', 200, 'created'],
      ['GET', '/counter?x=1', 200, 'loaded'],
      ['GET', '/counter', 200, 'expired'],
      ['GET', '/nope', 404, '-'],
    ]);
    expect(entries[0]).toMatchObject({ protocol: 'HTTP/1.1', referer: 'http://example.test/', userAgent: 'log-test "quoted"', remoteAddress: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(typeof entries[0]!['ms']).toBe('number');
    expect(typeof entries[0]!['bytes']).toBe('number');
    expect(Math.abs(Date.parse(String(entries[0]!['time'])) - Date.now())).toBeLessThan(60_000);
  });

  it('--log yaml → exit 2 with one line naming the formats', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [CLI, 'serve', DEMO, '--log=yaml'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      ({ status, stderr } = e as { status: number; stderr: string });
    }
    expect(status).toBe(2);
    expect(stderr.trim()).toBe("dovetail: --log takes combined (the default) or json, not 'yaml'.");
  });
});
