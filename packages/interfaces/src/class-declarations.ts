/**
 * The rest of zope.interface's class declarations: `@implementerOnly` (the decorator form of
 * `classImplementsOnly`), `classImplementsFirst`, and `@provider` / `classProvides`, which
 * declare what a class object itself provides (its instances don't).
 */
import { classImplementsOnly, implementedBy, interfacesIn } from './declarations.js';
import { InvalidDeclarationTargetError, NotAnInterfaceError } from './errors.js';
import { directlyProvides } from './provides.js';
import { isInterface } from './spec.js';
import type { ClassDeclarator, Implements } from './declarations.js';
import type { InterfaceSpec } from './interface.js';

/**
 * Class decorator declaring that instances provide exactly `ifaces`, dropping what base classes
 * declared (zope's `@implementer_only`). Legacy and standard decorator forms.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) at decoration for a non-interface.
 * @throws InvalidDeclarationTargetError (`DT_IFACE_INVALID_TARGET`) on anything but a class: a
 * function without a prototype (an arrow, a method) has no inherited declarations to drop.
 * @example
 * ```ts
 * @implementerOnly(ISpecialCounter)
 * class SpecialCounter extends Counter {}
 * ```
 */
export function implementerOnly(...ifaces: readonly InterfaceSpec<unknown>[]): ClassDeclarator {
  const list = interfacesIn('@implementerOnly()', ifaces);
  return (target) => {
    const proto = typeof target === 'function' ? (target as { prototype?: unknown }).prototype : undefined;
    if (proto === null || typeof proto !== 'object') throw new InvalidDeclarationTargetError('@implementerOnly()', target, 'a class');
    classImplementsOnly(target, ...list);
  };
}

/**
 * Declares that instances of `cls` provide `iface` before everything else they provide, so an
 * adapter registered for `iface` wins over those for the class's other interfaces. Nothing
 * changes when they already provide it (zope's `classImplementsFirst`).
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) when `iface` is not an interface.
 * @throws InvalidDeclarationTargetError (`DT_IFACE_INVALID_TARGET`) when `cls` is not a function.
 * @example
 * ```ts
 * classImplementsFirst(Counter, IPersistentCounter);
 * ```
 */
export function classImplementsFirst(cls: unknown, iface: InterfaceSpec<unknown>): void {
  if (!isInterface(iface)) throw new NotAnInterfaceError('classImplementsFirst()', iface);
  if (typeof cls !== 'function') throw new InvalidDeclarationTargetError('classImplementsFirst()', cls, 'a class or a factory function');
  // implementedBy answers with the class's own Implements declaration.
  const decl = implementedBy(cls) as Implements;
  if (decl.implied.has(iface)) return;
  decl.declared = [iface, ...decl.declared];
  decl.update();
}

/**
 * Declares that the class (or function) `cls` itself provides `ifaces`, replacing what it
 * provided directly before; its instances and subclasses don't (zope's `classProvides`, the
 * `directlyProvides` of a class). Used for classes that are utilities or factories.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) for anything that is not an interface.
 * @throws InvalidDeclarationTargetError (`DT_IFACE_INVALID_TARGET`) when `cls` is not a function.
 * @example
 * ```ts
 * classProvides(SqliteStore, IStoreFactory);
 * IStoreFactory.providedBy(SqliteStore); // true
 * ```
 */
export function classProvides(cls: unknown, ...ifaces: readonly InterfaceSpec<unknown>[]): void {
  if (typeof cls !== 'function') throw new InvalidDeclarationTargetError('classProvides()', cls, 'a class or a function');
  directlyProvides(cls, ...interfacesIn('classProvides()', ifaces));
}

/**
 * Class decorator: the class object itself provides `ifaces` (zope's `@provider`); see
 * {@link classProvides}. Legacy and standard decorator forms, and a plain call on a function.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) at decoration for a non-interface.
 * @example
 * ```ts
 * @provider(IStoreFactory)
 * class SqliteStore { static open(path: string) { … } }
 * ```
 */
export function provider(...ifaces: readonly InterfaceSpec<unknown>[]): ClassDeclarator {
  const list = interfacesIn('@provider()', ifaces);
  return (target) => {
    classProvides(target, ...list);
  };
}
