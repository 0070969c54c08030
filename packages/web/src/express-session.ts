/**
 * The type of `req.session` under `dovetailSessions`: a dovetail `Session` that also speaks
 * express-session — properties (`req.session.views = 1`), `id`, and `save`/`reload`/`regenerate`/
 * `destroy` in callback and promise forms — and the interface an app merges its property types
 * into, as it does with express-session's `SessionData`.
 *
 * @module
 */
import type { Session } from '@dovetail/session';

/**
 * The properties an app keeps on `req.session`, typed by declaration merging (express-session's
 * `SessionData`). Each property is a key of the session's dictionary: `req.session.views = 1` is
 * `req.session.set('views', 1)`, reading it is `req.session.get('views')`.
 *
 * @example
 * ```ts
 * declare module '@dovetail/web' {
 *   interface ExpressSessionData {
 *     views: number;
 *     user: string | null;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: apps merge their properties into it
export interface ExpressSessionData {}

/** A Node-style callback: called with the error, or with nothing on success. */
export type SessionCallback = (error?: Error) => void;

/** express-session's members of `req.session` that a dovetail `Session` does not have itself. */
export interface ExpressSessionMethods {
  /** The session id (express-session's `req.session.id`): the same as `uid`, and read-only. */
  readonly id: string;
  /**
   * Writes what the request changed so far, now, and keeps the session held for the rest of the
   * request; later changes are written before the response as usual. Rarely needed (the session
   * is always committed before the response head leaves): for a long request, or before another
   * process reads the session. A failure is passed to `callback` (or rejects) carrying `status`
   * (`statusCode`) and, for 503, a `Retry-After` in `headers`, as Express error handlers expect.
   *
   * @example
   * ```ts
   * req.session.save((err) => (err ? next(err) : res.redirect('/')));
   * await req.session.save();
   * ```
   */
  save(callback: SessionCallback): void;
  /** `save` in promise form: resolves once written, rejects with the error (carrying `status`). */
  save(): Promise<void>;
  /**
   * Drops what the request changed since the session was loaded or last saved and reads it again
   * (components come back as new objects); the session stays held.
   */
  reload(callback: SessionCallback): void;
  /** `reload` in promise form. */
  reload(): Promise<void>;
  /**
   * A new id, the same data (dovetail's `regenerate()`, against session fixation at login), then
   * `callback`. express-session's `regenerate` starts an empty session instead: that is
   * `regenerate({ keep: false }, callback)`.
   */
  regenerate(callback: SessionCallback): void;
  /**
   * `{ keep: true }`: a new id, the same data. `{ keep: false }`: express-session's regenerate —
   * this session ends (deleted at the commit, its expiry callbacks run) and `req.session` is a
   * new, empty one from the next read on.
   *
   * @example
   * ```ts
   * await req.session.regenerate({ keep: false }); // logout: nothing of the old session is kept
   * ```
   */
  regenerate(options: { readonly keep: boolean }, callback: SessionCallback): void;
  /** `regenerate` with options, in promise form: `await req.session.regenerate({ keep: false })`. */
  regenerate(options: { readonly keep: boolean }): Promise<void>;
  /**
   * Ends the session (`expire()`): deleted at the commit, its cookie cleared; `req.session` is a
   * new, empty session from the next read on (stored only if something is put in it).
   */
  destroy(callback: SessionCallback): void;
  /** `destroy` in promise form. */
  destroy(): Promise<void>;
}

/**
 * `req.session` under `dovetailSessions`: the request's `Session`, express-session's members,
 * and the app's properties ({@link ExpressSessionData}).
 */
export type ExpressSession = Session & ExpressSessionMethods & Partial<ExpressSessionData>;
