import { describe, expect, it } from '@jest/globals';
import {
  Attribute,
  CyclicInterfaceError,
  defineInterface,
  InconsistentResolutionOrderError,
  Interface,
  InterfaceRedefinitionError,
  InvalidInterfaceNameError,
  interfaceNamed,
  isInterface,
  Method,
  NotAnInterfaceError,
  type InterfaceSpec,
} from './index.js';

let counter = 0;
/** A fresh dotted name: interfaces are global by name. */
const fresh = (short: string): string => `test.interface${++counter}.${short}`;

describe('defineInterface', () => {
  it('a name and options → a callable interface with name, doc, members, bases', () => {
    const name = fresh('ICounter');
    const value = Attribute('counts');
    const I = defineInterface<{ value: number }>(name, { doc: 'Counts page views', members: { value } });
    expect(typeof I).toBe('function');
    expect(I.name).toBe(name);
    expect(I.doc).toBe('Counts page views');
    expect(I.members).toEqual({ value });
    expect(I.bases).toEqual([]);
    expect(isInterface(I)).toBe(true);
  });

  it('no options → empty doc, no members, no bases', () => {
    const I = defineInterface(fresh('IEmpty'));
    expect(I.doc).toBe('');
    expect(I.members).toEqual({});
    expect(I.bases).toEqual([]);
  });

  it('same name, same bases and members → the same object', () => {
    const name = fresh('ISame');
    const IBase = defineInterface(fresh('IBase'));
    const a = defineInterface(name, { extends: [IBase], members: { value: Attribute('v'), m: Method('m', { params: ['x'] }) } });
    const b = defineInterface(name, { extends: [IBase], members: { m: Method('other doc', { params: ['x'] }), value: Attribute('v') } });
    expect(b).toBe(a);
  });

  it('same name, different bases → InterfaceRedefinitionError', () => {
    const name = fresh('IRedef');
    const IA = defineInterface(fresh('IA'));
    defineInterface(name, { extends: [IA] });
    expect(() => defineInterface(name)).toThrow(InterfaceRedefinitionError);
    expect(() => defineInterface(name, { extends: [defineInterface(fresh('IOther'))] })).toThrow(InterfaceRedefinitionError);
  });

  it('same name, different members → InterfaceRedefinitionError naming the interface', () => {
    const name = fresh('IRedefMembers');
    defineInterface(name, { members: { value: Attribute() } });
    expect(() => defineInterface(name, { members: { other: Attribute() } })).toThrow(InterfaceRedefinitionError);
    expect(() => defineInterface(name, { members: { value: Method() } })).toThrow(InterfaceRedefinitionError);
    expect(() => defineInterface(name, { members: {} })).toThrow(new RegExp(name.replace(/\./g, '\\.')));
  });

  it('same name, different method params → InterfaceRedefinitionError', () => {
    const name = fresh('IRedefParams');
    defineInterface(name, { members: { m: Method('', { params: ['a'] }) } });
    expect(() => defineInterface(name, { members: { m: Method('', { params: ['a', 'b'] }) } })).toThrow(
      InterfaceRedefinitionError,
    );
  });

  it('a name that is not a string → InvalidInterfaceNameError', () => {
    expect(() => defineInterface(42 as unknown as string)).toThrow(InvalidInterfaceNameError);
    expect(() => defineInterface(undefined as unknown as string)).toThrow(InvalidInterfaceNameError);
  });

  it('a name without a dot or empty → InvalidInterfaceNameError', () => {
    expect(() => defineInterface('ICounter')).toThrow(InvalidInterfaceNameError);
    expect(() => defineInterface('')).toThrow(InvalidInterfaceNameError);
    expect(() => defineInterface('my app.ICounter')).toThrow(InvalidInterfaceNameError);
    expect(() => defineInterface('myapp.')).toThrow(InvalidInterfaceNameError);
    expect(() => defineInterface('.ICounter')).toThrow(InvalidInterfaceNameError);
  });

  it('a non-interface in extends → NotAnInterfaceError', () => {
    expect(() => defineInterface(fresh('IBad'), { extends: [{} as InterfaceSpec] })).toThrow(NotAnInterfaceError);
    expect(() => defineInterface(fresh('IBad'), { extends: [class {} as unknown as InterfaceSpec] })).toThrow(
      NotAnInterfaceError,
    );
    expect(() => defineInterface(fresh('IBad'), { extends: 'x' as unknown as InterfaceSpec[] })).toThrow(
      NotAnInterfaceError,
    );
  });

  it('a failed definition → the name stays free', () => {
    const name = fresh('IFree');
    expect(() => defineInterface(name, { extends: [null as unknown as InterfaceSpec] })).toThrow(NotAnInterfaceError);
    expect(defineInterface(name).name).toBe(name);
  });

  it('redefinition extending something that extends it → CyclicInterfaceError', () => {
    const nameA = fresh('IA');
    const IA = defineInterface(nameA);
    const IB = defineInterface(fresh('IB'), { extends: [IA] });
    expect(() => defineInterface(nameA, { extends: [IB] })).toThrow(CyclicInterfaceError);
    expect(() => defineInterface(nameA, { extends: [IA] })).toThrow(CyclicInterfaceError);
  });

  it('inconsistent bases → InconsistentResolutionOrderError', () => {
    const IA = defineInterface(fresh('IA'));
    const IB = defineInterface(fresh('IB'), { extends: [IA] });
    expect(() => defineInterface(fresh('IC'), { extends: [IA, IB] })).toThrow(InconsistentResolutionOrderError);
  });
});

