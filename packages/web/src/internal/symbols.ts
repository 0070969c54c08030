/**
 * Keys of the Request members only the Site (prepare, commit, send, fail, access facts) and the
 * Inspector (the Site's session manager) call. They ride on a user-visible object, so they are
 * symbols: users can't reach them by accident, and nothing else in the package is keyed this way
 * (class-private state uses `#` fields). Internal: never re-exported.
 */
export const kPrepare: unique symbol = Symbol('dovetail.web.prepare');
export const kCommit: unique symbol = Symbol('dovetail.web.commit');
export const kAbort: unique symbol = Symbol('dovetail.web.abort');
export const kSend: unique symbol = Symbol('dovetail.web.send');
export const kSendError: unique symbol = Symbol('dovetail.web.sendError');
export const kAccessFacts: unique symbol = Symbol('dovetail.web.accessFacts');
export const kSiteSessions: unique symbol = Symbol('dovetail.web.siteSessions');
