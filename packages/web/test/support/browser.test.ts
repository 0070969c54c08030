/**
 * Checks the test-support helpers themselves: Debian chromium through playwright-core, and
 * spawnServer (a child server process, browsed the way the demo's end-to-end tests do it).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeWithBrowser, launchBrowser, type LaunchedBrowser } from './browser.js';
import { spawnServer } from './process.js';
import type { AddressInfo } from 'node:net';

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>support</title></head><body>
<button id="go" onclick="document.getElementById('out').textContent = 'clicked ' + (++window.n)">Go</button>
<p id="out">not yet</p><script>window.n = 0;</script></body></html>`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

// A child server: a counter per `sid` cookie, announcing its port the way the CLI does.
const CHILD_SERVER = `
const http = require('node:http');
const counts = new Map();
const server = http.createServer((req, res) => {
  if (req.url !== '/') { res.statusCode = 404; res.end(); return; } // e.g. the browser's /favicon.ico
  const sid = /(?:^|; )sid=([^;]*)/.exec(req.headers.cookie || '')?.[1] || String(Math.random()).slice(2);
  const n = (counts.get(sid) || 0) + 1;
  counts.set(sid, n);
  res.setHeader('set-cookie', 'sid=' + sid + '; Path=/; HttpOnly');
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end('<!DOCTYPE html><link rel="icon" href="data:,"><p id="visit">Visit #' + n + ' for you!</p>');
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describeWithBrowser('launchBrowser (Debian chromium via playwright-core)', () => {
  let b: LaunchedBrowser | undefined;
  let server: Server | undefined;
  let url = '';

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(PAGE);
    });
    url = await listen(server);
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    if (server) await close(server);
  });

  it('clicks a button and reads the text', async () => {
    const context = await b!.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      expect(await page.textContent('#out')).toBe('not yet');
      await page.click('#go');
      await page.click('#go');
      expect(await page.textContent('#out')).toBe('clicked 2');
    } finally {
      await context.close();
    }
  });

  it('keeps cookies per context against a spawned server', async () => {
    const child = await spawnServer({ args: ['-e', CHILD_SERVER], ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/ });
    try {
      expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const one = await b!.newContext();
      const two = await b!.newContext();
      try {
        const p1 = await one.newPage();
        const p2 = await two.newPage();
        await p1.goto(child.url);
        await p1.goto(child.url);
        await p2.goto(child.url);
        expect(await p1.textContent('#visit')).toBe('Visit #2 for you!');
        expect(await p2.textContent('#visit')).toBe('Visit #1 for you!');
      } finally {
        await one.close();
        await two.close();
      }
    } finally {
      await child.stop();
    }
    expect(child.child.exitCode ?? child.child.signalCode).not.toBeNull();
  });
});

describe('spawnServer', () => {
  it('reads the URL from a port group, stops with SIGTERM, and can be stopped twice', async () => {
    const server = await spawnServer({ args: ['-e', CHILD_SERVER], ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/ });
    const res = await fetch(server.url, { headers: { connection: 'close' } });
    expect(await res.text()).toContain('Visit #1');
    await Promise.all([server.stop(), server.stop()]);
    expect(server.child.exitCode).toBe(0);
  });

  it('falls back to SIGKILL when SIGTERM is ignored', async () => {
    const script = `process.on('SIGTERM', () => {}); console.log('listening on http://127.0.0.1:1'); setInterval(() => {}, 1000);`;
    const server = await spawnServer({ args: ['-e', script], graceMs: 200 });
    expect(server.url).toBe('http://127.0.0.1:1');
    await server.stop();
    expect(server.child.signalCode).toBe('SIGKILL');
  });

  it('fails with the output when the child exits before it is ready', async () => {
    await expect(
      spawnServer({ args: ['-e', `console.error('boom: no store'); process.exit(3)`] }),
    ).rejects.toThrow(/exited \(code 3\)[\s\S]*boom: no store/);
  });

  it('fails after the timeout and leaves no process behind', async () => {
    let pid: number | undefined;
    const attempt = spawnServer({ args: ['-e', `console.log('pid ' + process.pid); setInterval(() => {}, 1000)`], timeoutMs: 3000 }); // long enough for node to start on a busy machine
    await expect(attempt).rejects.toThrow(/within 3000 ms[\s\S]*pid (\d+)/);
    await attempt.catch((error: Error) => {
      pid = Number(/pid (\d+)/.exec(error.message)?.[1]);
    });
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid!, 0)).toThrow();
  });
});
