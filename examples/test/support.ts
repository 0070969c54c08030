/**
 * Helpers for the HTTP tests of the examples: serve an example's resource with the real
 * `Sessions` on 127.0.0.1:0 (the Site and the manager are closed after each test), a cookie jar
 * for fetch (packages/web/test/helpers.ts), and temporary directories.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from '@jest/globals';
import { MemoryStore, Sessions, type SessionsOptions } from '@dovetail/session';
import { serve, type Served } from '../../packages/web/test/helpers.js';
import type { Resource } from '@dovetail/web';

export { Jar } from '../../packages/web/test/helpers.js';

const managers: Sessions[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A session manager closed after the test; MemoryStore and no sweep timer unless told. */
export function manager(options: SessionsOptions = {}): Sessions {
  const sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0, ...options });
  managers.push(sessions);
  return sessions;
}

/** Serves `resource` with `sessions` on a free loopback port. */
export async function serveExample(resource: Resource, sessions: Sessions = manager()): Promise<Served & { sessions: Sessions }> {
  return { ...(await serve(resource, { sessions })), sessions };
}

/** A temporary directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-examples-'));
  dirs.push(dir);
  return dir;
}

/** The text of an element with `id` in a page (the examples mark what tests read with ids). */
export function byId(html: string, id: string): string | undefined {
  const m = new RegExp(`<[a-z]+[^>]* id="${id}"[^>]*>(.*?)</`, 's').exec(html);
  return m?.[1];
}
