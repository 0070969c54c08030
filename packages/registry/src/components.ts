/**
 * `Registry`, zope's `Components`: adapters (single, multi, named), utilities, subscription
 * adapters and handlers, with registration events, introspection and layered bases. This file
 * is the public face: how adapters, subscription adapters and handlers are registered is in
 * adapter-entries.ts, how utilities are in utilities.ts.
 *
 * Utilities are also bindings of the registry's inversify container, keyed by `I.id`, so
 * `registry.container.get(I.id)` and `registry.getUtility(I)` see the same component.
 */
import 'reflect-metadata';
import { implementer, providedBy } from '@dovetail/interfaces';
import { Container } from 'inversify';
import { addAdapter, addHandler, addSubscriptionAdapter, removeAdapter, removeSubscribers } from './adapter-entries.js';
import { AdapterRegistry } from './adapter-registry.js';
import { adapterArguments } from './adapts.js';
import { IRegistry } from './contracts.js';
import { ComponentLookupError, InvalidNameError, InvalidRegistrationError } from './errors.js';
import { AdapterRegistration, HandlerRegistration, IObjectEvent, SubscriptionRegistration, UtilityRegistration } from './events.js';
import { checkName, label, recordsOf, toProvided, toSpec, toSpecs } from './registration.js';
import { UtilityTable } from './utilities.js';
import type { RegistryContract } from './contracts.js';
import type { AdapterFactory } from './factory.js';
import type { AdapterEntry, AdapterOptions, InferredAdapterOptions, ProvidedSpec, RequiredSpec, SubscriberEntry } from './registration.js';
import type { AdaptedAll, AdapterFactoryFor, HandlerFor, ProvidedType } from './typed-registration.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/** Options of {@link Registry} construction. */
export interface RegistryOptions {
  /** Shown in messages. @default 'registry' */
  readonly name?: string;
  /** Registries consulted after this one (C3 order over registries). @default [] */
  readonly bases?: readonly Registry[];
  /** The inversify container holding utilities; one is created (child of the first base's) when absent. */
  readonly container?: Container;
}

/**
 * A component registry (zope's `Components`).
 *
 * @example
 * ```ts
 * const reg = new Registry({ name: 'app', bases: [getGlobalRegistry()] });
 * reg.registerAdapter(Counter, Session, ICounter);
 * reg.queryAdapter(session, ICounter); // a Counter
 * ```
 * @see docs/guide/interfaces-and-adapters.md
 */
@implementer(IRegistry)
export class Registry implements RegistryContract {
  /** Shown in messages. */
  readonly name: string;
  /** The inversify container holding this registry's utilities. */
  readonly container: Container;
  /** Adapters, subscription adapters and handlers. */
  readonly adapters: AdapterRegistry<AdapterEntry | SubscriberEntry>;
  /** Utilities (null adapters) and, as subscribers, every utility ever registered per interface. */
  readonly utilities: AdapterRegistry<unknown>;
  #bases: readonly Registry[];
  readonly #utilityTable: UtilityTable;

