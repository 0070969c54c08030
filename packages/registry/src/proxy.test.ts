import { Attribute, defineInterface, implementer, Method, NotAnInterfaceError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { InvalidNameError } from './errors.js';
import { proxyForInterface } from './proxy.js';
import type { InterfaceProxy } from './proxy.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

// Twisted's ProxyForInterfaceTests (twisted/python/test/test_components.py), one test each.

/** Fails to compile unless `A` and `B` are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

interface Proxied {
  ifaceAttribute: unknown;
  yay(...args: unknown[]): number;
}
const IProxiedInterface = defineInterface<Proxied>('test.reg.proxy.IProxiedInterface', {
  members: { ifaceAttribute: Attribute('Some attribute.'), yay: Method('A sample method which should be proxied.') },
});
interface ProxiedSub extends Proxied {
  boo(): void;
}
const IProxiedSubInterface = defineInterface<ProxiedSub>('test.reg.proxy.IProxiedSubInterface', {
  extends: [IProxiedInterface],
  members: { boo: Method('A different sample method which should be proxied.') },
});
interface MultipleMethods {
  methodOne(): number;
  methodTwo(): number;
}
const IMultipleMethods = defineInterface<MultipleMethods>('test.reg.proxy.IMultipleMethods', {
  members: { methodOne: Method('Returns 1.'), methodTwo: Method('Returns 2.') },
});

@implementer(IProxiedInterface)
class Yayable implements Proxied {
  ifaceAttribute: unknown;
  yays = 0;
  yayArgs: unknown[][] = [];
  yay(...args: unknown[]): number {
    this.yays += 1;
    this.yayArgs.push(args);
    return this.yays;
  }
}

@implementer(IProxiedSubInterface)
class Booable implements ProxiedSub {
  ifaceAttribute: unknown;
  yayed = false;
  booed = false;
  yay(): number {
    this.yayed = true;
    return 0;
  }
  boo(): void {
    this.booed = true;
  }
}

describe('proxyForInterface', () => {
  it('the proxy → keeps the wrapped object as .original (test_original)', () => {
    const original = new Yayable();
    const proxy = new (proxyForInterface(IProxiedInterface))(original);
    expect(proxy.original).toBe(original);
    expectType<Equal<typeof proxy, InterfaceProxy<Proxied>>>();
  });

  it('methods of the interface → called on the wrapped object (test_proxyMethod)', () => {
    const yayable = new Yayable();
    const proxy = new (proxyForInterface(IProxiedInterface))(yayable);
    proxy.yay();
    expect(proxy.yay()).toBe(2);
    expect(yayable.yays).toBe(2);
  });

  it('a subclass upcalling a proxied method → forwarded (test_decoratedProxyMethod)', () => {
    const Base = proxyForInterface(IProxiedInterface);
    class Klass extends Base {
      override yay(): number {
        (this.original as Yayable).yays += 1;
        return Base.prototype.yay.call(this);
      }
    }
    const original = new Yayable();
    new Klass(original).yay();
    expect(original.yays).toBe(2);
  });

  it('declared attributes → read through; other members → absent (test_proxyAttribute)', () => {
    const yayable = new Yayable();
    yayable.ifaceAttribute = {};
    const proxy = new (proxyForInterface(IProxiedInterface))(yayable);
    expect(proxy.ifaceAttribute).toBe(yayable.ifaceAttribute);
    expect('yays' in proxy).toBe(false);
    expect((proxy as unknown as { yays?: number }).yays).toBeUndefined();
  });

  it('declared attributes → assigned on the wrapped object (test_proxySetAttribute)', () => {
    const yayable = new Yayable();
    const proxy = new (proxyForInterface(IProxiedInterface))(yayable);
    const thingy = {};
    proxy.ifaceAttribute = thingy;
    expect(yayable.ifaceAttribute).toBe(thingy);
    expect(Object.hasOwn(proxy, 'ifaceAttribute')).toBe(false);
  });

  it('several methods → each forwarded to its own (test_multipleMethods)', () => {
    const multi: MultipleMethods = { methodOne: () => 1, methodTwo: () => 2 };
    const proxy = new (proxyForInterface(IMultipleMethods))(multi);
    expect(proxy.methodOne()).toBe(1);
    expect(proxy.methodTwo()).toBe(2);
  });

  it('subclassing → new members reach .original (test_subclassing)', () => {
    class SpecializedProxy extends proxyForInterface(IProxiedInterface) {
      boo(): void {
        (this.original as Yayable).yays -= 1;
      }
    }
    const yayable = new Yayable();
    const special = new SpecializedProxy(yayable);
    expect(yayable.yays).toBe(0);
    special.boo();
    expect(yayable.yays).toBe(-1);
  });

  it('the class name → says which interface it proxies (test_proxyName)', () => {
    expect(proxyForInterface(IProxiedInterface).name).toBe('(Proxy for test.reg.proxy.IProxiedInterface)');
  });

  it('the class → implements the interface (test_implements)', () => {
    const Proxy = proxyForInterface(IProxiedInterface);
    expect(IProxiedInterface.implementedBy(Proxy)).toBe(true);
    expect(IProxiedInterface.providedBy(new Proxy(new Yayable()))).toBe(true);
  });

  it('a subclass of a subclass upcalling with arguments → forwarded with them (test_proxyInheritance)', () => {
    class YayableWrapper extends proxyForInterface(IProxiedInterface) {}
    class EnhancedWrapper extends YayableWrapper {
      wrappedYays = 1;
      override yay(...args: unknown[]): number {
        this.wrappedYays += 1;
        return super.yay(...args) + 7;
      }
    }
    const yayable = new Yayable();
    const wrapper = new EnhancedWrapper(yayable);
    expect(wrapper.yay(3, 4, { x: 5, y: 6 })).toBe(8);
    expect(yayable.yayArgs).toEqual([[3, 4, { x: 5, y: 6 }]]);
  });

  it('a sub-interface → members of it and of its bases forwarded (test_interfaceInheritance)', () => {
    const booable = new Booable();
    const proxy = new (proxyForInterface(IProxiedSubInterface))(booable);
    proxy.yay();
    proxy.boo();
    expect(booable.yayed).toBe(true);
    expect(booable.booed).toBe(true);
  });

  it('another originalAttribute → the wrapped object kept there, members still forwarded (test_attributeCustomization)', () => {
    const yayable = new Yayable();
    yayable.ifaceAttribute = {};
    const proxy = new (proxyForInterface(IProxiedInterface, 'foo'))(yayable);
    expect(proxy.foo).toBe(yayable);
    expectType<Equal<typeof proxy.foo, Proxied>>();
    expect(proxy.yay()).toBe(1);
    expect(proxy.ifaceAttribute).toBe(yayable.ifaceAttribute);
    const thingy = {};
    proxy.ifaceAttribute = thingy;
    expect(yayable.ifaceAttribute).toBe(thingy);
    expect('original' in proxy).toBe(false);
  });

  it('not an interface, or an empty attribute name → an error', () => {
    expect(() => proxyForInterface({} as InterfaceSpec)).toThrow(NotAnInterfaceError);
    expect(() => proxyForInterface(IProxiedInterface, '')).toThrow(InvalidNameError);
  });
});
