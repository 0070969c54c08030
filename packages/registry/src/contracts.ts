/**
 * The registry's own contracts (zope.interface's `IAdapterRegistry` and `IComponents`): the
 * TypeScript contract types, which `AdapterRegistry` and `Registry` declare they `implements`,
 * and the run-time interfaces typed by them, which the classes declare with `@implementer` and
 * the tests check with `verifyObject`.
 *
 * Contracts come first: nothing here imports the modules that implement them, as zope's
 * interfaces.py imports nothing from registry.py.
 */
import { Attribute, defineInterface, Method } from '@dovetail/interfaces';
import type { AdapterRegistration, HandlerRegistration, SubscriptionRegistration, UtilityRegistration } from './events.js';
import type { AdapterFactory } from './factory.js';
import type { AdapterOptions, InferredAdapterOptions, ProvidedSpec, RequiredSpec } from './registration.js';
import type { AdaptedAll, AdapterFactoryFor, HandlerFor, ProvidedType } from './typed-registration.js';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';

/** zope's `IAdapterRegistry`, implemented by `AdapterRegistry`: values by (required specs, provided, name). */
export interface AdapterRegistryContract<V = unknown> {
  /** The registries consulted after this one. */
  readonly bases: readonly AdapterRegistryContract<V>[];
  /** Registers `value` under exactly these keys (`undefined` removes what is there). */
  register(required: readonly Spec[], provided: InterfaceSpec<unknown>, name: string, value: V | undefined): void;
  /** The value registered under exactly these keys, or undefined. */
  registered(required: readonly Spec[], provided: InterfaceSpec<unknown>, name?: string): V | undefined;
  /** Removes the registration (only `value`, when given); true when one went. */
  unregister(required: readonly Spec[], provided: InterfaceSpec<unknown>, name: string, value?: V): boolean;
  /** Adds a subscriber (`provided` null: a handler). */
  subscribe(required: readonly Spec[], provided: InterfaceSpec<unknown> | null, value: V): void;
  /** Removes subscribers (only `value`, when given); true when any went. */
  unsubscribe(required: readonly Spec[], provided: InterfaceSpec<unknown> | null, value?: V): boolean;
  /** The most specific value for `required` and `provided` under `name`, or undefined. */
  lookup(required: readonly Spec[], provided: InterfaceSpec<unknown>, name?: string): V | undefined;
  /** `lookup` for one required spec. */
  lookup1(required: Spec, provided: InterfaceSpec<unknown>, name?: string): V | undefined;
  /** Every (name, value) that applies, one per name, the most specific winning. */
  lookupAll(required: readonly Spec[], provided: InterfaceSpec<unknown>): [string, V][];
  /** Every subscriber that applies, least specific first. */
  subscriptions(required: readonly Spec[], provided: InterfaceSpec<unknown> | null): V[];
}

/** zope's `IAdapterRegistry`: values by (required, provided, name), most specific first. */
export const IAdapterRegistry = defineInterface<AdapterRegistryContract>('dovetail.registry.IAdapterRegistry', {
  doc: 'Registers values by (required specs, provided interface, name) and finds the most specific.',
  members: {
    bases: Attribute('The registries consulted after this one.'),
    register: Method('Register a value.', { params: ['required', 'provided', 'name', 'value'] }),
    registered: Method('The value registered at exactly these keys.', { params: ['required', 'provided'] }),
    unregister: Method('Remove a registration (only `value`, when given).', { params: ['required', 'provided', 'name', 'value'] }),
    subscribe: Method('Add a subscriber.', { params: ['required', 'provided', 'value'] }),
    unsubscribe: Method('Remove subscribers (only `value`, when given).', { params: ['required', 'provided', 'value'] }),
    lookup: Method('The most specific value.', { params: ['required', 'provided'] }),
    lookup1: Method('The most specific value for one required spec.', { params: ['required', 'provided'] }),
    lookupAll: Method('Every value that applies, one per name.', { params: ['required', 'provided'] }),
    subscriptions: Method('Every subscriber that applies.', { params: ['required', 'provided'] }),
  },
});