describe('InterfaceSpec#id', () => {
  it('any interface → Symbol.for("dovetail:" + name)', () => {
    const name = fresh('IId');
    const I = defineInterface(name);
    expect(I.id).toBe(Symbol.for(`dovetail:${name}`));
  });
});

describe('InterfaceSpec#iro', () => {
  it('no bases → [itself, Interface]', () => {
    const I = defineInterface(fresh('I'));
    expect(I.iro).toEqual([I, Interface]);
    expect(I.sro).toEqual(I.iro);
  });

  it('diamond ID(IB, IC) with IB(IA), IC(IA) → [ID, IB, IC, IA, Interface]', () => {
    const IA = defineInterface(fresh('IA'));
    const IB = defineInterface(fresh('IB'), { extends: [IA] });
    const IC = defineInterface(fresh('IC'), { extends: [IA] });
    const ID = defineInterface(fresh('ID'), { extends: [IB, IC] });
    expect(ID.iro).toEqual([ID, IB, IC, IA, Interface]);
  });

  it('the root listed among the bases → last all the same', () => {
    const IA = defineInterface(fresh('IA'));
    const IB = defineInterface(fresh('IB'), { extends: [IA, Interface] });
    expect(IB.iro).toEqual([IB, IA, Interface]);
    const IC = defineInterface(fresh('IC'), { extends: [Interface] });
    expect(IC.iro).toEqual([IC, Interface]);
  });

  it('the root listed before another base → inconsistent order error (strict c3)', () => {
    const IA = defineInterface(fresh('IA'));
    expect(() => defineInterface(fresh('IB'), { extends: [Interface, IA] })).toThrow(InconsistentResolutionOrderError);
  });

  it('any hierarchy → every iro ends with Interface', () => {
    const IA = defineInterface(fresh('IA'));
    const IB = defineInterface(fresh('IB'), { extends: [IA] });
    const IC = defineInterface(fresh('IC'));
    const ID = defineInterface(fresh('ID'), { extends: [IB, IC, IA] });
    for (const I of [IA, IB, IC, ID]) expect(I.iro[I.iro.length - 1]).toBe(Interface);
    expect(ID.iro).toEqual([ID, IB, IC, IA, Interface]);
  });

  it('the root itself → [root]', () => {
    expect(Interface.iro).toEqual([Interface]);
    expect(Interface.bases).toEqual([]);
  });

  it('the order → frozen', () => {
    const I = defineInterface(fresh('I'));
    expect(Object.isFrozen(I.iro)).toBe(true);
    expect(Object.isFrozen(I.bases)).toBe(true);
    expect(Object.isFrozen(I.members)).toBe(true);
  });
});