  constructor(options: RegistryOptions = {}) {
    this.name = options.name ?? 'registry';
    this.#bases = [...(options.bases ?? [])];
    for (const b of this.#bases) if (!(b instanceof Registry)) throw new InvalidRegistrationError('new Registry()', 'each base', b, 'a Registry');
    this.container = options.container ?? new Container(this.#bases[0] ? { parent: this.#bases[0].container } : {});
    this.adapters = new AdapterRegistry(`${this.name}.adapters`, this.#bases.map((b) => b.adapters));
    this.utilities = new AdapterRegistry(`${this.name}.utilities`, this.#bases.map((b) => b.utilities));
    this.#utilityTable = new UtilityTable(this.container, this.utilities);
  }

  /** The registries consulted after this one. */
  get bases(): readonly Registry[] {
    return this.#bases;
  }

  /** Replaces the bases (zope's `__bases__` assignment); the lookup caches of this registry and its dependents start over. */
  set bases(bases: readonly Registry[]) {
    this.#bases = [...bases];
    this.adapters.bases = bases.map((b) => b.adapters);
    this.utilities.bases = bases.map((b) => b.utilities);
  }

  /** Changes whenever this registry's utilities (or a base's) change. */
  get utilitiesGeneration(): number {
    return this.utilities.generation;
  }

  // ------------------------------------------------------------------------------ adapters

  /**
   * Registers `factory` as the adapter from `required` to `provided` (each of them, when an
   * array: all are checked before any is registered). Does not compile when the factory's
   * instances lack `provided`'s type, or its parameters can't take what `required` promises.
   * With only `factory` (and options), `required` comes from its `@adapter(...)`, `provided`
   * from its one `@implementer(...)` interface, and the name from its `@named(...)`.
   *
   * @throws AdapterAlreadyRegisteredError (`DT_REG_ALREADY_REGISTERED`) when another factory is registered for the same keys.
   * @throws InvalidRegistrationError (`DT_REG_INVALID_REGISTRATION`) for a bad factory, required or provided.
   * @throws InvalidNameError (`DT_REG_INVALID_NAME`) for a non-string name.
   * @throws CannotInferRegistrationError (`DT_REG_CANNOT_INFER`) when a part left out is declared nowhere.
   * @example
   * ```ts
   * registry.registerAdapter(PageView, [IRequest, IView], IPage, { name: 'index' });
   * registry.registerAdapter(Counter); // @adapter(Session) @implementer(ICounter) class Counter
   * ```
   */
  registerAdapter<const R extends RequiredSpec | readonly RequiredSpec[], const P extends ProvidedSpec>(
    factory: NoInfer<AdapterFactoryFor<AdaptedAll<R>, ProvidedType<P>>>,
    required: R,
    provided: P,
    options?: AdapterOptions,
  ): void;
  registerAdapter(factory: AdapterFactory, options?: InferredAdapterOptions): void;
  registerAdapter(factory: AdapterFactory, ...rest: unknown[]): void {
    const { required, provided, options } = adapterArguments(factory, rest);
    addAdapter(this, factory, required, provided, options);
  }

  /**
   * Removes an adapter registration (only `factory`'s, when given).
   *
   * @returns true when one was removed.
   * @example
   * ```ts
   * registry.unregisterAdapter(Session, ICounter);
   * ```
   */
  unregisterAdapter(required: RequiredSpec | readonly RequiredSpec[], provided: InterfaceSpec<unknown>, options: { name?: string; factory?: AdapterFactory } = {}): boolean {
    return removeAdapter(this, required, provided, options);
  }

  /** The factory that adapting `required` specs to `provided` would use, or undefined. */
  lookup<T>(required: readonly RequiredSpec[], provided: InterfaceSpec<T>, name = ''): AdapterFactory<T> | undefined {
    const p = provided as InterfaceSpec<unknown>;
    // One required spec, the common case (a class's adapter), builds no array.
    const entry = (
      Array.isArray(required) && required.length === 1
        ? this.adapters.lookup1(toSpec('lookup()', required[0]), p, checkName('lookup()', name))
        : this.adapters.lookup(toSpecs('lookup()', required), p, checkName('lookup()', name))
    ) as AdapterEntry | undefined;
    return entry?.record.factory as AdapterFactory<T> | undefined;
  }

  /**
   * Adapts `obj` to `provided` with the most specific registered adapter; `undefined` (or
   * `fallback`) when there is none or its factory returns null.
   *
   * @example
   * ```ts
   * const counter = registry.queryAdapter(session, ICounter);
   * ```
   */
  queryAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name?: string): T | undefined;
  queryAdapter<T, F>(obj: unknown, provided: InterfaceSpec<T>, name: string, fallback: F): T | F;
  queryAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name = '', fallback?: unknown): unknown {
    if (typeof name !== 'string') throw new InvalidNameError('queryAdapter()', name);
    const entry = (name === ''
      ? this.adapters.lookup1(providedBy(obj), provided as InterfaceSpec<unknown>)
      : this.adapters.lookup([providedBy(obj)], provided as InterfaceSpec<unknown>, name)) as AdapterEntry | undefined;
    if (entry === undefined) return fallback;
    const adapter = entry.call1(obj);
    return adapter === null || adapter === undefined ? fallback : adapter;
  }

  /**
   * Like {@link Registry.queryAdapter}, but throws when there is no adapter.
   *
   * @throws ComponentLookupError (`DT_REG_COMPONENT_NOT_FOUND`)
   * @example
   * ```ts
   * const counter = registry.getAdapter(session, ICounter);
   * ```
   */
  getAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name = ''): T {
    const adapter = this.queryAdapter(obj, provided, name);
    if (adapter === undefined) throw new ComponentLookupError(provided.name, name, [label(providedBy(obj))], this.name);
    return adapter;
  }

  /**
   * Adapts several objects at once (a multi-adapter), e.g. (request, view) → page.
   *
   * @example
   * ```ts
   * const page = registry.queryMultiAdapter([request, view], IPage, 'index');
   * ```
   */
  queryMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name?: string): T | undefined;
  queryMultiAdapter<T, F>(objects: readonly unknown[], provided: InterfaceSpec<T>, name: string, fallback: F): T | F;
  queryMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name = '', fallback?: unknown): unknown {
    if (typeof name !== 'string') throw new InvalidNameError('queryMultiAdapter()', name);
    let entry: AdapterEntry | undefined;
    if (objects.length === 1) {
      entry = this.adapters.lookup([providedBy(objects[0])], provided as InterfaceSpec<unknown>, name) as AdapterEntry | undefined;
    } else if (objects.length === 2) {
      entry = this.adapters.lookup2(providedBy(objects[0]), providedBy(objects[1]), provided as InterfaceSpec<unknown>, name) as AdapterEntry | undefined;
    } else {
      entry = this.adapters.lookup(objects.map(providedBy), provided as InterfaceSpec<unknown>, name) as AdapterEntry | undefined;
    }
    if (entry === undefined) return fallback;
    const adapter = entry.call(objects);
    return adapter === null || adapter === undefined ? fallback : adapter;
  }

  /**
   * Like {@link Registry.queryMultiAdapter}, but throws when there is no adapter.
   *
   * @throws ComponentLookupError (`DT_REG_COMPONENT_NOT_FOUND`)
   * @example
   * ```ts
   * const page = registry.getMultiAdapter([request, view], IPage);
   * ```
   */
  getMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name = ''): T {
    const adapter = this.queryMultiAdapter(objects, provided, name);
    if (adapter === undefined) throw new ComponentLookupError(provided.name, name, objects.map((o) => label(providedBy(o))), this.name);
    return adapter;
  }

  /**
   * Every named adapter of `objects` to `provided`: `[name, adapter]` pairs, one per name,
   * skipping factories that return null.
   *
   * @example
   * ```ts
   * for (const [name, view] of registry.getAdapters([request], IView)) console.log(name);
   * ```
   */
  getAdapters<T>(objects: readonly unknown[], provided: InterfaceSpec<T>): [string, T][] {
    const out: [string, T][] = [];
    for (const [name, entry] of this.adapters.lookupAll(objects.map(providedBy), provided as InterfaceSpec<unknown>)) {
      const adapter = (entry as AdapterEntry).call(objects);
      if (adapter !== null && adapter !== undefined) out.push([name, adapter as T]);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ utilities

  /**
   * Registers `component` as the utility providing `provided` (replacing any utility already
   * there under that name), and binds it in the container under `provided.id`. Does not compile
   * when `component` lacks `provided`'s type. With only `component`, `provided` is the one
   * interface it provides; the name defaults to its `@named(...)`.
   *
   * @throws InvalidRegistrationError (`DT_REG_INVALID_REGISTRATION`) when `provided` is not an interface.
   * @throws CannotInferRegistrationError (`DT_REG_CANNOT_INFER`) when `provided` is left out and the component does not provide exactly one interface.
   * @example
   * ```ts
   * registry.registerUtility(new SystemClock(), IClock);
   * registry.registerUtility(sqliteStore, ISessionDataContainer, { name: 'products.foo' });
   * ```
   */
  registerUtility<T>(component: NoInfer<T>, provided: InterfaceSpec<T>, options?: { name?: string }): void;
  registerUtility(component: object): void;
  registerUtility(component: unknown, provided: InterfaceSpec<unknown> | undefined = undefined, options: { name?: string } = {}): void {
    this.#utilityTable.register(this, component, provided, options);
  }

  /**
   * Removes the utility registered for `provided` (only `component`, when given).
   *
   * @returns true when one was removed.
   * @example
   * ```ts
   * registry.unregisterUtility(IClock);
   * ```
   */
  unregisterUtility<T>(provided: InterfaceSpec<T>, options: { name?: string; component?: T } = {}): boolean {
    return this.#utilityTable.unregister(this, provided as InterfaceSpec<unknown>, options);
  }

  /**
   * The utility providing `provided` under `name`: an exact registration first, else the most
   * recently registered one for an extending interface, here then in the bases, then whatever
   * the container has bound under `provided.id`.
   *
   * @example
   * ```ts
   * const clock = registry.queryUtility(IClock);
   * ```
   */
  queryUtility<T>(provided: InterfaceSpec<T>, name?: string): T | undefined;
  queryUtility<T, F>(provided: InterfaceSpec<T>, name: string, fallback: F): T | F;
  queryUtility<T>(provided: InterfaceSpec<T>, name = '', fallback?: unknown): unknown {
    if (typeof name !== 'string') throw new InvalidNameError('queryUtility()', name);
    const found = this.utilities.lookup([], provided as InterfaceSpec<unknown>, name);
    if (found !== undefined) return found;
    // Bound directly in the container by inversify users.
    return this.#utilityTable.fromContainer(provided as InterfaceSpec<unknown>, name, fallback);
  }

  /**
   * Like {@link Registry.queryUtility}, but throws when there is none.
   *
   * @throws ComponentLookupError (`DT_REG_COMPONENT_NOT_FOUND`)
   * @example
   * ```ts
   * const clock = registry.getUtility(IClock);
   * ```
   */
  getUtility<T>(provided: InterfaceSpec<T>, name = ''): T {
    const found = this.queryUtility(provided, name);
    if (found === undefined) throw new ComponentLookupError(provided.name, name, [], this.name);
    return found;
  }

  /**
   * Every utility providing `provided` (or an extension of it): `[name, utility]`, one per name.
   *
   * @example
   * ```ts
   * for (const [name, store] of registry.getUtilitiesFor(ISessionDataContainer)) console.log(name);
   * ```
   */
  getUtilitiesFor<T>(provided: InterfaceSpec<T>): [string, T][] {
    return this.utilities.lookupAll([], provided as InterfaceSpec<unknown>) as [string, T][];
  }

  /**
   * Every utility ever registered for `provided` here and in the bases, names ignored,
   * shadowed ones included.
   *
   * @example
   * ```ts
   * registry.getAllUtilitiesRegisteredFor(IPlugin);
   * ```
   */
  getAllUtilitiesRegisteredFor<T>(provided: InterfaceSpec<T>): T[] {
    return this.utilities.subscriptions([], provided as InterfaceSpec<unknown>) as T[];
  }

  // ------------------------------------------------------------------------------ subscribers

  /**
   * Registers a subscription adapter: every matching one is called by `subscribers()`. Typed
   * as `registerAdapter` is: the factory must take what `required` promises and make a `T`.
   *
   * @example
   * ```ts
   * registry.registerSubscriptionAdapter(SpamCheck, [IComment], IValidator);
   * ```
   */
  registerSubscriptionAdapter<const R extends readonly RequiredSpec[], T>(factory: NoInfer<AdapterFactoryFor<AdaptedAll<R>, T>>, required: R, provided: InterfaceSpec<T>): void {
    addSubscriptionAdapter(this, factory as AdapterFactory, required, provided as InterfaceSpec<unknown>);
  }

  /** Removes subscription adapters (only `factory`'s, when given); true when any went. */
  unregisterSubscriptionAdapter(required: readonly RequiredSpec[], provided: InterfaceSpec<unknown>, factory?: AdapterFactory): boolean {
    return removeSubscribers(this, toSpecs('unregisterSubscriptionAdapter()', required), toProvided('unregisterSubscriptionAdapter()', provided), factory);
  }

  /**
   * Calls every subscription adapter registered for `objects` and `provided`; returns the
   * non-null results, least specific registrations first.
   *
   * @example
   * ```ts
   * const problems = registry.subscribers([comment], IValidator);
   * ```
   */
  subscribers<T>(objects: readonly unknown[], provided: InterfaceSpec<T>): T[] {
    const out: T[] = [];
    for (const entry of this.adapters.subscriptions(objects.map(providedBy), provided as InterfaceSpec<unknown>)) {
      const result = (entry as SubscriberEntry).call(objects);
      if (result !== null && result !== undefined) out.push(result as T);
    }
    return out;
  }

  /**
   * Registers a handler, called by `handle()`/`notify()` with objects matching `required`;
   * its parameters must take what `required` promises.
   *
   * @example
   * ```ts
   * registry.registerHandler((event: SessionExpired) => log(event), [ISessionExpired]);
   * ```
   */
  registerHandler<const R extends readonly RequiredSpec[]>(handler: NoInfer<HandlerFor<AdaptedAll<R>>>, required: R): void {
    addHandler(this, handler as (...objects: never[]) => unknown, required);
  }

  /** Removes handlers (only `handler`, when given); true when any went. */
  unregisterHandler(required: readonly RequiredSpec[], handler?: (...objects: never[]) => unknown): boolean {
    return removeSubscribers(this, toSpecs('unregisterHandler()', required), null, handler);
  }

  /**
   * Calls every handler registered for `objects` (zope's `handle`).
   *
   * @example
   * ```ts
   * registry.handle(new SessionExpired(session));
   * ```
   */
  handle(...objects: unknown[]): void {
    const handlers = this.adapters.subscriptions(objects.map(providedBy), null);
    for (const entry of handlers) (entry as SubscriberEntry).call(objects);
  }

  /**
   * Dispatches `event` to the handlers registered for what it provides; an object event
   * (`IObjectEvent`) also goes to handlers registered for (event.object, event).
   *
   * @example
   * ```ts
   * registry.notify(new SessionCreated(session));
   * ```
   */
  notify(event: unknown): void {
    this.handle(event);
    if (IObjectEvent.providedBy(event)) this.handle(event.object, event);
  }

  // ------------------------------------------------------------------------------ introspection

  /** The adapter registrations made in this registry. */
  registeredAdapters(): AdapterRegistration[] {
    return recordsOf(this.adapters.allRegistrations(), AdapterRegistration);
  }

  /** The utility registrations made in this registry. */
  registeredUtilities(): UtilityRegistration[] {
    return this.#utilityTable.records();
  }

  /** The subscription adapter registrations made in this registry. */
  registeredSubscriptionAdapters(): SubscriptionRegistration[] {
    return recordsOf(this.adapters.allSubscriptions(), SubscriptionRegistration);
  }

  /** The handler registrations made in this registry. */
  registeredHandlers(): HandlerRegistration[] {
    return recordsOf(this.adapters.allSubscriptions(), HandlerRegistration);
  }

  /** @returns `<Registry name>` */
  toString(): string {
    return `<Registry ${this.name}>`;
  }
}
