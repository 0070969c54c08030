/**
 * Declaring interfaces: `defineInterface`, `Attribute`, `Method`, and the methods and call every
 * interface shares (the root `Interface` itself is made in spec.ts and completed here).
 *
 * An interface is a callable object: `ICounter(obj)` adapts (see adapt.ts), and the same object
 * carries the interface's name, bases, members and resolution order. Interfaces are immutable
 * once defined, so their order (`iro`) and the set of everything they extend (`implied`) are
 * computed once, and `extends()` is one `Set.has`.
 */
import { adapt, adaptOr } from './adapt.js';
import { implementedBy } from './declarations.js';
import {
  CyclicInterfaceError,
  InterfaceRedefinitionError,
  InvalidInterfaceNameError,
  NotAnInterfaceError,
} from './errors.js';
import { providedBy } from './provides.js';
import { c3 } from './resolution-order.js';
import { completeRoot, defined, Interface, isInterface, kSpecKind } from './spec.js';
import type { Declaration } from './declarations.js';

/**
 * The key an interface is bound under in an inversify container: `Symbol.for('dovetail:' + name)`,
 * typed so that `container.get(I.id)` returns `T` (the shape of inversify's `ServiceIdentifier<T>`).
 */
export type InterfaceId<T> =
  | symbol
  | (abstract new (...args: never[]) => T);

/** A described member of an interface: an attribute or a method. */
export interface MemberDescription {
  /** `'attribute'` or `'method'`. */
  readonly kind: 'attribute' | 'method';
  /** What the member means. */
  readonly doc: string;
  /** For methods: the names of the required parameters, checked by `verifyObject` by count (absent: not checked). */
  readonly params?: readonly string[];
}

/**
 * Describes an attribute of an interface.
 *
 * @example
 * ```ts
 * defineInterface<Counter>('myapp.ICounter', { members: { value: Attribute('Counts page views') } });
 * ```
 */
export function Attribute(doc = ''): MemberDescription {
  return Object.freeze({ kind: 'attribute', doc });
}

/**
 * Describes a method of an interface; `params` lists its required parameters.
 *
 * @example
 * ```ts
 * defineInterface<Greeter>('myapp.IGreeter', { members: { greet: Method('Say hello', { params: ['name'] }) } });
 * ```
 */
export function Method(doc = '', options: { params?: readonly string[] } = {}): MemberDescription {
  // Without `params` the arity is unknown and `verifyObject` does not check it.
  if (options.params === undefined) return Object.freeze({ kind: 'method', doc });
  return Object.freeze({ kind: 'method', doc, params: Object.freeze([...options.params]) });
}

/** Options of {@link defineInterface}. */
export interface InterfaceOptions {
  /** What the interface is for. @default '' */
  readonly doc?: string;
  /** Its members, by name. @default {} */
  readonly members?: Readonly<Record<string, MemberDescription>>;
  /** Interfaces it extends; `Interface` is always implied. @default [] */
  readonly extends?: readonly InterfaceSpec<unknown>[];
}

/**
 * An interface that exists at run time. Calling it adapts: `I(obj)` returns something that
 * provides `I` or throws `AdaptationError`; `I(obj, fallback)` returns `fallback` instead.
 */
