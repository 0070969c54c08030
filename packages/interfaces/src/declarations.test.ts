import { describe, expect, it } from '@jest/globals';
import {
  classImplements,
  classImplementsOnly,
  Declaration,
  defineInterface,
  directlyProvides,
  implementedBy,
  implementer,
  Interface,
  InvalidDeclarationTargetError,
  NotAnInterfaceError,
  providedBy,
  type InterfaceSpec,
} from './index.js';
import { declarationChanges } from './internal.js';

let counter = 0;
const fresh = (short: string): string => `test.declarations${++counter}.${short}`;
const iface = (short: string, ...bases: InterfaceSpec[]): InterfaceSpec =>
  defineInterface(fresh(short), { extends: bases });

describe('implementer', () => {
  it('legacy class decorator → instances provide the interface', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    expect(IA.implementedBy(A)).toBe(true);
    expect(IA.providedBy(new A())).toBe(true);
    expect(implementedBy(A).interfaces()).toEqual([IA]);
  });

  it('several interfaces → all declared, in order', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    @implementer(IA, IB)
    class A {}
    expect(implementedBy(A).interfaces()).toEqual([IA, IB]);
    expect(implementedBy(A).iro).toEqual([IA, IB, Interface]);
  });

  it('plain call on a function → the factory implements the interface', () => {
    const IA = iface('IA');
    function makeThing(): object {
      return {};
    }
    implementer(IA)(makeThing);
    expect(IA.implementedBy(makeThing)).toBe(true);
  });

  it('standard decorator form (target, context) → declares as well', () => {
    const IA = iface('IA');
    class A {}
    implementer(IA)(A, { kind: 'class', name: 'A' });
    expect(IA.providedBy(new A())).toBe(true);
  });

  it('a non-interface → NotAnInterfaceError at decoration', () => {
    expect(() => implementer({} as InterfaceSpec)).toThrow(NotAnInterfaceError);
  });

  it('applied to a non-function → InvalidDeclarationTargetError', () => {
    const IA = iface('IA');
    expect(() => implementer(IA)({} as unknown as new () => object)).toThrow(InvalidDeclarationTargetError);
  });
});

describe('implementedBy', () => {
  it('a class with no declarations → provides only Interface', () => {
    class Plain {}
    const d = implementedBy(Plain);
    expect(d).toBeInstanceOf(Declaration);
    expect(d.iro).toEqual([Interface]);
    expect(d.interfaces()).toEqual([]);
    expect(d.isOrExtends(Interface)).toBe(true);
  });

  it('the same class twice → the same declaration', () => {
    class A {}
    expect(implementedBy(A)).toBe(implementedBy(A));
  });

  it('derived (ix) of base (ib, ib extends ia) → zope sro and iro', () => {
    const IA = iface('IA');
    const IB = iface('IB', IA);
    const IX = iface('IX');
    @implementer(IB)
    class Base {}
    @implementer(IX)
    class Derived extends Base {}
    const d = implementedBy(Derived);
    expect(d.sro).toEqual([d, IX, implementedBy(Base), IB, IA, implementedBy(Object), Interface]);
    expect(d.iro).toEqual([IX, IB, IA, Interface]);
    expect(d.interfaces()).toEqual([IX, IB]);
  });

  it('an arrow function → a declaration of its own, usable as a factory', () => {
    const IA = iface('IA');
    const factory = (): object => ({});
    expect(implementedBy(factory).iro).toEqual([Interface]);
    classImplements(factory, IA);
    expect(IA.implementedBy(factory)).toBe(true);
    expect(implementedBy(factory)).toBe(implementedBy(factory));
    const other = (): object => ({});
    expect(IA.implementedBy(other)).toBe(false);
  });

  it('a non-function → InvalidDeclarationTargetError', () => {
    expect(() => implementedBy({})).toThrow(InvalidDeclarationTargetError);
    expect(() => implementedBy('x')).toThrow(InvalidDeclarationTargetError);
  });

  it('label → names the class', () => {
    class Named {}
    expect(String(implementedBy(Named))).toBe('implementedBy(Named)');
  });
});

