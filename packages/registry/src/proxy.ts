/**
 * Twisted's `proxyForInterface`: a class whose instances wrap an object and pass the members
 * of one interface (its own and inherited ones) through to it, and nothing else. Subclass it to
 * change one member of a wrapped object and keep the rest (Twisted Web's
 * `EncodingResourceWrapper` is made this way).
 */
import { classImplements, isInterface, NotAnInterfaceError } from '@dovetail/interfaces';
import { InvalidNameError } from './errors.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/** An instance of a class made by {@link proxyForInterface}: `T`'s members, and the wrapped `T` under `A`. */
export type InterfaceProxy<T, A extends string = 'original'> = T & { [K in A]: T };

/** The class {@link proxyForInterface} returns: constructed with the object to wrap. */
export type InterfaceProxyClass<T, A extends string = 'original'> = new (original: T) => InterfaceProxy<T, A>;

/**
 * Makes a class whose instances forward `iface`'s members to the object they wrap, kept under
 * `originalAttribute`: methods are called on the wrapped object, attributes are read from and
 * written to it. Members outside the interface are not forwarded. The class implements
 * `iface`, is named `(Proxy for <iface's name>)`, and can be subclassed to override members
 * (`super.method(...)` still forwards). As in JavaScript generally, `delete proxy.member`
 * does not reach the wrapped object (Twisted forwards deletion too); assign instead.
 *
 * @throws NotAnInterfaceError (`DT_IFACE_NOT_AN_INTERFACE`) when `iface` is not an interface.
 * @throws InvalidNameError (`DT_REG_INVALID_NAME`) when `originalAttribute` is not a non-empty string.
 * @example
 * ```ts
 * class LoudCounter extends proxyForInterface(ICounter) {
 *   get value() { return this.original.value * 10; }
 * }
 * new LoudCounter(counter).value;
 * ```
 */
export function proxyForInterface<T, const A extends string = 'original'>(iface: InterfaceSpec<T>, originalAttribute?: A): InterfaceProxyClass<T, A> {
  if (!isInterface(iface)) throw new NotAnInterfaceError('proxyForInterface()', iface);
  const attribute: string = originalAttribute ?? 'original';
  if (typeof attribute !== 'string' || attribute === '') throw new InvalidNameError('proxyForInterface() originalAttribute', attribute);
  type Wrapper = Record<string, Record<string, unknown>>;
  const Proxy = class {
    constructor(original: unknown) {
      (this as unknown as Record<string, unknown>)[attribute] = original;
    }
  };
  Object.defineProperty(Proxy, 'name', { value: `(Proxy for ${iface.name})` });
  for (const name of iface.names(true)) {
    // The wrapped object's own slot, and the class's constructor, stay the proxy's.
    if (name === attribute || name === 'constructor') continue;
    const descriptor: PropertyDescriptor =
      iface.get(name)!.kind === 'method'
        ? {
            // `this` is the proxy (or a subclass instance); the method runs on the wrapped object.
            value: {
              [name](this: Wrapper, ...args: unknown[]): unknown {
                const original = this[attribute]!;
                return Reflect.apply(original[name] as (...a: unknown[]) => unknown, original, args);
              },
            }[name],
            writable: true,
          }
        : {
            get(this: Wrapper): unknown {
              return this[attribute]![name];
            },
            set(this: Wrapper, value: unknown): void {
              this[attribute]![name] = value;
            },
          };
    Object.defineProperty(Proxy.prototype, name, { ...descriptor, configurable: true, enumerable: false });
  }
  classImplements(Proxy, iface);
  return Proxy as unknown as InterfaceProxyClass<T, A>;
}
