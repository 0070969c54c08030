import { describe, expect, it } from '@jest/globals';
import {
  alsoProvides,
  defineInterface,
  directlyProvidedBy,
  directlyProvides,
  implementedBy,
  implementer,
  Interface,
  InvalidDeclarationTargetError,
  noLongerProvides,
  NotAnInterfaceError,
  providedBy,
  StillProvidedError,
  type InterfaceSpec,
} from './index.js';

// Declarations made on objects: directlyProvides, alsoProvides, noLongerProvides, directlyProvidedBy.
// Class declarations are in declarations.test.ts.

let counter = 0;
const fresh = (short: string): string => `test.provides${++counter}.${short}`;
const iface = (short: string, ...bases: InterfaceSpec[]): InterfaceSpec =>
  defineInterface(fresh(short), { extends: bases });

describe('directlyProvides', () => {
  it('an object → provides the interfaces before its class ones', () => {
    const IA = iface('IA');
    const IX = iface('IX');
    @implementer(IA)
    class A {}
    const a = new A();
    directlyProvides(a, IX);
    expect(IX.providedBy(a)).toBe(true);
    expect(IA.providedBy(a)).toBe(true);
    expect(IX.providedBy(new A())).toBe(false);
    expect(providedBy(a).sro).toEqual([providedBy(a), IX, implementedBy(A), IA, implementedBy(Object), Interface]);
  });

  it('a second call → replaces the direct declarations', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const o = {};
    directlyProvides(o, IA);
    directlyProvides(o, IB);
    expect(IA.providedBy(o)).toBe(false);
    expect(IB.providedBy(o)).toBe(true);
  });

  it('no interfaces → back to the class declaration', () => {
    const IA = iface('IA');
    const o = {};
    directlyProvides(o, IA);
    directlyProvides(o);
    expect(providedBy(o)).toBe(implementedBy(Object));
  });

  it('the direct declaration → not enumerable, not copied by spread or JSON', () => {
    const IA = iface('IA');
    const o = { x: 1 };
    directlyProvides(o, IA);
    expect(Object.keys(o)).toEqual(['x']);
    expect(JSON.stringify(o)).toBe('{"x":1}');
    expect(IA.providedBy({ ...o })).toBe(false);
  });

  it('two instances with the same direct interfaces → one shared (interned) declaration', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    class A {}
    const a = new A();
    const b = new A();
    directlyProvides(a, IA, IB);
    directlyProvides(b, IA, IB);
    expect(providedBy(a)).toBe(providedBy(b));
    alsoProvides(new A(), IA);
    const c = new A();
    alsoProvides(c, IA);
    alsoProvides(c, IB);
    expect(providedBy(c)).toBe(providedBy(a));
  });

  it('instances of different classes with the same interfaces → different declarations', () => {
    const IA = iface('IA');
    class A {}
    class B {}
    const a = new A();
    const b = new B();
    directlyProvides(a, IA);
    directlyProvides(b, IA);
    expect(providedBy(a)).not.toBe(providedBy(b));
  });

  it('a frozen object → declared all the same, without a property', () => {
    const IA = iface('IA');
    const o = Object.freeze({ x: 1 });
    directlyProvides(o, IA);
    expect(IA.providedBy(o)).toBe(true);
    expect(IA.providedBy(Object.freeze({ x: 1 }))).toBe(false);
    expect(directlyProvidedBy(o).interfaces()).toEqual([IA]);
    alsoProvides(o, iface('IB'));
    expect(directlyProvidedBy(o).interfaces()).toHaveLength(2);
    noLongerProvides(o, IA);
    expect(IA.providedBy(o)).toBe(false);
  });

  it('a frozen instance of a declared class → direct and class interfaces', () => {
    const IA = iface('IA');
    const IX = iface('IX');
    @implementer(IA)
    class A {}
    const a = Object.freeze(new A());
    directlyProvides(a, IX);
    expect(IX.providedBy(a)).toBe(true);
    expect(IA.providedBy(a)).toBe(true);
    expect(IX.providedBy(new A())).toBe(false);
  });

  it('an object frozen after a direct declaration → can still be re-declared', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const o = {};
    directlyProvides(o, IA);
    Object.freeze(o);
    alsoProvides(o, IB);
    expect(IB.providedBy(o)).toBe(true);
    noLongerProvides(o, IA);
    expect(IA.providedBy(o)).toBe(false);
    directlyProvides(o);
    expect(IB.providedBy(o)).toBe(false);
  });

  it('a sealed object after a direct declaration → can still be re-declared', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const o = {};
    directlyProvides(o, IA);
    Object.seal(o);
    directlyProvides(o, IB);
    expect(IA.providedBy(o)).toBe(false);
    expect(IB.providedBy(o)).toBe(true);
  });

  it('a class object → the class itself provides, its instances do not', () => {
    const IA = iface('IA');
    class A {}
    directlyProvides(A, IA);
    expect(IA.providedBy(A)).toBe(true);
    expect(IA.providedBy(new A())).toBe(false);
    expect(IA.implementedBy(A)).toBe(false);
  });

  it('a Declaration argument → its interfaces', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const src = {};
    directlyProvides(src, IA, IB);
    const o = {};
    directlyProvides(o, directlyProvidedBy(src));
    expect(directlyProvidedBy(o).interfaces()).toEqual([IA, IB]);
  });

  it('a primitive → InvalidDeclarationTargetError', () => {
    const IA = iface('IA');
    expect(() => directlyProvides('x', IA)).toThrow(InvalidDeclarationTargetError);
    expect(() => directlyProvides(null, IA)).toThrow(InvalidDeclarationTargetError);
  });

  it('a non-interface → NotAnInterfaceError', () => {
    expect(() => directlyProvides({}, {} as InterfaceSpec)).toThrow(NotAnInterfaceError);
  });
});