/**
 * zope's `IComponents`, implemented by `Registry`: adapters, utilities, subscription adapters and
 * handlers, with introspection of what was registered.
 */
export interface RegistryContract {
  /** Shown in messages. */
  readonly name: string;
  /** The registries consulted after this one. */
  readonly bases: readonly RegistryContract[];
  /**
   * Registers `factory` as the adapter from `required` to `provided` (each, when an array);
   * does not compile when the factory can't take what `required` promises or make a `provided`.
   */
  registerAdapter<const R extends RequiredSpec | readonly RequiredSpec[], const P extends ProvidedSpec>(
    factory: NoInfer<AdapterFactoryFor<AdaptedAll<R>, ProvidedType<P>>>,
    required: R,
    provided: P,
    options?: AdapterOptions,
  ): void;
  /** Registers `factory` with what the call leaves out taken from its `@adapter`, `@implementer` and `@named`. */
  registerAdapter(factory: AdapterFactory, options?: InferredAdapterOptions): void;
  /** Removes an adapter registration (only `factory`'s, when given); true when one went. */
  unregisterAdapter(required: RequiredSpec | readonly RequiredSpec[], provided: InterfaceSpec<unknown>, options?: { name?: string; factory?: AdapterFactory }): boolean;
  /** Adapts `obj` to `provided`, or undefined. */
  queryAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name?: string): T | undefined;
  /** Adapts `obj` to `provided`, or `fallback`. */
  queryAdapter<T, F>(obj: unknown, provided: InterfaceSpec<T>, name: string, fallback: F): T | F;
  /** Adapts `obj` to `provided`, or throws `ComponentLookupError`. */
  getAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name?: string): T;
  /** Adapts several objects at once, or undefined. */
  queryMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name?: string): T | undefined;
  /** Adapts several objects at once, or `fallback`. */
  queryMultiAdapter<T, F>(objects: readonly unknown[], provided: InterfaceSpec<T>, name: string, fallback: F): T | F;
  /** Adapts several objects at once, or throws `ComponentLookupError`. */
  getMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name?: string): T;
  /** Every named adapter of `objects` to `provided`, one per name. */
  getAdapters<T>(objects: readonly unknown[], provided: InterfaceSpec<T>): [string, T][];
  /** Registers `component` as the utility providing `provided`. */
  registerUtility<T>(component: NoInfer<T>, provided: InterfaceSpec<T>, options?: { name?: string }): void;
  /** Registers `component` as the utility providing the one interface it provides. */
  registerUtility(component: object): void;
  /** Removes a utility (only `component`, when given); true when one went. */
  unregisterUtility<T>(provided: InterfaceSpec<T>, options?: { name?: string; component?: T }): boolean;
  /** The utility providing `provided` under `name`, or undefined. */
  queryUtility<T>(provided: InterfaceSpec<T>, name?: string): T | undefined;
  /** The utility providing `provided` under `name`, or `fallback`. */
  queryUtility<T, F>(provided: InterfaceSpec<T>, name: string, fallback: F): T | F;
  /** The utility providing `provided` under `name`, or throws `ComponentLookupError`. */
  getUtility<T>(provided: InterfaceSpec<T>, name?: string): T;
  /** Every utility providing `provided`, one per name. */
  getUtilitiesFor<T>(provided: InterfaceSpec<T>): [string, T][];
  /** Every utility ever registered for `provided`, shadowed ones included. */
  getAllUtilitiesRegisteredFor<T>(provided: InterfaceSpec<T>): T[];
  /** Registers a subscription adapter. */
  registerSubscriptionAdapter<const R extends readonly RequiredSpec[], T>(factory: NoInfer<AdapterFactoryFor<AdaptedAll<R>, T>>, required: R, provided: InterfaceSpec<T>): void;
  /** Removes subscription adapters (only `factory`'s, when given); true when any went. */
  unregisterSubscriptionAdapter(required: readonly RequiredSpec[], provided: InterfaceSpec<unknown>, factory?: AdapterFactory): boolean;
  /** Calls every subscription adapter for `objects`; the non-null results. */
  subscribers<T>(objects: readonly unknown[], provided: InterfaceSpec<T>): T[];
  /** Registers a handler for objects matching `required`. */
  registerHandler<const R extends readonly RequiredSpec[]>(handler: NoInfer<HandlerFor<AdaptedAll<R>>>, required: R): void;
  /** Removes handlers (only `handler`, when given); true when any went. */
  unregisterHandler(required: readonly RequiredSpec[], handler?: (...objects: never[]) => unknown): boolean;
  /** Calls every handler registered for `objects`. */
  handle(...objects: unknown[]): void;
  /** Dispatches an event to its handlers (object events to (object, event) handlers too). */
  notify(event: unknown): void;
  /** The adapter registrations made here. */
  registeredAdapters(): AdapterRegistration[];
  /** The utility registrations made here. */
  registeredUtilities(): UtilityRegistration[];
  /** The subscription adapter registrations made here. */
  registeredSubscriptionAdapters(): SubscriptionRegistration[];
  /** The handler registrations made here. */
  registeredHandlers(): HandlerRegistration[];
}

