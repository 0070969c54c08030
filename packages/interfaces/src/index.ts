/**
 * @module @dovetail/interfaces
 *
 * Interfaces that exist at run time: declaring them, declaring what classes and objects
 * provide, their C3 resolution order, verification, and the adaptation protocol `I(obj)`.
 */

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
  describe,
} from './errors.js';
