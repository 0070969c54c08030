/**
 * Keys of the members of `Session`, `SessionData` and `Sessions` that only dovetail calls (the
 * manager opening and closing a request's handle, the views checking that their handle is open,
 * the web layer's synchronous load and commit). They ride on objects users hold, so they are
 * symbols: never re-exported from index.ts; the web layer's two come from
 * `@dovetail/session/internal`.
 */

/** `session[kState]`: the session's state behind the handle (`SessionState`). */
export const kState: unique symbol = Symbol('dovetail.session.state');
/** `session[kCheckOpen](action)`: throws `SessionClosedError` unless the handle may change the session. */
export const kCheckOpen: unique symbol = Symbol('dovetail.session.checkOpen');
/** `session[kClose](why, at)`: the manager closes the handle (its commit started, it was aborted). */
export const kClose: unique symbol = Symbol('dovetail.session.close');
/** `session[kIsOpen]`: true while a request holds the handle. */
export const kIsOpen: unique symbol = Symbol('dovetail.session.isOpen');
/** `SessionData[kBind](name, values, guard)`: a view over a session's own Map, checked by `guard`. */
export const kBind: unique symbol = Symbol('dovetail.session.bind');
/**
 * `sessions[kLoadNow](cookieValue, options)`: `load`, answering with the session itself (not a
 * promise) when it is at hand without waiting — the web layer's request binding uses it.
 */
export const kLoadNow: unique symbol = Symbol('dovetail.session.loadNow');
/**
 * `sessions[kCommitNow](session)`: `commit`, returning undefined when the commit completed
 * synchronously (the store answered with plain values) and throwing instead of rejecting then.
 */
export const kCommitNow: unique symbol = Symbol('dovetail.session.commitNow');
