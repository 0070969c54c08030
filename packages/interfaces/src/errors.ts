/**
 * Errors of @dovetail/interfaces, `DovetailError` and `isDovetailError`.
 *
 * Each error has a literal `name`, a stable `code` (`DT_<PKG>_<WHAT>`, documented in
 * docs/errors.md) and a message that says what was asked, what was found and what to do.
 *
 * The policy, the same in every package: errors extend `DovetailError`, except those a zope or
 * Twisted user catches as `TypeError` — `AdaptationError` (zope's "Could not adapt" is a
 * TypeError) and the errors for an argument of the wrong type (`NotAnInterfaceError`,
 * `InvalidDeclarationTargetError`, the registry's `InvalidRegistrationError`) — which extend
 * `TypeError` and carry a `code` all the same. `isDovetailError(e)` recognises both kinds.
 */
import { isInterface, kSpecKind } from './spec.js';

/** Base class of the errors dovetail throws that are not `TypeError`s; `code` is stable across releases. */
export abstract class DovetailError extends Error {
  /** The class's name, a string literal per error class (also across realms, unlike `instanceof`). */
  declare readonly name: string;
  /** Stable machine-readable code, `DT_<PKG>_<WHAT>`. */
  abstract readonly code: string;
}

/** A `TypeError` dovetail throws: an argument of the wrong type, or an adaptation that failed. */
export type DovetailTypeError = TypeError & {
  /** Stable machine-readable code, `DT_<PKG>_<WHAT>`. */
  readonly code: string;
};

const CODE = /^DT_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

/**
 * True for every error dovetail throws: a `DovetailError`, or one of the `TypeError`s that
 * carry a `DT_…` code. Recognises errors from another copy of the package too.
 *
 * @example
 * ```ts
 * try { ICounter(obj); } catch (e) { if (isDovetailError(e)) log(e.code); else throw e; }
 * ```
 */
export function isDovetailError(e: unknown): e is DovetailError | DovetailTypeError {
  if (e instanceof DovetailError) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && CODE.test(code);
}

/** Base class of the errors of @dovetail/interfaces, except the `TypeError`s (see above). */
export abstract class InterfacesError extends DovetailError {}

/** Describes any value for an error message: short, never throwing. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return value.toString();
    case 'function': {
      // Interfaces are functions; they read as `<Interface name>`.
      if (isInterface(value)) return String(value);
      const name = (value as { name?: unknown }).name;
      const kind = /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
      return `${kind} ${typeof name === 'string' && name ? name : '(anonymous)'}`;
    }
    default:
      // Proxies and odd getters can throw; a message must still be built.
      try {
        return describeObject(value as object);
      } catch {
        return 'an object';
      }
  }
}

function describeObject(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto === null) return 'a null-prototype object';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const spec = (value as { [kSpecKind]?: unknown })[kSpecKind];
  if (typeof spec === 'string') return String((value as { toString(): string }).toString());
  const name = proto.constructor?.name;
  return name && name !== 'Object' ? `a ${name} instance` : 'a plain object';
}

/** A name is not a dotted, package-qualified string. */
export class InvalidInterfaceNameError extends InterfacesError {
  override readonly name = 'InvalidInterfaceNameError' as const;
  readonly code = 'DT_IFACE_INVALID_NAME' as const;
  /**
   * @param given - the value given as the name
   */
  constructor(readonly given: unknown) {
    super(
      `defineInterface() needs a dotted, package-qualified name such as 'myapp.ICounter', ` +
        `but was given ${describe(given)}. Pass a string of identifiers joined by dots.`,
    );
  }
}

/** Something that should be an interface is not one (a `TypeError`: an argument of the wrong type). */
export class NotAnInterfaceError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'NotAnInterfaceError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_IFACE_NOT_AN_INTERFACE' as const;
  /**
   * @param where - the call that needed an interface
   * @param given - what it was given instead
   */
  constructor(readonly where: string, readonly given: unknown) {
    super(
      `${where} expects an interface made by defineInterface(), but was given ${describe(given)}. ` +
        `Declare one with defineInterface<T>('pkg.IName') and pass that.`,
    );
  }
}

/** A different interface already has this name. */
export class InterfaceRedefinitionError extends InterfacesError {
  override readonly name = 'InterfaceRedefinitionError' as const;
  readonly code = 'DT_IFACE_REDEFINED' as const;
  /**
   * @param interfaceName - the name already taken
   * @param difference - how the new definition differs from the first
   */
  constructor(readonly interfaceName: string, readonly difference: string) {
    super(
      `Interface '${interfaceName}' is already defined with a different shape (${difference}). ` +
        `Defining the same name again must repeat the same bases and members; ` +
        `give the new interface its own name, or change the first definition.`,
    );
  }
}

