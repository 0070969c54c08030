/**
 * Pyramid's session extras, kept in the session's dictionary under reserved keys: flash
 * message queues (shown once, then gone) and the CSRF token. `Session` exposes them as
 * `flash`, `popFlash`, `peekFlash`, `newCsrfToken` and `getCsrfToken`.
 */
import { randomBytes } from 'node:crypto';
import type { SessionData } from './session-data.js';

/** Flash queue `q` is kept under `_f_<q>`, as Pyramid keys it. */
const FLASH = '_f_';
/** The CSRF token's key, as Pyramid's. */
const CSRF = '_csrft_';

/** Adds `message` to `queue` in `data` (not twice when `allowDuplicate` is false). */
export function flash(data: SessionData, message: unknown, queue: string, allowDuplicate: boolean): void {
  const list = data.get<unknown[]>(FLASH + queue) ?? [];
  if (!allowDuplicate && list.some((m) => m === message)) return;
  data.set(FLASH + queue, [...list, message]);
}

/** Removes and returns the messages of `queue`. */
export function popFlash(data: SessionData, queue: string): unknown[] {
  const list = data.get<unknown[]>(FLASH + queue) ?? [];
  if (data.has(FLASH + queue)) data.delete(FLASH + queue);
  return list;
}

/** The messages of `queue`, as a copy: they stay queued. */
export function peekFlash(data: SessionData, queue: string): unknown[] {
  return [...(data.get<unknown[]>(FLASH + queue) ?? [])];
}

/** Makes, keeps in `data` and returns a new CSRF token (40 hex characters, as Pyramid's). */
export function newCsrfToken(data: SessionData): string {
  const token = randomBytes(20).toString('hex');
  data.set(CSRF, token);
  return token;
}

/** The CSRF token kept in `data`, made on first use. */
export function getCsrfToken(data: SessionData): string {
  const token = data.get(CSRF);
  return typeof token === 'string' ? token : newCsrfToken(data);
}
