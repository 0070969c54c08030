import { describe, expect, it } from '@jest/globals';
import {
  alsoProvides,
  Attribute,
  BrokenImplementation,
  defineInterface,
  implementer,
  Method,
  NotAnInterfaceError,
  verifyClass,
  verifyObject,
  type InterfaceSpec,
} from './index.js';

let counter = 0;
const fresh = (short: string): string => `test.verify${++counter}.${short}`;

function caught(fn: () => unknown): BrokenImplementation {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BrokenImplementation);
    return e as BrokenImplementation;
  }
  throw new Error('expected BrokenImplementation');
}

interface Greeter {
  greeting: string;
  greet(name: string, punctuation: string): string;
}
const IBase = defineInterface(fresh('IBase'), { members: { id: Attribute('An id') } });
const IGreeter = defineInterface<Greeter>(fresh('IGreeter'), {
  extends: [IBase],
  members: {
    greeting: Attribute('The greeting word'),
    greet: Method('Greets someone', { params: ['name', 'punctuation'] }),
  },
});

@implementer(IGreeter)
class GoodGreeter implements Greeter {
  id = 1;
  greeting = 'hello';
  greet(name: string, punctuation: string): string {
    return `${this.greeting} ${name}${punctuation}`;
  }
}

describe('verifyObject', () => {
  it('a complete, declared implementation → true', () => {
    expect(verifyObject(IGreeter, new GoodGreeter())).toBe(true);
  });

  it('a method taking fewer parameters than the contract → fine', () => {
    const o = { id: 1, greeting: 'hi', greet: (): string => 'hi' };
    alsoProvides(o, IGreeter);
    expect(verifyObject(IGreeter, o)).toBe(true);
  });

  it('an attribute that is present but undefined → counts as present', () => {
    const o = { id: undefined, greeting: 'hi', greet: (): string => 'hi' };
    alsoProvides(o, IGreeter);
    expect(verifyObject(IGreeter, o)).toBe(true);
  });

  it('members on the prototype chain → found', () => {
    class Proto {
      get id(): number {
        return 1;
      }
      greeting = 'x';
      greet(): string {
        return '';
      }
    }
    const o = new Proto();
    alsoProvides(o, IGreeter);
    expect(verifyObject(IGreeter, o)).toBe(true);
  });

  it('several problems → one BrokenImplementation listing them all', () => {
    const IWide = defineInterface(fresh('IWide'), {
      members: { a: Attribute(), b: Attribute(), m: Method(), n: Method('', { params: ['x'] }) },
    });
    const o = { a: 1, m: 'not a function', n: (x: number, y: number): number => x + y };
    const e = caught(() => verifyObject(IWide, o));
    expect(e.problems).toHaveLength(4); // not declared, b missing, m not a method, n arity
    expect(e.message).toContain(IWide.name);
    expect(e.message).toMatch(/does not declare/);
    expect(e.message).toMatch(/'b' is missing/);
    expect(e.message).toMatch(/'m' should be a method/);
    expect(e.message).toMatch(/'n' requires 2 arguments/);
  });

  it('a missing inherited member → reported', () => {
    const o = { greeting: 'hi', greet: (): string => '' };
    alsoProvides(o, IGreeter);
    const e = caught(() => verifyObject(IGreeter, o));
    expect(e.problems).toEqual([expect.stringMatching(/'id' is missing/)]);
  });

  it('not declared → reported; tentative → declaration not checked', () => {
    const o = { id: 1, greeting: 'hi', greet: (): string => '' };
    const e = caught(() => verifyObject(IGreeter, o));
    expect(e.problems).toEqual([expect.stringMatching(/does not declare/)]);
    expect(verifyObject(IGreeter, o, { tentative: true })).toBe(true);
  });

  it('a method requiring more arguments than the contract params → reported', () => {
    const o = { id: 1, greeting: 'hi', greet: (a: string, b: string, c: string): string => a + b + c };
    alsoProvides(o, IGreeter);
    const e = caught(() => verifyObject(IGreeter, o));
    expect(e.problems).toEqual([expect.stringMatching(/'greet' requires 3 arguments/)]);
  });

  it('a method with defaults or rest parameters beyond the contract → fine (fn.length ignores them)', () => {
    const o = { id: 1, greeting: 'hi', greet: (a: string, b = '!', ...rest: string[]): string => a + b + rest.join() };
    alsoProvides(o, IGreeter);
    expect(verifyObject(IGreeter, o)).toBe(true);
  });

  it('a Method without params → arity not checked', () => {
    const IAny = defineInterface(fresh('IAny'), { members: { run: Method('runs') } });
    const o = { run: (a: number, b: number): number => a + b };
    expect(verifyObject(IAny, o, { tentative: true })).toBe(true);
  });

  it('a primitive or null candidate → BrokenImplementation, never a crash', () => {
    expect(caught(() => verifyObject(IGreeter, null)).problems.length).toBeGreaterThan(1);
    expect(caught(() => verifyObject(IGreeter, 'x')).problems.length).toBeGreaterThan(1);
  });

  it('a non-interface → NotAnInterfaceError', () => {
    expect(() => verifyObject({} as InterfaceSpec, {})).toThrow(NotAnInterfaceError);
  });

  it('the error → stable name and code, names the candidate', () => {
    const e = caught(() => verifyObject(IGreeter, new (class Bad {})()));
    expect(e.name).toBe('BrokenImplementation');
    expect(e.code).toBe('DT_IFACE_BROKEN_IMPLEMENTATION');
    expect(e.interfaceName).toBe(IGreeter.name);
    expect(e.message).toContain('Bad');
  });
});

describe('verifyClass', () => {
  it('a declared class with its methods → true', () => {
    expect(verifyClass(IGreeter, GoodGreeter)).toBe(true);
  });

  it('attributes → skipped (the constructor may create them)', () => {
    @implementer(IGreeter)
    class MethodsOnly {
      greet(): string {
        return '';
      }
    }
    expect(verifyClass(IGreeter, MethodsOnly)).toBe(true);
  });

  it('a missing method, an arity problem and no declaration → all listed', () => {
    const IMore = defineInterface(fresh('IMore'), {
      members: { a: Method(), b: Method('', { params: [] }), c: Attribute() },
    });
    class Bad {
      b(x: number): number {
        return x;
      }
    }
    const e = caught(() => verifyClass(IMore, Bad));
    expect(e.problems).toHaveLength(3);
    expect(e.message).toMatch(/'a' is missing/);
    expect(e.message).toMatch(/'b' requires 1 arguments/);
  });

  it('inherited methods → found on the prototype chain', () => {
    class Base {
      greet(): string {
        return '';
      }
    }
    @implementer(IGreeter)
    class Derived extends Base {}
    expect(verifyClass(IGreeter, Derived)).toBe(true);
  });
});
