import { describe, expect, it } from '@jest/globals';
import {
  classImplements,
  classImplementsFirst,
  classProvides,
  defineInterface,
  directlyProvidedBy,
  implementedBy,
  implementer,
  implementerOnly,
  Interface,
  InvalidDeclarationTargetError,
  NotAnInterfaceError,
  providedBy,
  provider,
  type InterfaceSpec,
} from './index.js';
import { declarationChanges } from './internal.js';

// Ported from zope.interface's test_declarations.py: Test_implementer_only,
// Test_classImplementsOnly, Test_classImplementsFirst (which reruns Test_classImplements with
// the order of two declarations reversed) and Test_provider / Test_directlyProvides(w_class).

let counter = 0;
const iface = (short: string, ...bases: InterfaceSpec[]): InterfaceSpec =>
  defineInterface(`test.classdecl${++counter}.${short}`, { extends: bases });

describe('implementerOnly', () => {
  it('a class → its instances provide exactly the interfaces given, inherited ones dropped', () => {
    const IBase = iface('IBase');
    const IBar = iface('IBar');
    @implementer(IBase)
    class Base {}
    @implementerOnly(IBar)
    class Only extends Base {}
    expect(implementedBy(Only).interfaces()).toEqual([IBar]);
    expect(IBase.providedBy(new Only())).toBe(false);
    expect(IBar.providedBy(new Only())).toBe(true);
    expect(implementedBy(Only).iro).toEqual([IBar, Interface]);
  });

  it('an interface a base class implements, given again → still implemented (test_redundant_with_super_still_implements)', () => {
    const IBase = iface('IBase');
    @implementerOnly(IBase)
    class Base {}
    @implementerOnly(IBase)
    class Child extends Base {}
    expect(IBase.implementedBy(Child)).toBe(true);
  });

  it('replaces what the class declared before (test_w_existing_Implements)', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @implementer(IFoo)
    class Foo {}
    implementerOnly(IBar)(Foo);
    expect(implementedBy(Foo).interfaces()).toEqual([IBar]);
  });

  it('the standard decorator form → declares as well', () => {
    const IFoo = iface('IFoo');
    class Foo {}
    implementerOnly(IFoo)(Foo, { kind: 'class', name: 'Foo' });
    expect(IFoo.implementedBy(Foo)).toBe(true);
  });

  it('a function without a prototype or a method → InvalidDeclarationTargetError (zope: ValueError)', () => {
    const IFoo = iface('IFoo');
    class Bar {
      method(): void {}
    }
    expect(() => implementerOnly(IFoo)(() => 1)).toThrow(InvalidDeclarationTargetError);
    expect(() => implementerOnly(IFoo)(Bar.prototype.method)).toThrow(InvalidDeclarationTargetError);
    expect(() => implementerOnly({} as InterfaceSpec)).toThrow(NotAnInterfaceError);
  });
});