export interface InterfaceSpec<T = unknown> {
  /** Adapts `obj` to this interface. @throws AdaptationError (`DT_IFACE_COULD_NOT_ADAPT`) */
  (obj: unknown): T;
  /** Adapts `obj`, or returns `fallback` when nothing adapts it. */
  <F>(obj: unknown, fallback: F): T | F;
  /** `Symbol.for('dovetail:' + name)`: the key of this interface in an inversify container. */
  readonly id: InterfaceId<T>;
  /** The dotted, package-qualified name. */
  readonly name: string;
  /** What the interface is for. */
  readonly doc: string;
  /** The interfaces it directly extends. */
  readonly bases: readonly InterfaceSpec<unknown>[];
  /** C3 resolution order: itself first, `Interface` last. */
  readonly iro: readonly InterfaceSpec<unknown>[];
  /** Same as `iro` (an interface's specification order holds only interfaces). */
  readonly sro: readonly InterfaceSpec<unknown>[];
  /** Everything this interface is or extends, for one-lookup `isOrExtends`. */
  readonly implied: ReadonlySet<Spec>;
  /** True when this interface extends `other` (or is it, when `strict` is false). */
  extends(other: Spec, strict?: boolean): boolean;
  /** True when this interface is `other` or extends it. */
  isOrExtends(other: Spec): boolean;
  /** True when `obj` provides this interface (a type guard). */
  providedBy(obj: unknown): obj is T;
  /** True when instances of `cls` provide this interface. */
  implementedBy(cls: unknown): boolean;
  /** Names of its own members, or of all members including inherited ones. */
  names(all?: boolean): string[];
  /** The description of a member, looked up along `iro`. */
  get(name: string): MemberDescription | undefined;
  /** The members this interface declares itself. */
  readonly members: Readonly<Record<string, MemberDescription>>;
  /** Phantom: carries `T` for type inference only; always undefined at run time. */
  readonly __type?: T;
}

/** Anything with a resolution order: an interface, or a declaration of a class or an object. */
export type Spec = InterfaceSpec<unknown> | Declaration;

const NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;

const methods = {
  extends(this: InterfaceSpec<unknown>, other: Spec, strict = true): boolean {
    return this.implied.has(other) && (!strict || other !== this);
  },
  isOrExtends(this: InterfaceSpec<unknown>, other: Spec): boolean {
    return this.implied.has(other);
  },
  providedBy(this: InterfaceSpec<unknown>, obj: unknown): boolean {
    return providedBy(obj).implied.has(this);
  },
  implementedBy(this: InterfaceSpec<unknown>, cls: unknown): boolean {
    return implementedBy(cls).implied.has(this);
  },
  names(this: InterfaceSpec<unknown>, all = false): string[] {
    if (!all) return Object.keys(this.members);
    const seen = new Set<string>();
    for (const i of this.iro) for (const n of Object.keys(i.members)) seen.add(n);
    return [...seen];
  },
  get(this: InterfaceSpec<unknown>, name: string): MemberDescription | undefined {
    for (const i of this.iro) if (Object.hasOwn(i.members, name)) return i.members[name];
    return undefined;
  },
  toString(this: InterfaceSpec<unknown>): string {
    return `<Interface ${this.name}>`;
  },
};

// Interfaces are functions whose prototype carries the shared methods.
const interfacePrototype = Object.create(Function.prototype, Object.getOwnPropertyDescriptors(methods)) as object;
Object.defineProperty(interfacePrototype, kSpecKind, { value: 'interface' });
// A load-time effect on the root made in spec.ts: package.json lists this module in sideEffects.
completeRoot(interfacePrototype, adapt, adaptOr);

function make<T>(name: string, doc: string, bases: readonly InterfaceSpec<unknown>[], members: Record<string, MemberDescription>): InterfaceSpec<T> {
  const spec = function (this: unknown, obj: unknown, fallback?: unknown): unknown {
    return arguments.length > 1 ? adaptOr(spec, obj, fallback) : adapt(spec, obj);
  } as unknown as InterfaceSpec<T> & { -readonly [K in keyof InterfaceSpec<T>]: InterfaceSpec<T>[K] };
  Object.setPrototypeOf(spec, interfacePrototype);
  Object.defineProperty(spec, 'name', { value: name });
  const iro = orderOf(spec as InterfaceSpec<unknown>, bases);
  Object.defineProperties(spec, {
    id: { value: Symbol.for(`dovetail:${name}`), enumerable: true },
    doc: { value: doc, enumerable: true },
    bases: { value: Object.freeze(bases.slice()), enumerable: true },
    members: { value: Object.freeze({ ...members }), enumerable: true },
    iro: { value: Object.freeze(iro), enumerable: true },
    sro: { value: Object.freeze(iro), enumerable: true },
    implied: { value: new Set<Spec>(iro), enumerable: true },
  });
  return spec;
}

