/**
 * Interfaces that exist at run time, as in zope.interface: declaring them, declaring what
 * classes implement and objects provide, their C3 resolution orders, verification, and the
 * adaptation protocol `I(obj)`. No runtime dependencies.
 *
 * @see docs/guide/interfaces-and-adapters.md
 *
 * @module @dovetail/interfaces
 */

// Declaring interfaces
export { defineInterface, Attribute, Method, interfaceNamed } from './interface.js';
export { Interface, isInterface } from './spec.js';
// Declarations
export {
  implementer,
  classImplements,
  classImplementsOnly,
  implementedBy,
  Declaration,
} from './declarations.js';
export { implementerOnly, classImplementsFirst, classProvides, provider } from './class-declarations.js';
export { providedBy, directlyProvides, alsoProvides, noLongerProvides, directlyProvidedBy } from './provides.js';
// Resolution order
export { c3 } from './resolution-order.js';
// Verification
export { verifyObject, verifyClass } from './verify.js';
// Adaptation protocol
export { conform, adapterHooks, adaptDirect } from './adapt.js';
// Errors
export {
  DovetailError,
  InterfacesError,
  InvalidInterfaceNameError,
  NotAnInterfaceError,
  InterfaceRedefinitionError,
  InconsistentResolutionOrderError,
  CyclicInterfaceError,
  BrokenImplementation,
  StillProvidedError,
  InvalidDeclarationTargetError,
  AdaptationError,
  NullAdaptationError,
  isDovetailError,
} from './errors.js';

export type { InterfaceSpec, InterfaceId, InterfaceOptions, MemberDescription, Spec } from './interface.js';
export type { ClassDeclarator } from './declarations.js';
export type { VerifyOptions } from './verify.js';
export type { AdapterHook, Conformable } from './adapt.js';
export type { DovetailTypeError } from './errors.js';
