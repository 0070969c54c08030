/**
 * The component registry of zope.interface/zope.component, with Twisted's conveniences:
 * adapters chosen by zope's precedence and cached, utilities kept in an inversify container,
 * subscribers and handlers, events, sites over AsyncLocalStorage, and `Componentized`.
 *
 * @see docs/guide/interfaces-and-adapters.md
 *
 * @module @dovetail/registry
 */

// The registry
export { Registry } from './components.js';
export { AdapterRegistry } from './adapter-registry.js';
// Contracts
export { IRegistry, IAdapterRegistry } from './contracts.js';
export type { AdapterRegistryContract, RegistryContract } from './contracts.js';
// Sites and module-level functions over the current registry
export {
  getGlobalRegistry,
  getCurrentRegistry,
  withRegistry,
  registerAdapter,
  registerUtility,
  queryAdapter,
  getAdapter,
  queryMultiAdapter,
  getMultiAdapter,
  queryUtility,
  getUtility,
  subscribers,
  handle,
  notify,
} from './site.js';
// What factories and components declare about their registration
export { adapter, adaptedBy, named } from './adapts.js';
// Components kept on objects
export { Componentized, Adapter } from './componentized.js';
export { proxyForInterface } from './proxy.js';
// Registrations and events
export {
  IObjectEvent,
  IRegistrationEvent,
  IRegistered,
  IUnregistered,
  IAdapterRegistration,
  IUtilityRegistration,
  ISubscriptionAdapterRegistration,
  IHandlerRegistration,
  Registered,
  Unregistered,
  AdapterRegistration,
  UtilityRegistration,
  SubscriptionRegistration,
  HandlerRegistration,
} from './events.js';
// Errors
export {
  RegistryError,
  ComponentLookupError,
  AdapterAlreadyRegisteredError,
  InvalidRegistrationError,
  InvalidNameError,
  ComponentNotSetError,
  AdapterDependencyError,
  CannotInferRegistrationError,
} from './errors.js';

export type { RegistryOptions } from './components.js';
export type { AdapterOptions, InferredAdapterOptions, ProvidedSpec, RequiredSpec } from './registration.js';
export type { RegistrationDeclarator } from './adapts.js';
export type { InterfaceProxy, InterfaceProxyClass } from './proxy.js';
export type { Adapted, AdaptedAll, AdapterFactoryFor, HandlerFor, ProvidedType } from './typed-registration.js';
export type { AdapterFactory } from './factory.js';
export type {
  ObjectEvent,
  Registration,
  RegistrationEvent,
  AdapterRegistrationInfo,
  UtilityRegistrationInfo,
  SubscriptionRegistrationInfo,
  HandlerRegistrationInfo,
} from './events.js';
