/**
 * Keys of the members of `Session` and `SessionData` that only this package calls (the manager
 * opening and closing a request's handle, the views checking that their handle is open). They
 * ride on objects users hold, so they are symbols no other package can name. Internal: never
 * re-exported from index.ts.
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