/** zope's `IComponents`: adapters, utilities, subscribers and handlers. */
export const IRegistry = defineInterface<RegistryContract>('dovetail.registry.IRegistry', {
  doc: 'A component registry: adapters, utilities, subscription adapters and handlers.',
  members: {
    name: Attribute('Shown in messages.'),
    bases: Attribute('The registries consulted after this one.'),
    registerAdapter: Method('Register an adapter factory.', { params: ['factory'] }),
    unregisterAdapter: Method('Remove an adapter registration.', { params: ['required', 'provided'] }),
    queryAdapter: Method('Adapt an object, or undefined.', { params: ['obj', 'provided'] }),
    getAdapter: Method('Adapt an object, or throw.', { params: ['obj', 'provided'] }),
    queryMultiAdapter: Method('Adapt several objects, or undefined.', { params: ['objects', 'provided'] }),
    getMultiAdapter: Method('Adapt several objects, or throw.', { params: ['objects', 'provided'] }),
    getAdapters: Method('Every named adapter.', { params: ['objects', 'provided'] }),
    registerUtility: Method('Register a utility.', { params: ['component'] }),
    unregisterUtility: Method('Remove a utility.', { params: ['provided'] }),
    queryUtility: Method('A utility, or undefined.', { params: ['provided'] }),
    getUtility: Method('A utility, or throw.', { params: ['provided'] }),
    getUtilitiesFor: Method('Every utility by name.', { params: ['provided'] }),
    getAllUtilitiesRegisteredFor: Method('Every utility ever registered.', { params: ['provided'] }),
    registerSubscriptionAdapter: Method('Register a subscription adapter.', { params: ['factory', 'required', 'provided'] }),
    unregisterSubscriptionAdapter: Method('Remove subscription adapters (only `factory`\'s, when given).', { params: ['required', 'provided', 'factory'] }),
    subscribers: Method('Call the subscription adapters.', { params: ['objects', 'provided'] }),
    registerHandler: Method('Register a handler.', { params: ['handler', 'required'] }),
    unregisterHandler: Method('Remove handlers (only `handler`, when given).', { params: ['required', 'handler'] }),
    handle: Method('Call the handlers.'),
    notify: Method('Dispatch an event.', { params: ['event'] }),
    registeredAdapters: Method('The adapter registrations made here.'),
    registeredUtilities: Method('The utility registrations made here.'),
    registeredSubscriptionAdapters: Method('The subscription adapter registrations made here.'),
    registeredHandlers: Method('The handler registrations made here.'),
  },
});