describe('classImplements', () => {
  it('a class → instances and subclass instances provide the interface', () => {
    const IA = iface('IA');
    class A {}
    class B extends A {}
    classImplements(A, IA);
    expect(IA.providedBy(new A())).toBe(true);
    expect(IA.providedBy(new B())).toBe(true);
    expect(IA.implementedBy(B)).toBe(true);
  });

  it('an interface extending an already declared one → goes before it', () => {
    const IA = iface('IA');
    const IB = iface('IB', IA);
    const IX = iface('IX');
    class A {}
    classImplements(A, IX, IA);
    classImplements(A, IB);
    const ifaces = implementedBy(A).interfaces();
    expect(ifaces.indexOf(IB)).toBeLessThan(ifaces.indexOf(IA));
    expect(implementedBy(A).iro.indexOf(IB)).toBeLessThan(implementedBy(A).iro.indexOf(IA));
  });

  it('unrelated interfaces → appended after the declared ones', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    class A {}
    classImplements(A, IA);
    classImplements(A, IB);
    expect(implementedBy(A).interfaces()).toEqual([IA, IB]);
  });

  it('an interface inherited from a base class → ignored', () => {
    const IA = iface('IA');
    const IX = iface('IX');
    @implementer(IA)
    class Base {}
    class Derived extends Base {}
    classImplements(Derived, IX, IA);
    expect(implementedBy(Derived).sro).toEqual([implementedBy(Derived), IX, implementedBy(Base), IA, implementedBy(Object), Interface]);
  });

  it('Interface on a class with nothing else declared → kept, as zope keeps it', () => {
    const IX = iface('IX');
    class Foo {}
    classImplements(Foo, Interface);
    expect(implementedBy(Foo).interfaces()).toEqual([Interface]);
    expect(implementedBy(Foo).iro).toEqual([Interface]);
    expect(implementedBy(Foo).sro).toEqual([implementedBy(Foo), implementedBy(Object), Interface]);
    // A later interface goes ahead of the root (it extends it), and the order stays consistent.
    classImplements(Foo, IX);
    expect(implementedBy(Foo).interfaces()).toEqual([IX, Interface]);
    expect(implementedBy(Foo).iro).toEqual([IX, Interface]);
  });

  it('Interface on a class that declares something else → nothing added (already implied)', () => {
    const IA = iface('IA');
    @implementer(IA)
    class Foo {}
    classImplements(Foo, Interface);
    expect(implementedBy(Foo).interfaces()).toEqual([IA]);
  });

  it('an interface declared twice → listed once', () => {
    const IA = iface('IA');
    class A {}
    classImplements(A, IA);
    classImplements(A, IA);
    expect(implementedBy(A).interfaces()).toEqual([IA]);
  });

  it('a base class after a subclass declaration was computed → the subclass sees it', () => {
    const IA = iface('IA');
    const IX = iface('IX');
    class Base {}
    @implementer(IX)
    class Derived extends Base {}
    const before = implementedBy(Derived);
    expect(before.iro).toEqual([IX, Interface]);
    const epoch = declarationChanges.epoch;
    classImplements(Base, IA);
    expect(implementedBy(Derived)).toBe(before);
    expect(before.iro).toEqual([IX, IA, Interface]);
    expect(IA.providedBy(new Derived())).toBe(true);
    expect(declarationChanges.epoch).toBeGreaterThan(epoch);
  });

  it('a class with direct-declared instances, then classImplements of the same interface → instances still resolve', () => {
    const IA = iface('IA');
    class A {}
    const a = new A();
    directlyProvides(a, IA);
    classImplements(A, IA);
    expect(IA.providedBy(a)).toBe(true);
    expect(providedBy(a).iro).toEqual([IA, Interface]);
  });

  it('a non-interface → NotAnInterfaceError', () => {
    class A {}
    expect(() => classImplements(A, 'x' as unknown as InterfaceSpec)).toThrow(NotAnInterfaceError);
  });

  it('a non-function → InvalidDeclarationTargetError', () => {
    expect(() => classImplements(null, iface('IA'))).toThrow(InvalidDeclarationTargetError);
  });
});

