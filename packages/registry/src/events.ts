/**
 * Registration records and the events about them (zope.interface.registry and
 * zope.interface.interfaces): `Registered` / `Unregistered`, which are object events whose
 * `object` is the registration.
 */
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';

/** An event about an object (zope's `IObjectEvent`): `notify` also dispatches it to handlers for (object, event). */
export interface ObjectEvent {
  /** The object the event is about. */
  readonly object: unknown;
}
/** The interface of object events. */
export const IObjectEvent = defineInterface<ObjectEvent>('dovetail.registry.IObjectEvent', {
  doc: 'An event related to an object; notify() also dispatches it to handlers registered for (object, event).',
  members: { object: Attribute('The subject of the event.') },
});

/** What every registration record has. */
export interface Registration {
  /** The registry it was made in. */
  readonly registry: {
    /** The registry's name. */
    readonly name: string;
  };
  /** The interface provided (`null` for handlers). */
  readonly provided: InterfaceSpec<unknown> | null;
  /** The name ('' for unnamed). */
  readonly name: string;
}
/** Registration of an adapter: a factory for (required) → provided, by name. */
export interface AdapterRegistrationInfo extends Registration {
  /** What the adapter adapts: one spec per adapted object. */
  readonly required: readonly Spec[];
  readonly provided: InterfaceSpec<unknown>;
  /** The factory called with the adapted object(s). */
  readonly factory: unknown;
}
/** Registration of a utility: one component providing an interface, by name. */
export interface UtilityRegistrationInfo extends Registration {
  readonly provided: InterfaceSpec<unknown>;
  /** The utility itself. */
  readonly component: unknown;
}
/** Registration of a subscription adapter (name always ''). */
export interface SubscriptionRegistrationInfo extends Registration {
  /** What the subscriber is for: one spec per object. */
  readonly required: readonly Spec[];
  readonly provided: InterfaceSpec<unknown>;
  /** The factory called with the object(s). */
  readonly factory: unknown;
}
/** Registration of a handler (provided null, name always ''). */
export interface HandlerRegistrationInfo extends Registration {
  /** What the handler is for: one spec per object handled. */
  readonly required: readonly Spec[];
  readonly provided: null;
  /** The function called with the object(s). */
  readonly handler: unknown;
}

/** Interface of adapter registrations. */
export const IAdapterRegistration = defineInterface<AdapterRegistrationInfo>('dovetail.registry.IAdapterRegistration');
/** Interface of utility registrations. */
export const IUtilityRegistration = defineInterface<UtilityRegistrationInfo>('dovetail.registry.IUtilityRegistration');
/** Interface of subscription adapter registrations. */
export const ISubscriptionAdapterRegistration = defineInterface<SubscriptionRegistrationInfo>('dovetail.registry.ISubscriptionAdapterRegistration');
/** Interface of handler registrations. */
export const IHandlerRegistration = defineInterface<HandlerRegistrationInfo>('dovetail.registry.IHandlerRegistration');

/** A registration was made or removed. */
export interface RegistrationEvent extends ObjectEvent {
  readonly object: Registration;
}
/** Interface of registration events. */
export const IRegistrationEvent = defineInterface<RegistrationEvent>('dovetail.registry.IRegistrationEvent', { extends: [IObjectEvent] });
/** Interface of the event sent after a registration. */
export const IRegistered = defineInterface<RegistrationEvent>('dovetail.registry.IRegistered', { extends: [IRegistrationEvent] });
/** Interface of the event sent after an unregistration. */
export const IUnregistered = defineInterface<RegistrationEvent>('dovetail.registry.IUnregistered', { extends: [IRegistrationEvent] });

/**
 * Sent to the registry's handlers after something was registered.
 *
 * @example
 * ```ts
 * registry.registerHandler((e: Registered) => console.log(e.object), [IRegistered]);
 * ```
 */
@implementer(IRegistered)
export class Registered implements RegistrationEvent {
  constructor(readonly object: Registration) {}
}

/**
 * Sent to the registry's handlers after something was unregistered.
 *
 * @example
 * ```ts
 * registry.registerHandler((e: Unregistered) => console.log(e.object), [IUnregistered]);
 * ```
 */
@implementer(IUnregistered)
export class Unregistered implements RegistrationEvent {
  constructor(readonly object: Registration) {}
}

/** A registration record of an adapter. */
@implementer(IAdapterRegistration)
export class AdapterRegistration implements AdapterRegistrationInfo {
  constructor(
    readonly registry: {
      /** The registry's name. */
      readonly name: string;
    },
    readonly required: readonly Spec[],
    readonly provided: InterfaceSpec<unknown>,
    readonly name: string,
    readonly factory: unknown,
  ) {}
}

/** A registration record of a utility. */
@implementer(IUtilityRegistration)
export class UtilityRegistration implements UtilityRegistrationInfo {
  constructor(
    readonly registry: {
      /** The registry's name. */
      readonly name: string;
    },
    readonly provided: InterfaceSpec<unknown>,
    readonly name: string,
    readonly component: unknown,
  ) {}
}

/** A registration record of a subscription adapter. */
@implementer(ISubscriptionAdapterRegistration)
export class SubscriptionRegistration implements SubscriptionRegistrationInfo {
  readonly name = '';
  constructor(
    readonly registry: {
      /** The registry's name. */
      readonly name: string;
    },
    readonly required: readonly Spec[],
    readonly provided: InterfaceSpec<unknown>,
    readonly factory: unknown,
  ) {}
}

/** A registration record of a handler. */
@implementer(IHandlerRegistration)
export class HandlerRegistration implements HandlerRegistrationInfo {
  readonly name = '';
  readonly provided = null;
  constructor(
    readonly registry: {
      /** The registry's name. */
      readonly name: string;
    },
    readonly required: readonly Spec[],
    readonly handler: unknown,
  ) {}
}
