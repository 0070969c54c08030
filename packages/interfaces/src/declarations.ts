/**
 * Declarations and what classes implement: the `Declaration` classes (`Implements` for a class,
 * `Provides` for one object), `implementer`, `classImplements`, `classImplementsOnly`,
 * `implementedBy`. What objects provide (`providedBy` and the rest) is in provides.ts, above this
 * module; interfaces (interface.ts) are above both, so that this module needs only spec.ts to
 * recognise an interface and order against the root.
 *
 * A class's declaration (`Implements`) is kept on its prototype under a private symbol, so
 * `providedBy(obj)` for an ordinary instance is two property loads and a prototype check:
 * instances find their class's declaration through the prototype chain, and a declaration
 * found for the wrong prototype (inherited from a base class) is caught by comparing `proto`.
 */
import { InvalidDeclarationTargetError, NotAnInterfaceError } from './errors.js';
import { c3 } from './resolution-order.js';
import { Interface, isInterface, kImplements } from './spec.js';
import type { InterfaceSpec, Spec } from './interface.js';

/**
 * Bumped whenever an existing declaration changes (`classImplements` and friends), so that
 * lookup caches keyed by declarations know to start over.
 */
export const declarationChanges = {
  /** Bumped by every change to an existing declaration. */
  epoch: 0,
};

/**
 * A specification of what a class's instances (`Implements`) or one object (`Provides`)
 * provide, with its resolution orders. Returned by `implementedBy` and `providedBy`.
 */
export class Declaration {
  /** Interfaces and declarations this one is built from, most specific first. */
  bases: readonly Spec[] = [];
  /** Specification resolution order: declarations interleaved with interfaces (zope's `__sro__`). */
  sro: readonly Spec[] = [];
  /** The interfaces of `sro`, in order, `Interface` last. */
  iro: readonly InterfaceSpec<unknown>[] = [];
  /** Everything in `sro`: `isOrExtends` is one lookup. */
  implied: ReadonlySet<Spec> = new Set();
  #dependents: Set<WeakRef<Declaration>> | null = null;

  /**
   * @param label - how the declaration reads in messages, e.g. `implementedBy(Counter)`.
   * @param proto - the prototype of the objects it describes (`null` for none).
   */
  constructor(
    readonly label: string,
    readonly proto: object | null,
  ) {}

  /** True when the declaration is `spec` or extends it. */
  isOrExtends(spec: Spec): boolean {
    return this.implied.has(spec);
  }

  /** The interfaces declared, here or in the declarations it is built from (not their bases). */
  interfaces(): InterfaceSpec<unknown>[] {
    const out: InterfaceSpec<unknown>[] = [];
    const seen = new Set<Spec>();
    const walk = (spec: Spec): void => {
      if (isInterface(spec)) {
        if (!seen.has(spec)) {
          seen.add(spec);
          out.push(spec);
        }
      } else for (const b of spec.bases) walk(b);
    };
    for (const b of this.bases) walk(b);
    return out;
  }

  /** Sets the bases and recomputes the orders of this declaration and of those built on it. */
  protected setBases(bases: readonly Spec[]): void {
    for (const old of this.bases) if (old instanceof Declaration && !bases.includes(old)) old.#unsubscribe(this);
    for (const b of bases) if (b instanceof Declaration && !this.bases.includes(b)) b.#subscribe(this);
    this.bases = bases;
    this.changed();
  }

  /** Recomputes `sro`, `iro`, `implied` here and in every dependent declaration. */
  changed(): void {
    // The root goes last whatever the bases say (zope forces it there too), so it is left out of
    // the merge: a class declaring Interface itself, ahead of its base class, stays consistent.
    const sro = c3<Spec>(this, withoutRoot(this.bases), (b) => withoutRoot(b.sro), labelOf);
    sro.push(Interface);
    // A new declaration is a new cache key: only a change to an existing one bumps the epoch.
    if (this.sro.length > 0) declarationChanges.epoch++;
    this.sro = Object.freeze(sro);
    this.iro = Object.freeze(sro.filter(isInterface));
    this.implied = new Set(sro);
    if (this.#dependents) {
      for (const ref of this.#dependents) {
        const d = ref.deref();
        if (d) d.changed();
        else this.#dependents.delete(ref);
      }
    }
  }

  #subscribe(dependent: Declaration): void {
    (this.#dependents ??= new Set()).add(new WeakRef(dependent));
  }

