/**
 * What a factory or a component says about its own registration: `@adapter(...required)`
 * (zope.component's `adapter`, read back by `adaptedBy`) and `@named(name)` (zope.interface's
 * `named`). `registerAdapter(Counter)` and `registerUtility(component)` use them when the call
 * leaves `required` or the name out.
 *
 * Decorators cannot change types, so the compiler cannot check a registration whose parts come
 * from them; `registerAdapter` checks them at run time instead and throws
 * `CannotInferRegistrationError` when something it needs was declared nowhere.
 */
import { Declaration, implementedBy, providedBy } from '@dovetail/interfaces';
import { describe } from '@dovetail/interfaces/internal';
import { CannotInferRegistrationError, InvalidNameError, InvalidRegistrationError } from './errors.js';
import { toSpecs } from './registration.js';
import type { AdapterOptions, InferredAdapterOptions, ProvidedSpec, RequiredSpec } from './registration.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

// Kept as properties, so class inheritance carries them: a subclass of an @adapter class adapts
// what its base adapts, and instances of a @named class share its name (as Python's class
// attributes do). Symbol.for, so that two copies of this package read each other's.
const kAdapts = Symbol.for('dovetail:component-adapts');
const kName = Symbol.for('dovetail:component-name');

/**
 * A decorator usable on a class (legacy `experimentalDecorators` or standard form) and as a
 * plain call on a function or, for `named`, on any object.
 */
export type RegistrationDeclarator = <C extends object>(target: C, context?: unknown) => void;

/**
 * Declares what a factory adapts (zope's `@adapter`, which sets `__component_adapts__`), so
 * that `registerAdapter(Factory)` can leave `required` out. Several specs declare a
 * multi-adapter. Subclasses inherit the declaration; instances don't carry it.
 *
 * @throws InvalidRegistrationError (`DT_REG_INVALID_REGISTRATION`) at decoration for a spec that
 * is not an interface, a class, a declaration or null, or when the target is not a function.
 * @example
 * ```ts
 * @adapter(Session)
 * @implementer(ICounter)
 * class Counter { value = 0; constructor(readonly session: Session) {} }
 * registerAdapter(Counter); // (Session) → ICounter
 * ```
 */
export function adapter(...required: readonly RequiredSpec[]): RegistrationDeclarator {
  toSpecs('@adapter()', required as RequiredSpec[]);
  const specs = Object.freeze(required.slice());
  return (target) => {
    if (typeof target !== 'function') throw new InvalidRegistrationError('@adapter()', 'the decorated value', target, 'a class or a factory function');
    Object.defineProperty(target, kAdapts, { value: specs, configurable: true, writable: true });
  };
}

/**
 * What `factory` was declared to adapt with `@adapter(...)` (zope's `adaptedBy`), or
 * `undefined` when it declared nothing.
 *
 * @example
 * ```ts
 * adaptedBy(Counter); // [Session]
 * ```
 */
export function adaptedBy(factory: unknown): readonly RequiredSpec[] | undefined {
  if (typeof factory !== 'function') return undefined;
  return (factory as { [kAdapts]?: readonly RequiredSpec[] })[kAdapts];
}

/**
 * Gives a factory or a component a default registration name (zope.interface's `named`, which
 * sets `__component_name__`): `registerAdapter` and `registerUtility` use it when the call
 * gives no name. On a class, its instances and subclasses share the name.
 *
 * @throws InvalidNameError (`DT_REG_INVALID_NAME`) when `name` is not a string.
 * @throws InvalidRegistrationError (`DT_REG_INVALID_REGISTRATION`) when the target is a
 * primitive or cannot take a property (frozen).
 * @example
 * ```ts
 * @named('sqlite')
 * class SqliteStore { … }
 * registerUtility(new SqliteStore(), ISessionDataContainer); // named 'sqlite'
 * ```
 */
