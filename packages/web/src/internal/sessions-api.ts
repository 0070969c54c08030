/**
 * The part of `@dovetail/session`'s `Sessions`/`Session` API the web layer uses, typed exactly as
 * that API so the real manager slots in unchanged. Internal: never re-exported.
 */
import type { kCommitNow, kLoadNow } from '@dovetail/session/internal';

/** What the web layer reads from a `Session`. */
export interface SessionLike {
  readonly uid: string;
  readonly isNew: boolean;
  readonly secure: boolean;
  readonly expired: boolean;
  /** The session's own cookie `Max-Age` in seconds (`null`: none), or undefined for the manager's. */
  readonly cookieMaxAge?: number | null | undefined;
}

/** The session cookie's attributes as the manager configures them. */
export interface SessionCookieConfig {
  path: string;
  domain?: string;
  sameSite: 'lax' | 'strict' | 'none';
  httpOnly: boolean;
  secure: boolean;
  maxAge?: number;
  /** Send the cookie again with every response of a request that used a stored session. */
  rolling: boolean;
}

/** What the web layer calls on a `Sessions` manager. */
export interface SessionsLike<S extends SessionLike = SessionLike> {
  cookieName(secure: boolean): string;
  readonly cookie: SessionCookieConfig;
  /** Verifies, locks, loads; `undefined` for forged/unknown/expired/secure-mismatch. */
  load(cookieValue: string, opts: { secure: boolean }): Promise<S | undefined>;
  /** A new session; nothing stored until commit. */
  create(opts: { secure: boolean }): S;
  /** Saves if changed, deletes if expired, releases the lock. */
  commit(session: S): Promise<void>;
  /** Drops this request's changes, releases the lock. */
  abort(session: S): Promise<void>;
  /** The Set-Cookie value after commit; '' when there is none to give. `presented`: the request's own cookie value. */
  cookieValue(session: S, presented?: string): string;
  /** The time now by the manager's clock, epoch ms. */
  now(): number;
  /** `load`, with the session itself when it is at hand without waiting (the real manager has it). */
  [kLoadNow]?(cookieValue: string, opts: { secure: boolean }): S | undefined | Promise<S | undefined>;
  /** `commit`: undefined when it completed synchronously, a throw instead of a rejection then (the real manager has it). */
  [kCommitNow]?(session: S): Promise<void> | undefined;
}
