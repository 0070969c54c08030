/**
 * @module @dovetail/registry/internal
 *
 * What the other dovetail packages need of this one and applications do not. No stability
 * promise beyond the dovetail release it ships with.
 */

// True for a class (called with `new`), false for a plain factory function.
export { isClass } from './factory.js';
