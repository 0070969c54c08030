/**
 * @module @dovetail/interfaces/internal
 *
 * What the other dovetail packages need of this one and applications do not: the adaptation
 * protocol's entry points, the epoch lookup caches watch, and the value describer every error
 * message uses. No stability promise beyond the dovetail release it ships with.
 */

// `I(obj)` and `I(obj, fallback)`, without an interface's call in between.
export { adapt, adaptOr } from './adapt.js';
// Bumped when an existing declaration changes: lookup caches keyed by declarations start over.
export { declarationChanges } from './declarations.js';
// Describes any value for an error message: short, never throwing.
export { describe } from './errors.js';
