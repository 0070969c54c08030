/**
 * Test support: Debian's chromium driven by playwright-core.
 *
 * playwright-core never downloads a browser of its own; we always launch the system
 * `/usr/bin/chromium` (override with DOVETAIL_CHROMIUM). When it is missing:
 * - with CI=true, `browserSkipReason()` / `describeWithBrowser()` / `launchBrowser()` throw,
 *   so the run fails instead of silently testing less;
 * - otherwise `browserSkipReason()` returns the reason and `describeWithBrowser()` turns the
 *   block into `describe.skip`, printing the reason with `console.warn`.
 *
 * ```ts
 * describeWithBrowser('demo site', () => {
 *   let b: LaunchedBrowser;
 *   beforeAll(async () => { b = await launchBrowser(); });
 *   afterAll(async () => { await b?.close(); });
 *   it('counts', async () => { const page = await b.browser.newPage(); ... });
 * });
 * ```
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from '@jest/globals';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.DOVETAIL_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Thrown when the browser is required (CI=true, or launchBrowser called anyway) but missing. */
export class BrowserUnavailableError extends Error {
  override name = 'BrowserUnavailableError';
}

const isCI = (): boolean => {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
};

const missingMessage = (path: string): string =>
  `Browser tests need Debian's chromium at ${path}, which is not there (or not executable). ` +
  `Install it with \`apt-get install -y chromium\` (.ci/run does this), or point ` +
  `DOVETAIL_CHROMIUM at a chromium binary.`;

/**
 * Why browser tests cannot run here, or `undefined` when they can.
 * Throws `BrowserUnavailableError` instead of returning a reason when CI=true.
 */
export function browserSkipReason(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    const message = missingMessage(CHROMIUM_PATH);
    if (isCI()) throw new BrowserUnavailableError(`${message} CI=true, so this is a failure, not a skip.`);
    return message;
  }
}

/** `describe` when chromium is available; `describe.skip` (with a console.warn) when not; throws on CI. */
export function describeWithBrowser(name: string, fn: () => void): void {
  const reason = browserSkipReason();
  if (reason === undefined) {
    describe(name, fn);
  } else {
    console.warn(`Skipping browser tests "${name}": ${reason}`);
    describe.skip(name, fn);
  }
}

export interface LaunchedBrowser {
  browser: Browser;
  /** A fresh context (its own cookies and storage); closed together with the browser. */
  newContext(): Promise<BrowserContext>;
  /** Closes the browser and removes its temporary directory. Safe to call twice. */
  close(): Promise<void>;
}

/** Launches headless Debian chromium with a fresh temporary directory for its profile data. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const reason = browserSkipReason();
  if (reason !== undefined) throw new BrowserUnavailableError(reason);
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
      // playwright's own temporary profile lives under TMPDIR; keep crash dumps and caches
      // out of $HOME too, so a read-only or shared HOME does not matter.
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir },
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    browser,
    newContext: () => browser.newContext(),
    close: () =>
      (closing ??= (async () => {
        try {
          await browser.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };
}