  #unsubscribe(dependent: Declaration): void {
    if (!this.#dependents) return;
    for (const ref of this.#dependents) if (ref.deref() === dependent) this.#dependents.delete(ref);
  }

  /** @returns the label, e.g. `implementedBy(Counter)`. */
  toString(): string {
    return this.label;
  }
}

function withoutRoot(specs: readonly Spec[]): readonly Spec[] {
  return specs.includes(Interface) ? specs.filter((s) => s !== Interface) : specs;
}

function labelOf(spec: Spec): string {
  return isInterface(spec) ? spec.name : spec.label;
}

/** The declaration of a class (or of the objects sharing one prototype). */
export class Implements extends Declaration {
  declared: InterfaceSpec<unknown>[] = [];
  inherit = true;
  constructor(label: string, proto: object | null, readonly parent: Implements | null) {
    super(label, proto);
    this.update();
  }
  update(): void {
    this.setBases(this.inherit && this.parent ? [...this.declared, this.parent] : [...this.declared]);
  }
}

/** The declaration of one object: what it provides directly, then what its class implements. */
export class Provides extends Declaration {
  constructor(readonly direct: readonly InterfaceSpec<unknown>[], readonly cls: Implements) {
    super(`providedBy(${cls.label.replace(/^implementedBy\((.*)\)$/, '$1')} instance + ${direct.map((i) => i.name).join(', ')})`, cls.proto);
    this.setBases(this.#wanted());
  }
  // Interfaces the class already implements add nothing but order conflicts; the class may
  // come to implement one later (classImplements), so this is recomputed on every change.
  #wanted(): Spec[] {
    return [...this.direct.filter((i) => !this.cls.implied.has(i)), this.cls];
  }
  override changed(): void {
    const wanted = this.#wanted();
    if (wanted.length !== this.bases.length || wanted.some((b, i) => b !== this.bases[i])) this.setBases(wanted);
    else super.changed();
  }
}

/** What one object provides directly, without its class: `directlyProvidedBy`'s answer. */
export class DirectDeclaration extends Declaration {
  constructor(direct: readonly InterfaceSpec<unknown>[]) {
    super(`directlyProvidedBy(${direct.map((i) => i.name).join(', ')})`, null);
    this.setBases(direct);
  }
}

// ---------------------------------------------------------------------------------------------
// Class declarations, kept on prototypes

// Prototypes we must not write to (built-ins, frozen objects) keep their declarations here.
const sideTable = new WeakMap<object, Implements>();
/** The declaration of `null`, `undefined` and null-prototype objects: only `Interface`. */
export const nothing: Implements = new Implements('implementedBy(null)', null, null);
const bareFunctions = new WeakMap<object, Implements>();

function nameOf(proto: object): string {
  const ctor = Object.hasOwn(proto, 'constructor') ? (proto as { constructor?: unknown }).constructor : undefined;
  if (typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === proto) return ctor.name || '(anonymous class)';
  return 'an object prototype';
}

function isBuiltin(proto: object): boolean {
  const ctor = Object.hasOwn(proto, 'constructor') ? (proto as { constructor?: unknown }).constructor : undefined;
  return typeof ctor === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(ctor));
}

/** The declaration for objects whose prototype is `proto`, created on first use. */
export function implementsFor(proto: object): Implements {
  if (Object.hasOwn(proto, kImplements)) {
    const own = (proto as { [kImplements]?: Implements })[kImplements];
    if (own && own.proto === proto) return own;
  }
  const side = sideTable.get(proto);
  if (side) return side;
  const parentProto = Object.getPrototypeOf(proto) as object | null;
  const parent = parentProto === null ? null : implementsFor(parentProto);
  const decl = new Implements(`implementedBy(${nameOf(proto)})`, proto, parent);
  if (isBuiltin(proto) || !Object.isExtensible(proto)) sideTable.set(proto, decl);
  else Object.defineProperty(proto, kImplements, { value: decl, writable: true, configurable: true });
  return decl;
}

