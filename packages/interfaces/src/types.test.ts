/**
 * Compile-time checks of the public generics (every public generic has type tests). jest runs this file, but its
 * real assertions are the types: `npm run typecheck` fails when one of them no longer holds.
 */
import { describe, expect, it } from '@jest/globals';
import {
  Attribute,
  defineInterface,
  implementedBy,
  implementer,
  Interface,
  verifyObject,
  type InterfaceId,
  type InterfaceSpec,
} from './index.js';

/** Fails to compile unless `A` and `B` are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

interface Counter {
  value: number;
}
const ICounter = defineInterface<Counter>('test.types.ICounter', {
  members: { value: Attribute('An int value which counts up once per page view.') },
});

@implementer(ICounter)
class CounterImpl implements Counter {
  value = 0;
}

describe('InterfaceSpec#call (types)', () => {
  it('i(x) → t; i(x, null) → t | null; i(x, fallback) → t | f', () => {
    const obj: unknown = new CounterImpl();
    const c = ICounter(obj);
    expectType<Equal<typeof c, Counter>>();
    const maybe = ICounter(obj, null);
    expectType<Equal<typeof maybe, Counter | null>>();
    const orString = ICounter(obj, 'none');
    expectType<Equal<typeof orString, Counter | 'none'>>();
    const counted: number = ICounter(obj).value;
    // @ts-expect-error the fallback may be null
    const unsafe: number = ICounter(obj, null).value;
    void unsafe;
    // @ts-expect-error a Counter has no 'missing' member
    void ICounter(obj).missing;
    expect(counted).toBe(0);
  });

  it('providedBy → narrows to T', () => {
    const x: unknown = new CounterImpl();
    if (ICounter.providedBy(x)) {
      expectType<Equal<typeof x, Counter>>();
      expect(x.value).toBe(0);
    } else {
      throw new Error('expected the counter to provide ICounter');
    }
    const y: unknown = {};
    // @ts-expect-error unknown has no 'value' before narrowing
    void y.value;
  });

  it('verifyObject → narrows to T', () => {
    const x: unknown = new CounterImpl();
    if (verifyObject(ICounter, x)) expectType<Equal<typeof x, Counter>>();
  });

  it('a typed spec → assignable to InterfaceSpec<unknown>, id typed by t', () => {
    const any: InterfaceSpec = ICounter;
    expectType<Equal<typeof ICounter.id, InterfaceId<Counter>>>();
    expectType<Equal<typeof Interface, InterfaceSpec<unknown>>>();
    expect(any).toBe(ICounter);
  });

  it('defineInterface without T → InterfaceSpec<unknown>', () => {
    const I = defineInterface('test.types.IUntyped');
    expectType<Equal<typeof I, InterfaceSpec<unknown>>>();
    expectType<Equal<ReturnType<typeof I>, unknown>>();
  });

  it('defineInterface options → checked', () => {
    // Never called: only the types matter here.
    const misuse = (): void => {
      // @ts-expect-error members must be Attribute()/Method() descriptions
      defineInterface('test.types.IBadMembers', { members: { value: 1 } });
      // @ts-expect-error extends takes interfaces
      defineInterface('test.types.IBadExtends', { extends: [CounterImpl] });
      // @ts-expect-error the name is a string
      defineInterface(42);
    };
    expect(typeof misuse).toBe('function');
  });

  it('implementer → a decorator for classes and a plain call on functions', () => {
    function factory(): Counter {
      return { value: 1 };
    }
    implementer(ICounter)(factory);
    implementer(ICounter)(() => ({ value: 2 }));
    expect(ICounter.implementedBy(factory)).toBe(true);
    expect(implementedBy(CounterImpl).isOrExtends(ICounter)).toBe(true);
  });
});
