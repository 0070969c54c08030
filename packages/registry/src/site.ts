/**
 * Sites: which registry `I(obj)` and the module-level functions consult.
 *
 * The *current* registry is the one `withRegistry(reg, fn)` made current for `fn` and
 * everything it awaits (AsyncLocalStorage, Node's answer to zope's thread-local site); outside
 * any such scope it is the global registry. Two apps in one process each run their requests
 * inside `withRegistry(app, …)` and never see each other's adapters.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { adapterHooks } from '@dovetail/interfaces';
import { Registry } from './components.js';
import type { AdapterFactory } from './factory.js';
import type { AdapterOptions, InferredAdapterOptions, ProvidedSpec, RequiredSpec } from './registration.js';
import type { AdaptedAll, AdapterFactoryFor, ProvidedType } from './typed-registration.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

const globalKey = Symbol.for('dovetail:global-registry');
const holder = globalThis as typeof globalThis & { [globalKey]?: Registry };
// On globalThis, so that two copies of this package share one global registry.
const globalRegistry: Registry = (holder[globalKey] ??= new Registry({ name: 'global' }));
const current = new AsyncLocalStorage<Registry>();

/**
 * The process-wide registry (zope's global site manager, Twisted's `globalRegistry`).
 *
 * @example
 * ```ts
 * const app = new Registry({ name: 'app', bases: [getGlobalRegistry()] });
 * ```
 */
export function getGlobalRegistry(): Registry {
  return globalRegistry;
}

/**
 * The registry in effect here: the innermost `withRegistry` scope's, else the global one.
 *
 * @example
 * ```ts
 * getCurrentRegistry().queryUtility(IClock);
 * ```
 */
export function getCurrentRegistry(): Registry {
  return current.getStore() ?? globalRegistry;
}

/**
 * Runs `fn` (sync or async) with `registry` current, for everything `fn` awaits too.
 *
 * @example
 * ```ts
 * await withRegistry(appRegistry, () => handleRequest(req, res));
 * ```
 */
export function withRegistry<R>(registry: Registry, fn: () => R): R {
  return current.run(registry, fn);
}

/**
 * The hook `I(obj)` uses to ask the current registry; installed once per process.
 * Named so that `AdaptationError` messages say which registry was asked.
 */
function currentRegistry(iface: InterfaceSpec<unknown>, obj: unknown): unknown {
  return (current.getStore() ?? globalRegistry).queryAdapter(obj, iface);
}
// Installing the hook is this module's load-time effect: package.json lists it in sideEffects.
const hookKey = Symbol.for('dovetail:registry-hook');
const hooked = globalThis as typeof globalThis & { [hookKey]?: boolean };
if (!hooked[hookKey]) {
  hooked[hookKey] = true;
  adapterHooks.push(currentRegistry);
}

/**
 * Registers an adapter in the current registry — Twisted's `registerAdapter(Counter, Session, ICounter)`.
 * Does not compile when `Counter`'s instances lack `ICounter`'s type or its constructor can't
 * take a `Session`. With only the factory, zope's decorators say the rest:
 * `@adapter(Session) @implementer(ICounter) class Counter`, then `registerAdapter(Counter)`.
 *
 * @throws AdapterAlreadyRegisteredError (`DT_REG_ALREADY_REGISTERED`) when another factory is registered there.
 * @throws CannotInferRegistrationError (`DT_REG_CANNOT_INFER`) when a part left out is declared nowhere.
 * @example
 * ```ts
 * registerAdapter(Counter, Session, ICounter);
 * ```
 */
export function registerAdapter<const R extends RequiredSpec | readonly RequiredSpec[], const P extends ProvidedSpec>(
  factory: NoInfer<AdapterFactoryFor<AdaptedAll<R>, ProvidedType<P>>>,
  required: R,
  provided: P,
  options?: AdapterOptions,
): void;
export function registerAdapter(factory: AdapterFactory, options?: InferredAdapterOptions): void;
export function registerAdapter(factory: AdapterFactory, ...rest: unknown[]): void {
  (getCurrentRegistry().registerAdapter as (factory: AdapterFactory, ...rest: unknown[]) => void)(factory, ...rest);
}

