/**
 * The leaf of @dovetail/interfaces: what every other module of the package needs to recognise
 * an interface and find a declaration, with no imports of its own. The root `Interface` is
 * made here because every declaration orders itself against it from its first moment
 * (declarations.ts builds the declaration of `null` when it loads), before interface.ts, which
 * makes the other interfaces, has run.
 *
 * The symbols are `Symbol.for` keys, and the table of defined interfaces lives on
 * `globalThis`, so that two copies of this package in one process agree on everything.
 */
import type { InterfaceSpec, Spec } from './interface.js';

/** The property whose value is `'interface'` on every interface (its prototype's, or the root's own). */
export const kSpecKind = Symbol.for('dovetail:spec-kind');
/** Where a prototype keeps the declaration of its objects (`Implements`). */
export const kImplements = Symbol.for('dovetail:implements');
/** Where an object keeps what it provides directly (`Provides`). */
export const kProvides = Symbol.for('dovetail:provides');

/** True when `value` is an interface made by `defineInterface` (or the root `Interface`). */
export function isInterface(value: unknown): value is InterfaceSpec<unknown> {
  return typeof value === 'function' && (value as unknown as { [kSpecKind]?: string })[kSpecKind] === 'interface';
}

const tableKey = Symbol.for('dovetail:interfaces');
const globalStore = globalThis as typeof globalThis & { [tableKey]?: Map<string, InterfaceSpec<unknown>> };
/** Every interface defined in this process, by name. */
export const defined: Map<string, InterfaceSpec<unknown>> = (globalStore[tableKey] ??= new Map());

/** adapt.ts's `adapt` (`I(obj)`) and `adaptOr` (`I(obj, fallback)`). */
type Adapt = (iface: InterfaceSpec<unknown>, obj: unknown) => unknown;
type AdaptOr = (iface: InterfaceSpec<unknown>, obj: unknown, fallback: unknown) => unknown;

// The root's call goes through these slots, which interface.ts fills from adapt.ts (that module
// sits above the declarations, which need the root first). Only `Interface(obj)` pays the
// indirection; every other interface calls adapt.ts directly.
let rootAdapt: Adapt | undefined;
let rootAdaptOr: AdaptOr | undefined;

const ROOT_NAME = 'dovetail.interfaces.Interface';

function makeRoot(): InterfaceSpec<unknown> {
  const root = function (obj: unknown, fallback?: unknown): unknown {
    const self = root as unknown as InterfaceSpec<unknown>;
    return arguments.length > 1 ? rootAdaptOr!(self, obj, fallback) : rootAdapt!(self, obj);
  };
  const iro = Object.freeze([root as unknown as InterfaceSpec<unknown>]);
  Object.defineProperty(root, 'name', { value: ROOT_NAME });
  Object.defineProperties(root, {
    [kSpecKind]: { value: 'interface' },
    id: { value: Symbol.for(`dovetail:${ROOT_NAME}`), enumerable: true },
    doc: { value: 'The root of all interfaces.', enumerable: true },
    bases: { value: Object.freeze([]), enumerable: true },
    members: { value: Object.freeze({}), enumerable: true },
    iro: { value: iro, enumerable: true },
    sro: { value: iro, enumerable: true },
    implied: { value: new Set<Spec>(iro), enumerable: true },
  });
  return root as unknown as InterfaceSpec<unknown>;
}

const existingRoot = defined.get(ROOT_NAME);
/** The root interface: every interface extends it and every value provides it. */
export const Interface: InterfaceSpec<unknown> = existingRoot ?? makeRoot();
defined.set(ROOT_NAME, Interface);

/**
 * Gives the root made here its methods (the prototype every interface shares) and its call.
 * A root made by another copy of this package keeps that copy's, which behave the same.
 */
export function completeRoot(prototype: object, adapt: Adapt, adaptOr: AdaptOr): void {
  if (existingRoot) return;
  Object.setPrototypeOf(Interface, prototype);
  rootAdapt = adapt;
  rootAdaptOr = adaptOr;
}
