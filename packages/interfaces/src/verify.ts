/**
 * Checking that an object or class meets an interface's contract: `verifyObject`, `verifyClass`.
 *
 * As zope.interface since 5.0, every problem is collected and reported at once. TypeScript's
 * `implements` already checks shapes at compile time; this checks what exists at run time:
 * the declaration, the presence of each member, that methods are functions, and their arity.
 */
import { implementedBy } from './declarations.js';
import { BrokenImplementation, describe, NotAnInterfaceError } from './errors.js';
import { providedBy } from './provides.js';
import { isInterface } from './spec.js';
import type { InterfaceSpec } from './interface.js';

/** Options of {@link verifyObject} and {@link verifyClass}. */
export interface VerifyOptions {
  /** Skip the check that the interface is declared (zope's `tentative`). @default false */
  readonly tentative?: boolean;
}

/**
 * Checks that `obj` provides `iface`: declared, every attribute present, every method a
 * function taking no more required parameters than the interface describes.
 *
 * @throws BrokenImplementation (`DT_IFACE_BROKEN_IMPLEMENTATION`) listing every problem.
 * @example
 * ```ts
 * verifyObject(ICounter, new Counter(session)); // true, or throws
 * ```
 */
export function verifyObject<T>(iface: InterfaceSpec<T>, obj: unknown, options: VerifyOptions = {}): obj is T {
  return verify(iface, obj, false, options);
}

/**
 * Checks that instances of `cls` provide `iface`. Attributes are not checked (a constructor
 * may create them); methods are looked up on the prototype.
 *
 * @throws BrokenImplementation (`DT_IFACE_BROKEN_IMPLEMENTATION`) listing every problem.
 * @example
 * ```ts
 * verifyClass(ICounter, Counter);
 * ```
 */
export function verifyClass(iface: InterfaceSpec<unknown>, cls: unknown, options: VerifyOptions = {}): boolean {
  return verify(iface, cls, true, options);
}

function verify(iface: InterfaceSpec<unknown>, candidate: unknown, isClass: boolean, options: VerifyOptions): boolean {
  const where = isClass ? 'verifyClass()' : 'verifyObject()';
  if (!isInterface(iface)) throw new NotAnInterfaceError(where, iface);
  const problems: string[] = [];
  const declared = isClass ? implementedBy(candidate).isOrExtends(iface) : providedBy(candidate).isOrExtends(iface);
  if (!options.tentative && !declared) problems.push(`it does not declare ${iface.name} (use @implementer or alsoProvides)`);
  const holder: unknown = isClass ? (candidate as { prototype?: unknown }).prototype : candidate;
  for (const name of iface.names(true)) {
    const member = iface.get(name)!;
    if (isClass && member.kind === 'attribute') continue;
    const value = holder === null || holder === undefined ? undefined : (holder as Record<string, unknown>)[name];
    if (value === undefined && !(holder !== null && typeof holder === 'object' && name in holder)) {
      problems.push(`the ${member.kind} '${name}' is missing`);
      continue;
    }
    if (member.kind !== 'method') continue;
    if (typeof value !== 'function') {
      problems.push(`'${name}' should be a method but is ${describe(value)}`);
      continue;
    }
    const wanted = member.params?.length ?? 0;
    if (member.params && value.length > wanted) {
      problems.push(`'${name}' requires ${value.length} arguments but the contract ${iface.name}.${name}(${member.params.join(', ')}) passes ${wanted}`);
    }
  }
  if (problems.length) throw new BrokenImplementation(iface.name, describe(candidate), problems);
  return true;
}