describe('classImplementsOnly', () => {
  it('a subclass → inherited declarations dropped', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    @implementer(IA)
    class Base {}
    class Derived extends Base {}
    classImplementsOnly(Derived, IB);
    expect(IA.implementedBy(Derived)).toBe(false);
    expect(IA.providedBy(new Derived())).toBe(false);
    expect(IB.providedBy(new Derived())).toBe(true);
    expect(implementedBy(Derived).iro).toEqual([IB, Interface]);
    expect(IA.providedBy(new Base())).toBe(true);
  });

  it('earlier own declarations → replaced', () => {
    const IA = iface('IA');
    const IB = iface('IB');
    class A {}
    classImplements(A, IA);
    classImplementsOnly(A, IB);
    expect(implementedBy(A).interfaces()).toEqual([IB]);
  });

  it('later changes to the base class → not seen', () => {
    const IA = iface('IA');
    class Base {}
    class Derived extends Base {}
    classImplementsOnly(Derived);
    classImplements(Base, IA);
    expect(IA.implementedBy(Derived)).toBe(false);
  });
});

describe('providedBy', () => {
  it('an instance of a declared class → the class declaration', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    expect(providedBy(new A())).toBe(implementedBy(A));
  });

  it('an instance of a subclass of a declared class → inherits', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    class B extends A {}
    expect(providedBy(new B())).toBe(implementedBy(B));
    expect(providedBy(new B()).isOrExtends(IA)).toBe(true);
  });

  it('a base class instance after a subclass was declared → does not see the subclass interfaces', () => {
    const IA = iface('IA');
    class A {}
    @implementer(IA)
    class B extends A {}
    void B;
    expect(IA.providedBy(new A())).toBe(false);
  });

  it('a primitive → the declaration of its wrapper class', () => {
    expect(providedBy('x')).toBe(implementedBy(String));
    expect(providedBy(1)).toBe(implementedBy(Number));
    expect(providedBy(true)).toBe(implementedBy(Boolean));
    expect(providedBy(1n)).toBe(implementedBy(BigInt));
    expect(providedBy(Symbol('s'))).toBe(implementedBy(Symbol));
  });

  it('a primitive of a declared builtin → provides the interface', () => {
    const IA = iface('IA');
    classImplements(String, IA);
    expect(IA.providedBy('x')).toBe(true);
    expect(IA.providedBy(new String('x'))).toBe(true);
    expect(Object.getOwnPropertySymbols(String.prototype).map(String).join()).not.toContain('dovetail');
  });

  it('null and undefined → a declaration providing only Interface', () => {
    for (const v of [null, undefined]) {
      const d = providedBy(v);
      expect(d).toBeInstanceOf(Declaration);
      expect(d.iro).toEqual([Interface]);
    }
  });

  it('a null-prototype object → provides only Interface, and can take direct declarations', () => {
    const IA = iface('IA');
    const o = Object.create(null) as object;
    expect(providedBy(o).iro).toEqual([Interface]);
    directlyProvides(o, IA);
    expect(IA.providedBy(o)).toBe(true);
    expect(providedBy(o).iro).toEqual([IA, Interface]);
  });

  it('a plain object and an array → Object and Array declarations', () => {
    expect(providedBy({})).toBe(implementedBy(Object));
    expect(providedBy([])).toBe(implementedBy(Array));
  });

  it('a class object itself → the declaration of Function, not of its instances', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    expect(IA.providedBy(A)).toBe(false);
    expect(providedBy(A)).toBe(implementedBy(Function));
  });

  it('an object whose prototype changed → follows the new prototype', () => {
    const IA = iface('IA');
    @implementer(IA)
    class A {}
    class B {}
    const a = new A();
    expect(IA.providedBy(a)).toBe(true);
    Object.setPrototypeOf(a, B.prototype);
    expect(IA.providedBy(a)).toBe(false);
  });
});

describe('Declaration#interfaces', () => {
  it('a declaration with inherited declarations → declared interfaces, not their bases', () => {
    const IA = iface('IA');
    const IB = iface('IB', IA);
    const IX = iface('IX');
    @implementer(IB)
    class Base {}
    class Derived extends Base {}
    const d = new Derived();
    directlyProvides(d, IX);
    expect(providedBy(d).interfaces()).toEqual([IX, IB]);
  });
});

describe('declarationChanges#epoch', () => {
  it('classImplements on a class in use → increases', () => {
    class A {}
    implementedBy(A);
    const before = declarationChanges.epoch;
    classImplements(A, iface('IA'));
    expect(declarationChanges.epoch).toBeGreaterThan(before);
  });

  it('providedBy of a class seen before → unchanged', () => {
    class A {}
    providedBy(new A());
    const before = declarationChanges.epoch;
    providedBy(new A());
    implementedBy(A);
    expect(declarationChanges.epoch).toBe(before);
  });
});
