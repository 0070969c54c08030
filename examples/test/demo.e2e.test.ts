/**
 * End to end: the demo site served by the `dovetail` CLI in a child process on a SQLite store,
 * driven by Debian's chromium through playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { describeWithBrowser, launchBrowser, type LaunchedBrowser } from '../../packages/web/test/support/browser.js';
import { spawnServer, type SpawnedServer } from '../../packages/web/test/support/process.js';
import type { BrowserContext, Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'packages/web/dist/cli.js');
const DEMO = join(ROOT, 'examples/dist/demo/index.js');
const BUILT = [CLI, DEMO, ...['interfaces', 'registry', 'session'].map((p) => join(ROOT, `packages/${p}/dist/index.js`))];

describeWithBrowser('the demo site in chromium', () => {
  let browser: LaunchedBrowser;
  let dir: string;
  let server: SpawnedServer | undefined;
  const contexts: BrowserContext[] = [];

  const start = async (env: Record<string, string> = {}, db = 'sessions.db'): Promise<SpawnedServer> =>
    (server = await spawnServer({
      args: [CLI, 'serve', DEMO, '--port', '0', '--host', '127.0.0.1', '--store', `sqlite:${join(dir, db)}`],
      cwd: ROOT,
      env: { DOVETAIL_SECRETS: '', DOVETAIL_INSPECTOR_TOKEN: '', ...env },
    }));

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  };

  beforeAll(async () => {
    // `npm test` builds first; a bare `jest` run may not have.
    if (!BUILT.every((f) => existsSync(f))) execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'dovetail-demo-e2e-'));
    browser = await launchBrowser();
  }, 180_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await server?.stop();
    server = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('index links → counter 1, 2, 3; pyramid flash shown once after POST; a restart on the same SQLite file → the counter goes on (4)', async () => {
    const { url } = await start();
    const page = await newPage();
    await page.goto(`${url}/`);
    expect(await page.locator('h1').textContent()).toBe('dovetail demo');

    await page.click('a[href="/counter"]');
    expect(await page.locator('body').textContent()).toBe('Visit #1 for you!');
    await page.reload();
    expect(await page.locator('body').textContent()).toBe('Visit #2 for you!');
    await page.reload();
    expect(await page.locator('body').textContent()).toBe('Visit #3 for you!');

    await page.goto(`${url}/`);
    await page.click('a[href="/pyramid"]');
    expect(await page.locator('h1').textContent()).toBe('Home View');
    expect(await page.locator('#counter').textContent()).toBe('Counter: 1');
    await Promise.all([page.waitForURL(`${url}/pyramid/howdy`), page.click('#add')]);
    expect(await page.locator('h1').textContent()).toBe('Howdy View');
    expect(await page.locator('#flash li').allTextContents()).toEqual(['Your item was added.']);
    await page.reload();
    expect(await page.locator('#flash').count()).toBe(0);
    expect(await page.locator('#counter').textContent()).toBe('Counter: 3');

    await server!.stop();
    const again = await start();
    await page.goto(`${again.url}/counter`);
    expect(await page.locator('body').textContent()).toBe('Visit #4 for you!');
    await page.goto(`${again.url}/pyramid/howdy`);
    expect(await page.locator('#counter').textContent()).toBe('Counter: 4');
  });

  it('/session shows a uid; /session/expire; then /session shows a different uid', async () => {
    const { url } = await start();
    const page = await newPage();
    await page.goto(`${url}/`);
    await page.click('a[href="/session"]');
    const first = await page.locator('body').textContent();
    expect(first).toMatch(/^Your session id is: [A-Za-z0-9_-]{22,}$/);
    await page.reload();
    expect(await page.locator('body').textContent()).toBe(first);

    await page.goto(`${url}/`);
    await page.click('a[href="/session/expire"]');
    expect(await page.locator('body').textContent()).toBe('Your session has been expired.');

    await page.goto(`${url}/`);
    await page.click('a[href="/session"]');
    const second = await page.locator('body').textContent();
    expect(second).toMatch(/^Your session id is: [A-Za-z0-9_-]{22,}$/);
    expect(second).not.toBe(first);
  });

  it('a session cookie planted before login (session fixation) → login gives a new id; the planted cookie no longer reaches the user', async () => {
    const { url } = await start();
    // The attacker gets a valid session cookie of their own…
    const attacker = await newPage();
    await attacker.goto(`${url}/counter`);
    expect(await attacker.locator('body').textContent()).toBe('Visit #1 for you!');
    const planted = (await attacker.context().cookies(url)).find((c) => c.name === 'DOVETAIL_SESSION');
    expect(planted).toBeDefined();

    // …and plants it in the victim's browser, who then logs in.
    const victim = await newPage();
    await victim.context().addCookies([{ name: planted!.name, value: planted!.value, url }]);
    await victim.goto(`${url}/users`);
    expect(await victim.locator('#current').textContent()).toBe('Not logged in');
    await victim.fill('input[name="name"]', 'alice');
    await Promise.all([victim.waitForURL(`${url}/users`), victim.click('button')]);
    expect(await victim.locator('#current').textContent()).toBe('Logged in as alice');
    const rotated = (await victim.context().cookies(url)).find((c) => c.name === 'DOVETAIL_SESSION');
    expect(rotated?.value).toBeDefined();
    expect(rotated!.value).not.toBe(planted!.value);
    // The session's data came along: the counter the planted session had is still there.
    await victim.goto(`${url}/counter`);
    expect(await victim.locator('body').textContent()).toBe('Visit #2 for you!');

    // The attacker, still holding the planted cookie, is not logged in as alice.
    await attacker.goto(`${url}/users`);
    expect(await attacker.locator('#current').textContent()).toBe('Not logged in');
    expect(await attacker.locator('#seen').textContent()).toBe('Users seen in this session: none');
    expect(await attacker.locator('body').textContent()).not.toContain('alice');
  });

  it('/template reads session data by path; the inspector (token from DOVETAIL_INSPECTOR_TOKEN): 401 without the token, the graph with ICounter, the tables, one session', async () => {
    const token = 'demo-e2e-inspector-token-0123456789';
    const { url } = await start({ DOVETAIL_INSPECTOR_TOKEN: token }, 'inspector.db'); // a store of its own: one session in it
    const page = await newPage();
    await page.goto(`${url}/counter`);
    await page.goto(`${url}/zope?color=green`);
    await page.goto(`${url}/`);
    await page.click('a[href="/template"]');
    expect(await page.locator('#color').textContent()).toBe('products.foo/color: green');
    expect(await page.locator('#counter').textContent()).toBe('counter: 0');

    expect((await page.goto(`${url}/_dovetail/`))?.status()).toBe(401);

    await page.goto(`${url}/_dovetail/graph?token=${token}`);
    const counterBox = page.locator('svg g.interface[data-name="examples.counter.ICounter"]');
    expect(await counterBox.count()).toBe(1);
    expect(await counterBox.boundingBox()).not.toBeNull(); // drawn, not just present
    expect(await page.locator('svg line.adapter title').allTextContents()).toContain('implementedBy(Session) is adapted to examples.counter.ICounter');

    await page.click('nav a:text("Registry")');
    expect(await page.locator('#interfaces td:text-is("examples.counter.ICounter")').count()).toBe(1);
    const adapterRow = page.locator('#adapters tr', { hasText: 'examples.counter.ICounter' });
    expect(await adapterRow.locator('td').allTextContents()).toEqual(['implementedBy(Session)', 'examples.counter.ICounter', '', 'CounterComponent']);
    expect(await page.locator('#utilities td:text-is("products.bar")').count()).toBe(1);

    await page.click('nav a:text("Sessions")');
    expect(await page.locator('#statistics td').nth(1).textContent()).toBe('1');
    await page.click('#sessions a');
    expect(await page.locator('#components').textContent()).toContain('examples.counter.ICounter');
    expect(await page.locator('#namespaces').textContent()).toContain("color: 'green'");
  });
});