function orderOf(spec: InterfaceSpec<unknown>, bases: readonly InterfaceSpec<unknown>[]): InterfaceSpec<unknown>[] {
  const effective = bases.length === 0 ? [Interface] : bases;
  const order = c3<InterfaceSpec<unknown>>(spec, effective, (b) => b.iro, (b) => b.name);
  // zope forces the root last, so an adapter registered for Interface is always the least specific.
  const i = order.indexOf(Interface);
  if (i !== order.length - 1) {
    order.splice(i, 1);
    order.push(Interface);
  }
  return order;
}

/**
 * Defines an interface, or returns the one already defined under `name` with the same shape.
 *
 * @throws InvalidInterfaceNameError (`DT_IFACE_INVALID_NAME`) for a name that is not dotted.
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) when a base is not an interface.
 * @throws InterfaceRedefinitionError (`DT_IFACE_REDEFINED`) when `name` has another shape.
 * @throws InconsistentResolutionOrderError (`DT_IFACE_INCONSISTENT_ORDER`) for bases with no C3 order.
 * @example
 * ```ts
 * interface Counter { value: number }
 * export const ICounter = defineInterface<Counter>('myapp.ICounter', {
 *   members: { value: Attribute('An int value which counts up once per page view.') },
 * });
 * ```
 * @see docs/guide/interfaces-and-adapters.md
 */
export function defineInterface<T>(name: string, options: InterfaceOptions = {}): InterfaceSpec<T> {
  if (typeof name !== 'string' || !NAME.test(name)) throw new InvalidInterfaceNameError(name);
  const bases: readonly InterfaceSpec<unknown>[] = options.extends ?? [];
  if (!Array.isArray(bases)) throw new NotAnInterfaceError(`defineInterface('${name}') option 'extends'`, bases);
  for (const b of bases) if (!isInterface(b)) throw new NotAnInterfaceError(`defineInterface('${name}') option 'extends'`, b);
  // Only interfaces defined before can be bases, so a cycle can only come through a name.
  if (bases.some((b: InterfaceSpec<unknown>) => b.iro.some((i) => i.name === name))) throw new CyclicInterfaceError(name);
  const members = options.members ?? {};
  const existing = defined.get(name);
  if (existing) {
    const difference = shapeDifference(existing, bases, members);
    if (difference) throw new InterfaceRedefinitionError(name, difference);
    return existing as InterfaceSpec<T>;
  }
  const spec = make<T>(name, options.doc ?? '', bases, members);
  defined.set(name, spec as InterfaceSpec<unknown>);
  return spec;
}

function shapeDifference(existing: InterfaceSpec<unknown>, bases: readonly InterfaceSpec<unknown>[], members: Record<string, MemberDescription>): string {
  const was = existing.bases.map((b) => b.name).join(', ');
  const now = bases.map((b) => b.name).join(', ');
  if (was !== now) return `bases were [${was}], now [${now}]`;
  const a = memberShape(existing.members);
  const b = memberShape(members);
  return a === b ? '' : `members were {${a}}, now {${b}}`;
}

function memberShape(members: Readonly<Record<string, MemberDescription>>): string {
  return Object.keys(members)
    .sort()
    .map((k) => {
      const m = members[k]!;
      return m.kind === 'method' ? `${k}(${(m.params ?? []).join(', ')})` : k;
    })
    .join(', ');
}

/**
 * The interface defined under `name`, if any (interfaces are unique per name in a process).
 *
 * @example
 * ```ts
 * interfaceNamed('myapp.ICounter') === ICounter; // true
 * ```
 */
export function interfaceNamed(name: string): InterfaceSpec<unknown> | undefined {
  return defined.get(name);
}
