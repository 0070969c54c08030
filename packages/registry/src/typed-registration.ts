/**
 * The compile-time side of registration: the factory type a `registerAdapter(factory, required,
 * provided)` call demands, computed from what `required` promises about the adapted objects and
 * what `provided` promises about the adapter. A factory whose instances lack the provided type's
 * members, or whose parameters can't take the adapted objects, does not compile.
 *
 * Each step has a name, so that the compiler's message reads
 * `… is not assignable to parameter of type 'AdapterFactoryFor<[Session], Counter>'`.
 */
import type { InterfaceSpec } from '@dovetail/interfaces';

/**
 * What one required spec promises about the object adapted: a class, its instances; a typed
 * interface, its type. `null`, `Interface`, an untyped interface, a declaration, and a spec
 * whose type is only `RequiredSpec` promise nothing the compiler can use (`never`, which any
 * parameter accepts).
 */
export type Adapted<R> =
  R extends InterfaceSpec<infer U>
    ? Promised<U>
    : R extends abstract new (...args: never[]) => infer I
      ? Promised<I>
      : never;

/** `T`, unless it is `unknown`: a type that says nothing promises nothing. */
type Promised<T> = unknown extends T ? never : T;

/**
 * What a factory registered for `R` is called with: one adapted object for a single spec, one
 * per element for a tuple of specs (a multi-adapter). An array whose length the compiler does
 * not know promises nothing.
 */
export type AdaptedAll<R> = R extends readonly unknown[]
  ? number extends R['length']
    ? never[]
    : { -readonly [K in keyof R]: Adapted<R[K]> }
  : [Adapted<R>];

/**
 * The type an adapter for `P` must have: the provided interface's type, or for a tuple of
 * interfaces every one of them (an adapter registered for several interfaces serves each).
 */
export type ProvidedType<P> =
  P extends InterfaceSpec<infer T>
    ? T
    : P extends readonly [infer First, ...infer Rest]
      ? ProvidedType<First> & ProvidedType<Rest>
      : unknown;

/**
 * A factory that takes the adapted objects `A` as its first arguments (an `@injectable()` class
 * may take more, from the registry's container) and makes a `T`: a class, or a function that
 * may also return null or undefined for "no adapter".
 */
export type AdapterFactoryFor<A extends readonly unknown[], T> =
  | (new (...adapted: [...A, ...never[]]) => T)
  | ((...adapted: [...A, ...never[]]) => T | null | undefined);

/** A handler taking the objects `A` (the required specs' promises) as its first arguments. */
export type HandlerFor<A extends readonly unknown[]> = (...objects: [...A, ...never[]]) => unknown;