export function named(name: string): RegistrationDeclarator {
  if (typeof name !== 'string') throw new InvalidNameError('@named()', name);
  return (target) => {
    if (target === null || (typeof target !== 'object' && typeof target !== 'function') || !Object.isExtensible(target)) {
      throw new InvalidRegistrationError('@named()', 'the decorated value', target, 'a class, a function or an extensible object');
    }
    Object.defineProperty(target, kName, { value: name, configurable: true, writable: true });
    const proto = typeof target === 'function' ? (target as { prototype?: unknown }).prototype : undefined;
    if (typeof proto === 'object' && proto !== null && Object.isExtensible(proto)) {
      Object.defineProperty(proto, kName, { value: name, configurable: true, writable: true });
    }
  };
}

/** The name given to `component` (or its class) with `@named`, else `''`. */
export function componentName(component: unknown): string {
  if (component === null || (typeof component !== 'object' && typeof component !== 'function')) return '';
  const name = (component as { [kName]?: unknown })[kName];
  return typeof name === 'string' ? name : '';
}

/** A registration with every part known. */
export interface AdapterArguments {
  readonly required: RequiredSpec | readonly RequiredSpec[];
  readonly provided: ProvidedSpec;
  readonly options: AdapterOptions;
}

const isOptions = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Declaration);

/**
 * The parts of `registerAdapter(factory, …rest)`: given in full (`required, provided, options?`),
 * or taken from the factory's declarations (`options?`), zope's `_getAdapterRequired` and
 * `_getAdapterProvided`. The name defaults to the factory's `@named`.
 *
 * @throws CannotInferRegistrationError (`DT_REG_CANNOT_INFER`) for a part declared nowhere.
 */
export function adapterArguments(factory: unknown, rest: readonly unknown[]): AdapterArguments {
  if (typeof factory !== 'function') throw new InvalidRegistrationError('registerAdapter()', 'the factory', factory, 'a class or a function');
  const inferred = rest.length === 0 || (rest.length === 1 && (rest[0] === undefined || isOptions(rest[0])));
  const given = (inferred ? (rest[0] ?? {}) : (rest[2] ?? {})) as InferredAdapterOptions;
  const where = `registerAdapter(${describe(factory)})`;
  // null is a spec (anything): only undefined means "left out".
  const required = inferred ? (given.required !== undefined ? given.required : adaptedBy(factory)) : (rest[0] as RequiredSpec);
  if (required === undefined) {
    throw new CannotInferRegistrationError(
      where,
      'required',
      'the factory declares none (no @adapter(...) on it or a base class)',
      'Pass them — registerAdapter(Factory, Session, ICounter) — or decorate the factory with @adapter(Session).',
    );
  }
  const provided = (inferred ? given.provided : (rest[1] as ProvidedSpec | undefined)) ?? onlyInterface(where, implementedBy(factory).interfaces(), 'implements');
  const name = given.name === undefined ? componentName(factory) : given.name;
  return { required, provided, options: { ...given, name } };
}

/**
 * The interface a utility provides when `registerUtility(component)` names none: the one
 * interface it provides (zope's `_getUtilityProvided`).
 *
 * @throws CannotInferRegistrationError (`DT_REG_CANNOT_INFER`) unless it provides exactly one.
 */
export function utilityProvided(component: unknown): InterfaceSpec<unknown> {
  return onlyInterface(`registerUtility(${describe(component)})`, providedBy(component).interfaces(), 'provides');
}

function onlyInterface(where: string, declared: readonly InterfaceSpec<unknown>[], verb: string): InterfaceSpec<unknown> {
  if (declared.length === 1) return declared[0]!;
  const found = declared.length === 0 ? `it ${verb} no interface` : `it ${verb} ${declared.length} (${declared.map((i) => i.name).join(', ')}), so which one is meant is ambiguous`;
  const remedy = verb === 'implements'
    ? 'Pass it — registerAdapter(Factory, { provided: ICounter }) or registerAdapter(Factory, Session, ICounter) — or declare exactly one with @implementer(ICounter).'
    : 'Pass it — registerUtility(component, IClock) — or declare exactly one (@implementer on its class, @provider on a class, alsoProvides on an object).';
  throw new CannotInferRegistrationError(where, 'provided', found, remedy);
}