describe('alsoProvides', () => {
  it('an object with direct interfaces → keeps them and adds more', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const o = {};
    alsoProvides(o, IA);
    alsoProvides(o, IB);
    expect(directlyProvidedBy(o).interfaces()).toEqual([IA, IB]);
    expect(IA.providedBy(o) && IB.providedBy(o)).toBe(true);
  });

  it('an interface already provided directly → listed once', () => {
    const IA = iface('IA');
    const o = {};
    alsoProvides(o, IA);
    alsoProvides(o, IA);
    expect(directlyProvidedBy(o).interfaces()).toEqual([IA]);
  });

  it('an interface the class already implements → the order stays consistent', () => {
    const IA = iface('IA');
    const IB = iface('IB', IA);
    @implementer(IA)
    class A {}
    const a = new A();
    alsoProvides(a, IA, IB);
    expect(providedBy(a).iro).toEqual([IB, IA, Interface]);
  });
});

describe('noLongerProvides', () => {
  it('a directly provided interface → removed', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    const o = {};
    directlyProvides(o, IA, IB);
    noLongerProvides(o, IA);
    expect(IA.providedBy(o)).toBe(false);
    expect(directlyProvidedBy(o).interfaces()).toEqual([IB]);
  });

  it('an interface never provided → no error', () => {
    expect(() => noLongerProvides({}, iface('IA'))).not.toThrow();
  });

  it('still provided through the class → StillProvidedError, the direct declaration removed all the same', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    const a = new A();
    directlyProvides(a, IA);
    expect(() => noLongerProvides(a, IA)).toThrow(StillProvidedError);
    expect(directlyProvidedBy(a).interfaces()).toEqual([]);
    expect(providedBy(a)).toBe(implementedBy(A));
  });

  it('the error → names the interface, a stable name and code', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    try {
      noLongerProvides(new A(), IA);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(StillProvidedError);
      expect((e as StillProvidedError).name).toBe('StillProvidedError');
      expect((e as StillProvidedError).code).toBe('DT_IFACE_STILL_PROVIDED');
      expect((e as Error).message).toContain(IA.name);
    }
  });

  it('a non-interface → NotAnInterfaceError', () => {
    expect(() => noLongerProvides({}, {} as InterfaceSpec)).toThrow(NotAnInterfaceError);
  });
});

describe('directlyProvidedBy', () => {
  it('an object → only its direct interfaces, not the class ones', () => {
    const IA = iface('IA');
    const IX = iface('IX');
    @implementer(IA)
    class A {}
    const a = new A();
    directlyProvides(a, IX);
    const d = directlyProvidedBy(a);
    expect(d.interfaces()).toEqual([IX]);
    expect(d.isOrExtends(IA)).toBe(false);
    expect(d.isOrExtends(IX)).toBe(true);
  });

  it('an object with no direct declaration, a primitive, null → empty', () => {
    for (const v of [{}, 'x', null, undefined]) expect(directlyProvidedBy(v).interfaces()).toEqual([]);
  });
});