describe('InterfaceSpec#extends', () => {
  const IA = defineInterface(fresh('IA'));
  const IB = defineInterface(fresh('IB'), { extends: [IA] });
  const IC = defineInterface(fresh('IC'), { extends: [IB] });

  it('a direct or indirect base → true', () => {
    expect(IB.extends(IA)).toBe(true);
    expect(IC.extends(IA)).toBe(true);
    expect(IC.extends(Interface)).toBe(true);
  });

  it('itself, strict by default → false', () => {
    expect(IA.extends(IA)).toBe(false);
  });

  it('itself with strict false → true', () => {
    expect(IA.extends(IA, false)).toBe(true);
  });

  it('a derived or unrelated interface → false', () => {
    expect(IA.extends(IB)).toBe(false);
    expect(IA.extends(defineInterface(fresh('IX')), false)).toBe(false);
  });
});

describe('InterfaceSpec#isOrExtends', () => {
  it('itself, a base, Interface → true; a derived one → false', () => {
    const IA = defineInterface(fresh('IA'));
    const IB = defineInterface(fresh('IB'), { extends: [IA] });
    expect(IB.isOrExtends(IB)).toBe(true);
    expect(IB.isOrExtends(IA)).toBe(true);
    expect(IB.isOrExtends(Interface)).toBe(true);
    expect(IA.isOrExtends(IB)).toBe(false);
  });
});

describe('InterfaceSpec#names', () => {
  const IA = defineInterface(fresh('IA'), { members: { a: Attribute(), shared: Attribute('from IA') } });
  const IB = defineInterface(fresh('IB'), { extends: [IA], members: { b: Method(), shared: Attribute('from IB') } });

  it('default → own member names only', () => {
    expect(IB.names().sort()).toEqual(['b', 'shared']);
  });

  it('all → inherited names too, each once', () => {
    expect(IB.names(true).sort()).toEqual(['a', 'b', 'shared']);
  });
});

describe('InterfaceSpec#get', () => {
  const shared = Attribute('from IB');
  const IA = defineInterface(fresh('IA'), { members: { a: Attribute('a doc'), shared: Attribute('from IA') } });
  const IB = defineInterface(fresh('IB'), { extends: [IA], members: { shared } });

  it('an inherited member → its description', () => {
    expect(IB.get('a')).toEqual({ kind: 'attribute', doc: 'a doc' });
  });

  it('a member redefined in the derived interface → the derived one wins', () => {
    expect(IB.get('shared')).toBe(shared);
  });

  it('an unknown name or an Object.prototype name → undefined', () => {
    expect(IB.get('nope')).toBeUndefined();
    expect(IB.get('toString')).toBeUndefined();
  });
});

describe('InterfaceSpec#providedBy', () => {
  it('every value → provides Interface', () => {
    for (const v of [null, undefined, 1, 'x', {}, [], () => 0, Object.create(null) as object]) {
      expect(Interface.providedBy(v)).toBe(true);
    }
  });
});

describe('Attribute', () => {
  it('a doc → a frozen attribute description', () => {
    const a = Attribute('doc');
    expect(a).toEqual({ kind: 'attribute', doc: 'doc' });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Attribute().doc).toBe('');
  });
});

describe('Method', () => {
  it('doc and params → a frozen method description', () => {
    const m = Method('doc', { params: ['a', 'b'] });
    expect(m).toEqual({ kind: 'method', doc: 'doc', params: ['a', 'b'] });
    expect(Object.isFrozen(m)).toBe(true);
  });

  it('no params → params absent (arity not checked)', () => {
    expect(Method('doc')).toEqual({ kind: 'method', doc: 'doc' });
    expect(Method().params).toBeUndefined();
    expect(Method('', { params: [] }).params).toEqual([]);
  });
});

describe('isInterface', () => {
  it('an interface → true; functions, objects, primitives → false', () => {
    expect(isInterface(Interface)).toBe(true);
    expect(isInterface(() => 0)).toBe(false);
    expect(isInterface({ iro: [] })).toBe(false);
    expect(isInterface('dovetail.interfaces.Interface')).toBe(false);
    expect(isInterface(null)).toBe(false);
  });
});

describe('InterfaceSpec#toString', () => {
  it('an interface → names it', () => {
    const name = fresh('IShown');
    expect(String(defineInterface(name))).toContain(name);
  });
});

describe('interfaceNamed', () => {
  it('a defined name → that interface; an unknown name → undefined', () => {
    const name = fresh('INamed');
    const I = defineInterface(name);
    expect(interfaceNamed(name)).toBe(I);
    expect(interfaceNamed('dovetail.interfaces.Interface')).toBe(Interface);
    expect(interfaceNamed(fresh('INever'))).toBeUndefined();
  });
});