function classDeclaration(cls: unknown, where: string): Implements {
  if (typeof cls !== 'function') throw new InvalidDeclarationTargetError(where, cls, 'a class or a factory function');
  const proto = (cls as { prototype?: unknown }).prototype;
  // Function.prototype is itself a function.
  if (proto !== null && (typeof proto === 'object' || typeof proto === 'function')) return implementsFor(proto);
  // Arrow and bound functions have no prototype; they can still be declared factories.
  let decl = bareFunctions.get(cls);
  if (!decl) {
    decl = new Implements(`implementedBy(${cls.name || '(anonymous function)'})`, null, null);
    bareFunctions.set(cls, decl);
  }
  return decl;
}

/**
 * The declaration of what instances of `cls` provide.
 *
 * @throws InvalidDeclarationTargetError (`DT_IFACE_INVALID_TARGET`) when `cls` is not a function.
 * @example
 * ```ts
 * implementedBy(Counter).isOrExtends(ICounter); // true after @implementer(ICounter)
 * ```
 */
export function implementedBy(cls: unknown): Declaration {
  return classDeclaration(cls, 'implementedBy()');
}

/** The interfaces of `specs`, declarations giving theirs; anything else throws at `where`. */
export function interfacesIn(where: string, specs: readonly unknown[]): InterfaceSpec<unknown>[] {
  const out: InterfaceSpec<unknown>[] = [];
  for (const s of specs) {
    if (isInterface(s)) out.push(s);
    else if (s instanceof Declaration) out.push(...s.interfaces());
    else throw new NotAnInterfaceError(where, s);
  }
  return out;
}

/** Adds interfaces the way zope's `classImplements` orders them, so C3 stays consistent. */
function addDeclared(decl: Implements, ifaces: readonly InterfaceSpec<unknown>[]): void {
  const declared = decl.declared.slice();
  for (const iface of ifaces) {
    if (declared.includes(iface)) continue;
    // Already implemented through a base class: adding it again only risks order conflicts.
    // Except the root, declared on its own: zope keeps it, so interfaces() lists it.
    if (decl.inherit && decl.parent?.implied.has(iface) && !(iface === Interface && declared.length === 0)) continue;
    const extended = declared.findIndex((d) => iface.extends(d));
    if (extended >= 0) declared.splice(extended, 0, iface);
    else declared.push(iface);
  }
  decl.declared = declared;
  decl.update();
}

/**
 * Declares that instances of `cls` provide `ifaces`, in addition to what they already provide.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) for anything that is not an interface.
 * @throws InvalidDeclarationTargetError (`DT_IFACE_INVALID_TARGET`) when `cls` is not a function.
 * @example
 * ```ts
 * classImplements(Counter, ICounter);
 * ```
 */
export function classImplements(cls: unknown, ...ifaces: readonly InterfaceSpec<unknown>[]): void {
  const decl = classDeclaration(cls, 'classImplements()');
  addDeclared(decl, interfacesIn('classImplements()', ifaces));
}

/**
 * Declares that instances of `cls` provide exactly `ifaces`: declarations inherited from base
 * classes are dropped.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) for anything that is not an interface.
 * @example
 * ```ts
 * classImplementsOnly(SpecialCounter, ISpecialCounter);
 * ```
 */
export function classImplementsOnly(cls: unknown, ...ifaces: readonly InterfaceSpec<unknown>[]): void {
  const decl = classDeclaration(cls, 'classImplementsOnly()');
  const list = interfacesIn('classImplementsOnly()', ifaces);
  decl.declared = [];
  decl.inherit = false;
  addDeclared(decl, list);
}

/**
 * A class decorator usable both as a legacy (`experimentalDecorators`) and a standard decorator,
 * and as a plain call on a factory function (`implementer(I)(makeThing)`).
 *
 * @typeParam C - the decorated class, or the factory function
 */
export type ClassDeclarator = <C extends (abstract new (...args: never[]) => unknown) | ((...args: never[]) => unknown)>(
  target: C,
  context?: unknown,
) => void;

/**
 * Class decorator declaring that instances provide `ifaces` (zope's `@implementer`). Works with
 * `experimentalDecorators` and with standard decorators, and as a plain call on any function.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) at decoration for a non-interface.
 * @example
 * ```ts
 * @implementer(ICounter)
 * class Counter { value = 0; constructor(_session: Session) {} }
 * ```
 */
export function implementer(...ifaces: readonly InterfaceSpec<unknown>[]): ClassDeclarator {
  const list = interfacesIn('@implementer()', ifaces);
  return (target) => {
    addDeclared(classDeclaration(target, '@implementer()'), list);
  };
}
