/**
 * Twisted's `Componentized`: an object that keeps the adapters made for it, so that
 * `ICounter(session) === ICounter(session)`, and `Adapter`, the base class of such adapters.
 *
 * Components are keyed by interface. Interfaces are unique per name (defineInterface returns
 * the same object for the same name), so this is the same as Twisted's key by dotted name.
 */
import { adaptDirect, conform, implementedBy, isInterface, NotAnInterfaceError, providedBy } from '@dovetail/interfaces';
import { describe } from '@dovetail/interfaces/internal';
import { ComponentNotSetError } from './errors.js';
import { getCurrentRegistry } from './site.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/** What an adapter may say about how it is cached (class or instance properties, as in Twisted). */
interface CachingFlags {
  temporaryAdapter?: unknown;
  multiComponent?: unknown;
}

function flag(component: unknown, name: keyof CachingFlags): boolean {
  if (component === null || typeof component !== 'object') return false;
  if ((component as CachingFlags)[name]) return true;
  const ctor = (component as { constructor?: CachingFlags }).constructor;
  return Boolean(ctor && ctor[name]);
}

/**
 * An object that builds each adapter to an interface once and keeps it (Twisted's
 * `Componentized`). `I(obj)` goes through `getComponent`, so it returns the kept component.
 *
 * @example
 * ```ts
 * class Host extends Componentized {}
 * registerAdapter(Counter, Host, ICounter);
 * const host = new Host();
 * ICounter(host) === ICounter(host); // true
 * ```
 */
export class Componentized {
  readonly #components: Map<InterfaceSpec<unknown>, unknown>;

  /**
   * @param components - the table the components are kept in. Several objects may share one
   *   table: they then share their components, as the per-request handles of one session do.
   */
  constructor(components: Map<InterfaceSpec<unknown>, unknown> = new Map()) {
    this.#components = components;
  }

  /**
   * The component for `iface`: the kept one, else an adapter built now (kept unless it is a
   * `temporaryAdapter`; with `multiComponent` also kept for its other interfaces), else
   * `fallback` (default `undefined`).
   *
   * @example
   * ```ts
   * session.getComponent(IUserManager, null);
   * ```
   */
  getComponent<T>(iface: InterfaceSpec<T>): T | undefined;
  getComponent<T, F>(iface: InterfaceSpec<T>, fallback: F): T | F;
  getComponent<T>(iface: InterfaceSpec<T>, fallback?: unknown): unknown {
    const kept = this.#components.get(iface as InterfaceSpec<unknown>);
    if (kept !== undefined) return kept;
    // Not I(this): that would come back here through [conform].
    const adapter = adaptDirect(iface, this);
    if (adapter === undefined) return fallback;
    if (!flag(adapter, 'temporaryAdapter')) {
      this.keepComponent(iface as InterfaceSpec<unknown>, adapter);
      if (flag(adapter, 'multiComponent')) this.addComponent(adapter);
    }
    return adapter;
  }

  /**
   * Sets the component for `iface` (no check that it provides `iface`, as in Twisted).
   *
   * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) when `iface` is not an interface.
   * @example
   * ```ts
   * session.setComponent(IUserManager, new UserManager());
   * ```
   */
  setComponent<T>(iface: InterfaceSpec<T>, component: T): void {
    if (!isInterface(iface)) throw new NotAnInterfaceError('setComponent()', iface);
    this.keepComponent(iface as InterfaceSpec<unknown>, component);
  }

  /**
   * Keeps `component` for each interface it provides for which its class is the adapter
   * registered for this object's class (every interface it provides, with `ignoreClass`).
   *
   * @example
   * ```ts
   * session.addComponent(new UserManager(session));
   * ```
   */
  addComponent(component: unknown, ignoreClass = false): void {
    const registry = getCurrentRegistry();
    // Twisted's locateAdapterClass: the adapter registered for this object's class.
    const host = implementedBy((Object.getPrototypeOf(this) as { constructor: unknown }).constructor);
    const ctor = (component as { constructor?: unknown } | null)?.constructor;
    for (const iface of providedBy(component).interfaces()) {
      if (ignoreClass || registry.lookup([host], iface) === ctor) this.keepComponent(iface, component);
    }
  }

  /**
   * Removes the component for `iface`.
   *
   * @throws ComponentNotSetError (`DT_REG_COMPONENT_NOT_SET`) when there is none (Twisted: KeyError).
   * @example
   * ```ts
   * session.unsetComponent(IUserManager);
   * ```
   */
  unsetComponent(iface: InterfaceSpec<unknown>): void {
    if (!this.#components.has(iface)) throw new ComponentNotSetError(iface.name, describe(this));
    this.dropComponent(iface);
  }

  /**
   * Removes `component` under every interface it is kept for.
   *
   * @returns the interfaces it was removed from.
   * @example
   * ```ts
   * session.removeComponent(manager); // [IUserManager]
   * ```
   */
  removeComponent(component: unknown): InterfaceSpec<unknown>[] {
    const removed: InterfaceSpec<unknown>[] = [];
    for (const [iface, c] of this.#components) if (c === component) removed.push(iface);
    for (const iface of removed) this.dropComponent(iface);
    return removed;
  }

  /** The components kept, by interface, in the order they were first kept. */
  componentEntries(): IterableIterator<[InterfaceSpec<unknown>, unknown]> {
    return this.#components.entries();
  }

  /** Keeps a component; the one place components are added (subclasses hook here). */
  protected keepComponent(iface: InterfaceSpec<unknown>, component: unknown): void {
    this.#components.set(iface, component);
  }

  /** Drops a component; the one place components are removed (subclasses hook here). */
  protected dropComponent(iface: InterfaceSpec<unknown>): void {
    this.#components.delete(iface);
  }

  /** Adaptation goes through the kept components: `I(this)` is `this.getComponent(I)`. */
  [conform](iface: InterfaceSpec<unknown>): unknown {
    const kept = this.#components.get(iface);
    return kept !== undefined ? kept : this.getComponent(iface);
  }
}

/**
 * Base class of adapters kept on a `Componentized` (Twisted's `components.Adapter`):
 * remembers `original`; `I(adapter)` re-adapts the original through its kept components.
 *
 * @example
 * ```ts
 * @implementer(IUserManager)
 * class UserManager extends Adapter<Session> { users = new Map<string, string>(); }
 * ```
 */
export class Adapter<O = unknown> {
  /** Not kept on the Componentized: rebuilt on every adaptation. @default false */
  static temporaryAdapter = false;
  /** Also kept for every other interface it is the registered adapter for. @default true */
  static multiComponent = true;

  /** @param original - the adapted object */
  constructor(readonly original: O) {}

  /** Forwards adaptation to the original object, as Twisted's `Adapter.__conform__` does. */
  [conform](iface: InterfaceSpec<unknown>): unknown {
    const own = (this.original as { [conform]?: (i: InterfaceSpec<unknown>) => unknown } | null)?.[conform];
    return typeof own === 'function' ? own.call(this.original, iface) : undefined;
  }
}
