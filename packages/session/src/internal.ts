/**
 * @module @dovetail/session/internal
 *
 * What the other dovetail packages need of this one and applications do not: the web layer's
 * synchronous load and commit, and how to tell their promises from plain answers. No stability
 * promise beyond the dovetail release it ships with.
 */
export { kCommitNow, kLoadNow } from './internal-symbols.js';
export { isThenable } from './maybe-sync.js';
