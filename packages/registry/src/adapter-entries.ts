/**
 * Registering in a `Registry`'s `adapters` (its `AdapterRegistry`): adapters, subscription
 * adapters and handlers, checked, stored and removed, each change notified to the registry's
 * handlers (`Registered`, `Unregistered`) as it happens.
 *
 * Internal to the package: `Registry` keeps the public methods that call these, the lookups and
 * the utilities. They see the registry only through `AdapterHost`, what they use of it.
 */
import { AdapterAlreadyRegisteredError, InvalidRegistrationError } from './errors.js';
import { AdapterRegistration, HandlerRegistration, Registered, SubscriptionRegistration, Unregistered } from './events.js';
import { invokerFor } from './factory.js';
import { checkName, exactSubscribers, label, toProvided, toSpecs } from './registration.js';
import type { AdapterRegistry } from './adapter-registry.js';
import type { AdapterFactory } from './factory.js';
import type { AdapterEntry, AdapterOptions, RequiredSpec, SubscriberEntry } from './registration.js';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';
import type { Container } from 'inversify';

/** What registering adapters needs of a registry: where entries go, how factories resolve, who hears of it. */
export interface AdapterHost {
  /** Shown in messages and kept in the registration records. */
  readonly name: string;
  /** Where adapters, subscription adapters and handlers are stored. */
  readonly adapters: AdapterRegistry<AdapterEntry | SubscriberEntry>;
  /** Resolves a class factory's other constructor parameters. */
  readonly container: Container;
  /** Changes when the utilities change, so resolved factories are resolved again. */
  readonly utilitiesGeneration: number;
  /** Dispatches `Registered`/`Unregistered` to the registry's handlers. */
  notify(event: unknown): void;
}

/** `registry.registerAdapter()` once its parts are known (see adapts.ts): every target is checked before any is registered. */
export function addAdapter(
  registry: AdapterHost,
  factory: AdapterFactory,
  required: RequiredSpec | readonly RequiredSpec[],
  provided: InterfaceSpec<unknown> | readonly InterfaceSpec<unknown>[],
  options: AdapterOptions,
): void {
  const where = 'registerAdapter()';
  const name = checkName(where, options.name);
  const specs = toSpecs(where, required);
  const targets = (Array.isArray(provided) ? provided : [provided]).map((p) => toProvided(where, p));
  if (targets.length === 0) throw new InvalidRegistrationError(where, 'provided', provided, 'at least one interface');
  const adapters = registry.adapters;
  const fresh: InterfaceSpec<unknown>[] = [];
  for (const target of targets) {
    const existing = adapters.registered(specs, target, name) as AdapterEntry | undefined;
    if (existing?.record.factory === factory) continue;
    if (existing && !options.replace) throw new AdapterAlreadyRegisteredError(existing.record.factory, specs.map(label), target.name, name);
    fresh.push(target);
  }
  const { call, call1 } = invokerFor(factory, specs.length, registry);
  for (const target of fresh) {
    const record = new AdapterRegistration(registry, specs, target, name, factory);
    const old = adapters.registered(specs, target, name) as AdapterEntry | undefined;
    adapters.register(specs, target, name, { record, call, call1 });
    if (old) registry.notify(new Unregistered(old.record));
    registry.notify(new Registered(record));
  }
}

/** `registry.unregisterAdapter()`: true when a registration was removed. */
export function removeAdapter(
  registry: AdapterHost,
  required: RequiredSpec | readonly RequiredSpec[],
  provided: InterfaceSpec<unknown>,
  options: { name?: string; factory?: AdapterFactory },
): boolean {
  const where = 'unregisterAdapter()';
  const name = checkName(where, options.name);
  const specs = toSpecs(where, required);
  const target = toProvided(where, provided);
  const existing = registry.adapters.registered(specs, target, name) as AdapterEntry | undefined;
  if (!existing || (options.factory !== undefined && existing.record.factory !== options.factory)) return false;
  registry.adapters.unregister(specs, target, name);
  registry.notify(new Unregistered(existing.record));
  return true;
}

/** `registry.registerSubscriptionAdapter()`. */
export function addSubscriptionAdapter(registry: AdapterHost, factory: AdapterFactory, required: readonly RequiredSpec[], provided: InterfaceSpec<unknown>): void {
  const where = 'registerSubscriptionAdapter()';
  if (typeof factory !== 'function') throw new InvalidRegistrationError(where, 'the factory', factory, 'a class or a function');
  const specs = toSpecs(where, required);
  const target = toProvided(where, provided);
  const record = new SubscriptionRegistration(registry, specs, target, factory);
  registry.adapters.subscribe(specs, target, { record, call: invokerFor(factory, specs.length, registry).call });
  registry.notify(new Registered(record));
}

/** `registry.registerHandler()`. */
export function addHandler(registry: AdapterHost, handler: (...objects: never[]) => unknown, required: readonly RequiredSpec[]): void {
  const where = 'registerHandler()';
  if (typeof handler !== 'function') throw new InvalidRegistrationError(where, 'the handler', handler, 'a function');
  const specs = toSpecs(where, required);
  const record = new HandlerRegistration(registry, specs, handler);
  const fn = handler as (...objects: unknown[]) => unknown;
  registry.adapters.subscribe(specs, null, { record, call: (objects) => fn(...objects) });
  registry.notify(new Registered(record));
}

/**
 * Removes the subscription adapters (`provided`) or handlers (`null`) `registry` registered under
 * exactly `specs` (only `callable`, when given); true when any went.
 */
export function removeSubscribers(registry: AdapterHost, specs: Spec[], provided: InterfaceSpec<unknown> | null, callable: unknown): boolean {
  const gone = exactSubscribers(registry.adapters.subscriptions(specs, provided) as SubscriberEntry[], registry, specs, provided, callable);
  if (gone.length === 0) return false;
  for (const entry of gone) registry.adapters.unsubscribe(specs, provided, entry);
  for (const entry of gone) registry.notify(new Unregistered(entry.record));
  return true;
}