/** No C3 resolution order exists for a hierarchy. */
export class InconsistentResolutionOrderError extends InterfacesError {
  override readonly name = 'InconsistentResolutionOrderError' as const;
  readonly code = 'DT_IFACE_INCONSISTENT_ORDER' as const;
  /**
   * @param subject - the interface or class whose order has no C3 solution
   * @param remaining - the base orders left when C3 got stuck
   */
  constructor(readonly subject: string, readonly remaining: readonly (readonly string[])[]) {
    super(
      `Cannot compute a consistent resolution order (C3) for ${subject}: the orders ` +
        `${remaining.map((r) => `[${r.join(', ')}]`).join(', ')} disagree about which comes first. ` +
        `Reorder the bases so every base comes after the ones that extend it.`,
    );
  }
}

/** An interface would extend itself. */
export class CyclicInterfaceError extends InterfacesError {
  override readonly name = 'CyclicInterfaceError' as const;
  readonly code = 'DT_IFACE_CYCLE' as const;
  /**
   * @param interfaceName - the interface that would extend itself
   */
  constructor(readonly interfaceName: string) {
    super(
      `Interface '${interfaceName}' would extend itself through its bases. ` +
        `An interface can only extend interfaces defined before it; remove the cycle.`,
    );
  }
}

/** An object or class does not meet an interface's contract; lists every problem at once. */
export class BrokenImplementation extends InterfacesError {
  override readonly name = 'BrokenImplementation' as const;
  readonly code = 'DT_IFACE_BROKEN_IMPLEMENTATION' as const;
  /**
   * @param interfaceName - the interface checked against
   * @param candidate - the object or class checked, described
   * @param problems - every problem found, one line each
   */
  constructor(
    readonly interfaceName: string,
    readonly candidate: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${candidate} does not implement ${interfaceName}: ${problems.join('; ')}. ` +
        `Add the missing members, or stop declaring that it provides ${interfaceName}.`,
    );
  }
}

/** `noLongerProvides` cannot remove an interface the object still gets from its class. */
export class StillProvidedError extends InterfacesError {
  override readonly name = 'StillProvidedError' as const;
  readonly code = 'DT_IFACE_STILL_PROVIDED' as const;
  /**
   * @param interfaceName - the interface still provided
   * @param object - the object, described
   */
  constructor(readonly interfaceName: string, readonly object: string) {
    super(
      `noLongerProvides(${object}, ${interfaceName}): the object still provides ${interfaceName} ` +
        `through its class. Only directly provided interfaces can be removed; ` +
        `use classImplementsOnly() on the class, or a different class.`,
    );
  }
}

/** A declaration was applied to something that cannot carry one (a `TypeError`: an argument of the wrong type). */
export class InvalidDeclarationTargetError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'InvalidDeclarationTargetError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_IFACE_INVALID_TARGET' as const;
  /**
   * @param where - the declaring call
   * @param given - what it was given
   * @param expected - what it needs
   */
  constructor(readonly where: string, readonly given: unknown, readonly expected: string) {
    super(`${where} expects ${expected}, but was given ${describe(given)}. Pass ${expected}.`);
  }
}

/** `I(obj)` found no way to adapt `obj` to `I` (a `TypeError`, as zope's "Could not adapt"). */
export class AdaptationError extends TypeError {
  /** `'AdaptationError'`, or the subclass's name. */
  override readonly name: string = 'AdaptationError';
  /** `DT_IFACE_COULD_NOT_ADAPT`, or the subclass's code. */
  readonly code: string = 'DT_IFACE_COULD_NOT_ADAPT';
  /**
   * @param interfaceName - the interface adapted to
   * @param object - the value that could not be adapted
   * @param consulted - what was tried, in order (conform, provided, hooks)
   */
  constructor(
    readonly interfaceName: string,
    readonly object: unknown,
    readonly consulted: readonly string[],
  ) {
    super(
      `Could not adapt ${describe(object)} to ${interfaceName}: consulted ${consulted.join(', ')}, ` +
        `none gave an adapter. Register one (registerAdapter(Factory, ${describeForHint(object)}, ${interfaceName})), ` +
        `declare that the object provides ${interfaceName}, or pass a fallback: ${interfaceName}(obj, null).`,
    );
  }
}

function describeForHint(object: unknown): string {
  if (object !== null && typeof object === 'object') {
    const name = (Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null)?.constructor?.name;
    if (name && name !== 'Object') return name;
  }
  return 'Interface';
}

/** `I(null)` or `I(undefined)` without a fallback: there is nothing to adapt. */
export class NullAdaptationError extends AdaptationError {
  /** `'NullAdaptationError'`. */
  override readonly name: string = 'NullAdaptationError';
  /** `DT_IFACE_ADAPT_NOTHING`. */
  override readonly code: string = 'DT_IFACE_ADAPT_NOTHING';
  constructor(interfaceName: string, object: null | undefined) {
    super(interfaceName, object, []);
    this.message =
      `Cannot adapt ${String(object)} to ${interfaceName}: there is no object to adapt. ` +
      `Check where the value comes from, or pass a fallback: ${interfaceName}(value, null).`;
  }
}