/**
 * Registers a utility in the current registry. Does not compile when `component` lacks
 * `provided`'s type; with only `component`, `provided` is the one interface it provides.
 *
 * @throws CannotInferRegistrationError (`DT_REG_CANNOT_INFER`) when `provided` is left out and the component does not provide exactly one interface.
 * @example
 * ```ts
 * registerUtility(new SystemClock(), IClock);
 * ```
 */
export function registerUtility<T>(component: NoInfer<T>, provided: InterfaceSpec<T>, options?: { name?: string }): void;
export function registerUtility(component: object): void;
export function registerUtility(component: unknown, ...rest: unknown[]): void {
  (getCurrentRegistry().registerUtility as (component: unknown, ...rest: unknown[]) => void)(component, ...rest);
}

/**
 * `queryAdapter` on the current registry.
 *
 * @example
 * ```ts
 * queryAdapter(session, ICounter);
 * ```
 */
export function queryAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name = ''): T | undefined {
  return getCurrentRegistry().queryAdapter(obj, provided, name);
}

/**
 * `getAdapter` on the current registry.
 *
 * @throws ComponentLookupError (`DT_REG_COMPONENT_NOT_FOUND`)
 * @example
 * ```ts
 * getAdapter(session, ICounter);
 * ```
 */
export function getAdapter<T>(obj: unknown, provided: InterfaceSpec<T>, name = ''): T {
  return getCurrentRegistry().getAdapter(obj, provided, name);
}

/**
 * `queryMultiAdapter` on the current registry.
 *
 * @example
 * ```ts
 * queryMultiAdapter([request, view], IPage);
 * ```
 */
export function queryMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name = ''): T | undefined {
  return getCurrentRegistry().queryMultiAdapter(objects, provided, name);
}

/**
 * `getMultiAdapter` on the current registry.
 *
 * @throws ComponentLookupError (`DT_REG_COMPONENT_NOT_FOUND`)
 * @example
 * ```ts
 * getMultiAdapter([request, view], IPage);
 * ```
 */
export function getMultiAdapter<T>(objects: readonly unknown[], provided: InterfaceSpec<T>, name = ''): T {
  return getCurrentRegistry().getMultiAdapter(objects, provided, name);
}

/**
 * `queryUtility` on the current registry.
 *
 * @example
 * ```ts
 * queryUtility(IClock);
 * ```
 */
export function queryUtility<T>(provided: InterfaceSpec<T>, name = ''): T | undefined {
  return getCurrentRegistry().queryUtility(provided, name);
}

/**
 * `getUtility` on the current registry.
 *
 * @throws ComponentLookupError (`DT_REG_COMPONENT_NOT_FOUND`)
 * @example
 * ```ts
 * getUtility(IClock);
 * ```
 */
export function getUtility<T>(provided: InterfaceSpec<T>, name = ''): T {
  return getCurrentRegistry().getUtility(provided, name);
}

/**
 * `subscribers` on the current registry.
 *
 * @example
 * ```ts
 * subscribers([comment], IValidator);
 * ```
 */
export function subscribers<T>(objects: readonly unknown[], provided: InterfaceSpec<T>): T[] {
  return getCurrentRegistry().subscribers(objects, provided);
}

/**
 * `handle` on the current registry.
 *
 * @example
 * ```ts
 * handle(event);
 * ```
 */
export function handle(...objects: unknown[]): void {
  getCurrentRegistry().handle(...objects);
}

/**
 * Dispatches an event to the handlers of the current registry (zope.event's `notify` with
 * zope.component's dispatch): handlers for what the event provides, and for an object event
 * also those for (event.object, event).
 *
 * @example
 * ```ts
 * notify(new SessionExpired(session));
 * ```
 */
export function notify(event: unknown): void {
  getCurrentRegistry().notify(event);
}
