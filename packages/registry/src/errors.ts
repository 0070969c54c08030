/**
 * Errors of @dovetail/registry. Codes are `DT_REG_*`, documented in docs/errors.md.
 *
 * As in every package, they extend `DovetailError` (here through `RegistryError`), except
 * `InvalidRegistrationError` and `CannotInferRegistrationError`: arguments of the wrong type
 * or missing, which zope raises as `TypeError`, so they extend `TypeError` and carry their
 * codes all the same.
 */
import { DovetailError } from '@dovetail/interfaces';
import { describe } from '@dovetail/interfaces/internal';

/** Base class of the errors of @dovetail/registry, except the `TypeError`s (see above). */
export abstract class RegistryError extends DovetailError {}

/** A `get*` lookup found nothing (the `query*` twin returns `undefined` instead). */
export class ComponentLookupError extends RegistryError {
  override readonly name = 'ComponentLookupError' as const;
  readonly code = 'DT_REG_COMPONENT_NOT_FOUND' as const;
  /**
   * @param provided - the interface looked up
   * @param lookupName - the name looked up ('' for unnamed)
   * @param required - the required specs, described
   * @param registry - the name of the registry asked
   */
  constructor(
    readonly provided: string,
    readonly lookupName: string,
    readonly required: readonly string[],
    readonly registry: string,
  ) {
    super(
      `No component provides ${provided}${lookupName ? ` named "${lookupName}"` : ''} ` +
        `for (${required.join(', ') || 'nothing'}) in registry '${registry}' or its bases. ` +
        `Register one (registerAdapter()/registerUtility()), check that the right registry is current ` +
        `(withRegistry()), or use the query* form if a missing component is acceptable.`,
    );
  }
}

/** An adapter is already registered for the same required specs, provided interface and name. */
export class AdapterAlreadyRegisteredError extends RegistryError {
  override readonly name = 'AdapterAlreadyRegisteredError' as const;
  readonly code = 'DT_REG_ALREADY_REGISTERED' as const;
  /**
   * @param existing - the factory already registered
   * @param required - the required specs, described
   * @param provided - the provided interface
   * @param lookupName - the registration name ('' for unnamed)
   */
  constructor(
    readonly existing: unknown,
    readonly required: readonly string[],
    readonly provided: string,
    readonly lookupName: string,
  ) {
    super(
      `An adapter (${describe(existing)}) is already registered for (${required.join(', ')}) → ${provided}` +
        `${lookupName ? ` named "${lookupName}"` : ''}. Nothing was registered. ` +
        `Pass { replace: true } to replace it, or unregisterAdapter() it first.`,
    );
  }
}

/** A registration was given something it cannot use (a `TypeError`, as in zope); nothing was registered. */
export class InvalidRegistrationError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'InvalidRegistrationError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_REG_INVALID_REGISTRATION' as const;
  /**
   * @param where - the registering call
   * @param what - the argument at fault
   * @param given - what it was given
   * @param expected - what it needs
   */
  constructor(readonly where: string, readonly what: string, readonly given: unknown, readonly expected: string) {
    super(`${where}: ${what} must be ${expected}, but was ${describe(given)}. Nothing was registered.`);
  }
}

/** A component name is not a string (zope raises ValueError: "name is not a string"). */
export class InvalidNameError extends RegistryError {
  override readonly name = 'InvalidNameError' as const;
  readonly code = 'DT_REG_INVALID_NAME' as const;
  /**
   * @param where - the call
   * @param given - the name given
   */
  constructor(readonly where: string, readonly given: unknown) {
    super(`${where}: the name must be a string ('' for unnamed), but was ${describe(given)}.`);
  }
}

/** `unsetComponent(I)` on a Componentized that holds no component for `I`. */
export class ComponentNotSetError extends RegistryError {
  override readonly name = 'ComponentNotSetError' as const;
  readonly code = 'DT_REG_COMPONENT_NOT_SET' as const;
  /**
   * @param interfaceName - the interface with no component
   * @param host - the componentized object, described
   */
  constructor(readonly interfaceName: string, readonly host: string) {
    super(
      `unsetComponent(${interfaceName}): ${host} holds no component for ${interfaceName}. ` +
        `Check with getComponent(${interfaceName}, null) first, or use removeComponent().`,
    );
  }
}

/** An `@injectable` adapter's dependency could not be resolved from the registry's container. */
export class AdapterDependencyError extends RegistryError {
  override readonly name = 'AdapterDependencyError' as const;
  readonly code = 'DT_REG_ADAPTER_DEPENDENCY' as const;
  /**
   * @param factory - the adapter class, described
   * @param parameter - the index of the constructor parameter that could not be resolved
   * @param service - the service identifier it asked for
   */
  constructor(readonly factory: string, readonly parameter: number, readonly service: string, options?: ErrorOptions) {
    super(
      `Cannot build adapter ${factory}: constructor parameter ${parameter} asks for ${service}, ` +
        `which the registry's container cannot provide. Register it first ` +
        `(registry.registerUtility(value, I) or registry.container.bind(...)), or mark the parameter @optional().`,
      options,
    );
  }
}

/**
 * A registration left out a part (required specs, the provided interface) that the factory or
 * component does not declare either: no `@adapter(...)`, or not exactly one interface
 * implemented or provided. A `TypeError`, as zope raises it; nothing was registered.
 */
export class CannotInferRegistrationError extends TypeError {
  /** The class's name (a `TypeError`, so not a `DovetailError`). */
  override readonly name = 'CannotInferRegistrationError' as const;
  /** Stable machine-readable code. */
  readonly code = 'DT_REG_CANNOT_INFER' as const;
  /**
   * @param where - the call, e.g. `registerAdapter(class Counter)`.
   * @param missing - the part that was left out.
   * @param found - what the factory or component declares instead.
   * @param remedy - how to give the part.
   */
  constructor(readonly where: string, readonly missing: 'required' | 'provided', readonly found: string, remedy: string) {
    super(
      `${where}: no ${missing === 'required' ? 'required specs were' : 'provided interface was'} given, and ${found}. ` +
        `${remedy} Nothing was registered.`,
    );
  }
}
