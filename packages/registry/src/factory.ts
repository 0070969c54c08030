/**
 * Calling adapter factories, and the inversify bridge.
 *
 * A factory is a class (built with `new`) or a function, called with the adapted object(s).
 * A class decorated `@injectable()` gets the adapted objects as its first constructor arguments
 * and the rest from the registry's container. Those are resolved once per factory (again only
 * after the registry's utilities change): a child container per adaptation costs 10–90 µs
 * (inversify 8 on Node 20), resolving once leaves one `new` per adaptation.
 */
import { AdapterDependencyError } from './errors.js';
import type { Container } from 'inversify';

/** A class or function that makes an adapter from the adapted object(s); null/undefined means "no adapter". */
export type AdapterFactory<T = unknown> =
  | (new (...adapted: never[]) => T)
  | ((...adapted: never[]) => T | null | undefined);

/** Calls a registered factory with the adapted objects. */
export type Invoker = (objects: readonly unknown[]) => unknown;
/** Calls a registered factory with one adapted object (the hot path). */
export type Invoker1 = (object: unknown) => unknown;

const classes = new WeakMap<object, boolean>();

/** True when `f` is a class (must be called with `new`). */
export function isClass(f: unknown): f is new (...args: never[]) => unknown {
  if (typeof f !== 'function') return false;
  let known = classes.get(f);
  if (known === undefined) {
    known = /^class[\s{]/.test(Function.prototype.toString.call(f));
    classes.set(f, known);
  }
  return known;
}

interface ParameterMetadata {
  readonly value?: unknown;
  readonly name?: string;
  readonly optional?: boolean;
  readonly tags?: readonly (readonly [unknown, unknown])[] | Map<unknown, unknown>;
}
interface ClassMetadata {
  readonly constructorArguments?: readonly (ParameterMetadata | undefined)[];
}

// inversify 8 keeps its decorator metadata under these reflect-metadata keys.
const INJECTABLE = '@inversifyjs/core/classIsInjectableFlagReflectKey';
const CLASS_METADATA = '@inversifyjs/core/classMetadataReflectKey';

type ReflectWithMetadata = typeof Reflect & { getOwnMetadata?: (key: string, target: object) => unknown };

function injectedParameters(cls: object, adapted: number): ParameterMetadata[] | undefined {
  const reflect = Reflect as ReflectWithMetadata;
  if (typeof reflect.getOwnMetadata !== 'function' || reflect.getOwnMetadata(INJECTABLE, cls) !== true) return undefined;
  const meta = reflect.getOwnMetadata(CLASS_METADATA, cls) as ClassMetadata | undefined;
  const params = meta?.constructorArguments ?? [];
  return params.slice(adapted).map((p) => p ?? {});
}

function resolveAll(cls: { name: string }, params: readonly ParameterMetadata[], adapted: number, container: Container): unknown[] {
  return params.map((p, i) => {
    const id = p.value as Parameters<Container['get']>[0] | undefined;
    if (id === undefined) {
      if (p.optional) return undefined;
      throw new AdapterDependencyError(cls.name, adapted + i, 'a service without @inject() (only the adapted objects come first)');
    }
    const tag = p.tags ? [...(p.tags instanceof Map ? p.tags : p.tags)][0] : undefined;
    const options = {
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(tag ? { tag: { key: tag[0] as string, value: tag[1] } } : {}),
    } as Parameters<Container['isBound']>[1] & Parameters<Container['get']>[1];
    // Not `optional: true`: inversify 8.2.3 remembers an optional miss and later answers a
    // named request with a newly added default binding; `isBound` answers right.
    if (p.optional && !container.isBound(id, options)) return undefined;
    try {
      return container.get(id, options);
    } catch (cause) {
      throw new AdapterDependencyError(cls.name, adapted + i, String(id), { cause });
    }
  });
}

/**
 * Builds the invoker of a factory registered for `arity` adapted objects.
 * `context` gives the container and a generation that changes when utilities change.
 */
export function invokerFor(
  factory: AdapterFactory,
  arity: number,
  context: { readonly container: Container; readonly utilitiesGeneration: number },
): { call: Invoker; call1: Invoker1 } {
  // Two adapted objects (the usual multi-adapter) are passed without a spread: a spread call
  // allocates and iterates, and cost queryMultiAdapter about a quarter of its time (bench/adapt.ts).
  if (!isClass(factory)) {
    const f = factory as (...adapted: unknown[]) => unknown;
    return {
      call: arity === 2 ? (objects) => f(objects[0], objects[1]) : (objects) => f(...objects),
      call1: (object) => f(object),
    };
  }
  const Cls = factory as new (...args: unknown[]) => unknown;
  const params = injectedParameters(Cls, arity);
  if (!params || params.length === 0) {
    return {
      call: arity === 2 ? (objects) => new Cls(objects[0], objects[1]) : (objects) => new Cls(...objects),
      call1: (object) => new Cls(object),
    };
  }
  let deps: unknown[] | undefined;
  let generation = -1;
  const dependencies = (): unknown[] => {
    if (deps === undefined || generation !== context.utilitiesGeneration) {
      deps = resolveAll(Cls, params, arity, context.container);
      generation = context.utilitiesGeneration;
    }
    return deps;
  };
  return {
    call: (objects) => new Cls(...objects, ...dependencies()),
    call1: (object) => new Cls(object, ...dependencies()),
  };
}