describe('classImplementsFirst', () => {
  it('one declared already → the new one goes first (test_w_existing_Implements, order reversed)', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    @implementer(IFoo)
    class Foo {}
    classImplementsFirst(Foo, IBar);
    expect(implementedBy(Foo).interfaces()).toEqual([IBar, IFoo]);
    expect(implementedBy(Foo).iro).toEqual([IBar, IFoo, Interface]);
    // classImplements, by contrast, appends.
    const IBaz = iface('IBaz');
    classImplements(Foo, IBaz);
    expect(implementedBy(Foo).interfaces()).toEqual([IBar, IFoo, IBaz]);
  });

  it('with a base class → first among the declared, then the base class declaration (test_w_existing_Implements_w_bases)', () => {
    const IRoot = iface('IRoot');
    const ISecondRoot = iface('ISecondRoot');
    const IExtendsRoot = iface('IExtendsRoot', IRoot);
    @implementer(IRoot)
    class Root {}
    @implementer(IExtendsRoot)
    class ExtendsRoot extends Root {}
    classImplementsFirst(ExtendsRoot, ISecondRoot);
    const decl = implementedBy(ExtendsRoot);
    expect(decl.bases).toEqual([ISecondRoot, IExtendsRoot, implementedBy(Root)]);
    expect(decl.iro).toEqual([ISecondRoot, IExtendsRoot, IRoot, Interface]);
  });

  it('already implemented through a base class → nothing changes (test_redundant_implementer_empty_class_declarations)', () => {
    const IBase = iface('IBase');
    @implementer(IBase)
    class Base {}
    class Child extends Base {}
    classImplementsFirst(Child, IBase);
    expect(implementedBy(Child).bases).toEqual([implementedBy(Base)]);
    expect(IBase.providedBy(new Child())).toBe(true);
  });

  it('a class used in lookups → the declaration change is announced (caches start over)', () => {
    const IFoo = iface('IFoo');
    class Foo {}
    implementedBy(Foo);
    const before = declarationChanges.epoch;
    classImplementsFirst(Foo, IFoo);
    expect(declarationChanges.epoch).toBeGreaterThan(before);
  });

  it('a non-interface or a non-function → an error, nothing declared', () => {
    class Foo {}
    expect(() => classImplementsFirst(Foo, {} as InterfaceSpec)).toThrow(NotAnInterfaceError);
    expect(() => classImplementsFirst({}, iface('IFoo'))).toThrow(InvalidDeclarationTargetError);
    expect(implementedBy(Foo).interfaces()).toEqual([]);
  });
});

describe('provider / classProvides', () => {
  it('@provider → the class object provides the interface, its instances do not (Test_provider)', () => {
    const IFoo = iface('IFoo');
    @provider(IFoo)
    class Foo {}
    expect(directlyProvidedBy(Foo).interfaces()).toEqual([IFoo]);
    expect(IFoo.providedBy(Foo)).toBe(true);
    expect(providedBy(Foo).isOrExtends(IFoo)).toBe(true);
    expect(IFoo.providedBy(new Foo())).toBe(false);
    expect(IFoo.implementedBy(Foo)).toBe(false);
  });

  it('with @implementer → what the class provides and what its instances provide stay apart', () => {
    const IFactory = iface('IFactory');
    const IProduct = iface('IProduct');
    @provider(IFactory)
    @implementer(IProduct)
    class Product {}
    expect(providedBy(Product).interfaces()).toEqual([IFactory]);
    expect(providedBy(new Product()).interfaces()).toEqual([IProduct]);
  });

  it('a subclass → does not provide what its base class provides', () => {
    const IFoo = iface('IFoo');
    @provider(IFoo)
    class Base {}
    class Child extends Base {}
    expect(IFoo.providedBy(Child)).toBe(false);
    expect(IFoo.providedBy(Base)).toBe(true);
  });

  it('classProvides → replaces what the class provided directly (directlyProvides on a class)', () => {
    const IFoo = iface('IFoo');
    const IBar = iface('IBar');
    class Foo {}
    classProvides(Foo, IFoo);
    classProvides(Foo, IBar);
    expect(directlyProvidedBy(Foo).interfaces()).toEqual([IBar]);
  });

  it('the standard decorator form, and a plain call on a function → declares as well', () => {
    const IFoo = iface('IFoo');
    class Foo {}
    provider(IFoo)(Foo, { kind: 'class', name: 'Foo' });
    const make = (): object => ({});
    provider(IFoo)(make);
    expect(IFoo.providedBy(Foo)).toBe(true);
    expect(IFoo.providedBy(make)).toBe(true);
  });

  it('a non-function or a non-interface → an error', () => {
    expect(() => classProvides({}, iface('IFoo'))).toThrow(InvalidDeclarationTargetError);
    expect(() => provider('IFoo' as unknown as InterfaceSpec)).toThrow(NotAnInterfaceError);
  });
});
