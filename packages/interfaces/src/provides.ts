/**
 * What objects provide: `providedBy`, `directlyProvides`, `alsoProvides`, `noLongerProvides`,
 * `directlyProvidedBy`, over the class declarations of declarations.ts.
 *
 * `providedBy(obj)` for an ordinary instance is two property loads and a prototype check (see
 * declarations.ts). Per-instance declarations (`Provides`) are interned by (prototype,
 * interfaces), as zope's `Provides()` is, so that lookup caches keyed by declaration keep
 * hitting and stay bounded.
 */
import { DirectDeclaration, implementsFor, interfacesIn, nothing, Provides } from './declarations.js';
import { describe, InvalidDeclarationTargetError, NotAnInterfaceError, StillProvidedError } from './errors.js';
import { isInterface, kImplements, kProvides } from './spec.js';
import type { Declaration, Implements } from './declarations.js';
import type { InterfaceSpec } from './interface.js';

const interned = new WeakMap<Implements, Map<string, WeakRef<Provides>>>();
const forget = new FinalizationRegistry<{ cls: Implements; key: string }>(({ cls, key }) => {
  const byKey = interned.get(cls);
  if (byKey && !byKey.get(key)?.deref()) byKey.delete(key);
});

function intern(cls: Implements, direct: readonly InterfaceSpec<unknown>[]): Provides {
  const key = direct.map((i) => i.name).join('\0');
  let byKey = interned.get(cls);
  if (!byKey) interned.set(cls, (byKey = new Map()));
  const found = byKey.get(key)?.deref();
  if (found) return found;
  const decl = new Provides(direct, cls);
  byKey.set(key, new WeakRef(decl));
  forget.register(decl, { cls, key });
  return decl;
}

// Objects that cannot take or change the property (frozen, sealed, non-extensible) keep their
// declarations here; `null` overrides a stale property: nothing is provided directly.
const frozenProvides = new WeakMap<object, Provides | null>();
let anyFrozenProvides = false;

const primitives: Record<string, object> = {
  string: String.prototype,
  number: Number.prototype,
  boolean: Boolean.prototype,
  bigint: BigInt.prototype,
  symbol: Symbol.prototype,
};

/**
 * The declaration of what `obj` provides: its own declaration if it has one, else its class's.
 * Never throws: primitives get their wrapper class's declaration, `null` and `undefined` one
 * that provides only `Interface`.
 *
 * @example
 * ```ts
 * providedBy(counter).isOrExtends(ICounter);
 * ```
 */
export function providedBy(obj: unknown): Declaration {
  if (obj === null || obj === undefined) return nothing;
  if (typeof obj !== 'object' && typeof obj !== 'function') return implementsFor(primitives[typeof obj]!);
  if (anyFrozenProvides) {
    const frozen = frozenProvides.get(obj);
    if (frozen !== undefined) return frozen ?? classOfObject(obj);
  }
  const proto = Object.getPrototypeOf(obj) as object | null;
  const own = (obj as { [kProvides]?: Provides })[kProvides];
  if (own !== undefined && own.proto === proto) return own;
  const cls = (obj as { [kImplements]?: Implements })[kImplements];
  if (cls !== undefined && cls.proto === proto) return cls;
  return proto === null ? nothing : implementsFor(proto);
}

function classOfObject(obj: object): Implements {
  const proto = Object.getPrototypeOf(obj) as object | null;
  return proto === null ? nothing : implementsFor(proto);
}

function ownProvides(obj: object): Provides | undefined {
  if (anyFrozenProvides) {
    const frozen = frozenProvides.get(obj);
    if (frozen !== undefined) return frozen ?? undefined;
  }
  const proto = Object.getPrototypeOf(obj) as object | null;
  const own = Object.hasOwn(obj, kProvides) ? (obj as { [kProvides]?: Provides })[kProvides] : undefined;
  return own !== undefined && own.proto === proto ? own : undefined;
}

/** Records what `o` provides directly (`undefined`: nothing), on the object when it can take it. */
function setOwnProvides(o: object, decl: Provides | undefined): void {
  const property = Object.getOwnPropertyDescriptor(o, kProvides);
  if (property?.configurable && decl === undefined) {
    delete (o as { [kProvides]?: Provides })[kProvides];
    frozenProvides.delete(o);
  } else if (property?.writable) {
    // A sealed object keeps a writable property.
    (o as { [kProvides]?: Provides })[kProvides] = decl;
    frozenProvides.delete(o);
  } else if (property === undefined && (decl === undefined || Object.isExtensible(o))) {
    if (decl) Object.defineProperty(o, kProvides, { value: decl, writable: true, configurable: true, enumerable: false });
    frozenProvides.delete(o);
  } else {
    // Frozen or non-extensible: keep it on the side, overriding any stale property.
    frozenProvides.set(o, decl ?? null);
    anyFrozenProvides = true;
  }
}

function target(where: string, obj: unknown): object {
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
    throw new InvalidDeclarationTargetError(where, obj, 'an object or a class (primitives cannot carry declarations)');
  }
  return obj;
}

/**
 * Declares that `obj` itself provides exactly `ifaces` (replacing earlier direct declarations),
 * in addition to what its class implements.
 *
 * @throws InvalidDeclarationTargetError (`DT_IFACE_INVALID_TARGET`) for a primitive.
 * @example
 * ```ts
 * directlyProvides(request, IAdminRequest);
 * ```
 */
export function directlyProvides(obj: unknown, ...ifaces: readonly (InterfaceSpec<unknown> | Declaration)[]): void {
  const o = target('directlyProvides()', obj);
  const list = [...new Set(interfacesIn('directlyProvides()', ifaces))];
  setOwnProvides(o, list.length === 0 ? undefined : intern(classOfObject(o), list));
}

/**
 * Declares that `obj` provides `ifaces` as well as what it already provides directly.
 *
 * @example
 * ```ts
 * alsoProvides(session, IAuthenticated);
 * ```
 */
export function alsoProvides(obj: unknown, ...ifaces: readonly InterfaceSpec<unknown>[]): void {
  const o = target('alsoProvides()', obj);
  directlyProvides(o, ...(ownProvides(o)?.direct ?? []), ...ifaces);
}

/**
 * Removes `iface` from what `obj` directly provides.
 *
 * @throws StillProvidedError (`DT_IFACE_STILL_PROVIDED`) when `obj` still provides `iface`
 * through its class (the direct declaration is removed all the same, as in zope).
 * @example
 * ```ts
 * noLongerProvides(session, IAuthenticated);
 * ```
 */
export function noLongerProvides(obj: unknown, iface: InterfaceSpec<unknown>): void {
  const o = target('noLongerProvides()', obj);
  if (!isInterface(iface)) throw new NotAnInterfaceError('noLongerProvides()', iface);
  directlyProvides(o, ...(ownProvides(o)?.direct ?? []).filter((i) => i !== iface));
  if (iface.providedBy(o)) throw new StillProvidedError(iface.name, describe(o));
}

/**
 * What `obj` provides directly, without what its class implements.
 *
 * @example
 * ```ts
 * directlyProvidedBy(session).interfaces(); // [IAuthenticated]
 * ```
 */
export function directlyProvidedBy(obj: unknown): Declaration {
  const own = obj !== null && (typeof obj === 'object' || typeof obj === 'function') ? ownProvides(obj) : undefined;
  return new DirectDeclaration(own?.direct ?? []);
}
