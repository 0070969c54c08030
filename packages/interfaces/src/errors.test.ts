import { describe as group, expect, it } from '@jest/globals';
import {
  AdaptationError,
  BrokenImplementation,
  CyclicInterfaceError,
  defineInterface,
  DovetailError,
  InconsistentResolutionOrderError,
  InterfaceRedefinitionError,
  InterfacesError,
  InvalidDeclarationTargetError,
  InvalidInterfaceNameError,
  isDovetailError,
  NotAnInterfaceError,
  NullAdaptationError,
  StillProvidedError,
} from './index.js';
import { describe } from './internal.js';

group('describe', () => {
  it('null and undefined → their names', () => {
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
  });

  it('a string → quoted, long ones cut', () => {
    expect(describe('abc')).toBe('"abc"');
    expect(describe('x'.repeat(100))).toBe(JSON.stringify(`${'x'.repeat(40)}…`));
  });

  it('numbers, booleans, bigints, symbols → kind and value', () => {
    expect(describe(3)).toBe('number 3');
    expect(describe(true)).toBe('boolean true');
    expect(describe(2n)).toBe('bigint 2');
    expect(describe(Symbol('s'))).toBe('Symbol(s)');
  });

  it('classes and functions → kind and name', () => {
    class Counter {}
    function make(): void {}
    expect(describe(Counter)).toBe('class Counter');
    expect(describe(make)).toBe('function make');
    expect(describe(Object.defineProperty(() => 0, 'name', { value: '' }))).toBe('function (anonymous)');
  });

  it('objects → instance of their class, plain, array, null-prototype', () => {
    class Session {}
    expect(describe(new Session())).toBe('a Session instance');
    expect(describe({})).toBe('a plain object');
    expect(describe([1, 2])).toBe('an array of 2');
    expect(describe(Object.create(null))).toBe('a null-prototype object');
  });

  it('an interface → its name', () => {
    const I = defineInterface('test.errors.IDescribed');
    expect(describe(I)).toBe('<Interface test.errors.IDescribed>');
  });

  it('an object whose toString or constructor getter throws → never throws', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('no');
        },
      },
    );
    expect(() => describe(hostile)).not.toThrow();
  });
});

const errors: [string, Error, string][] = [
  ['InvalidInterfaceNameError', new InvalidInterfaceNameError('x'), 'DT_IFACE_INVALID_NAME'],
  ['InterfaceRedefinitionError', new InterfaceRedefinitionError('a.I', 'bases differ'), 'DT_IFACE_REDEFINED'],
  ['InconsistentResolutionOrderError', new InconsistentResolutionOrderError('a.I', [['a.X', 'a.Y']]), 'DT_IFACE_INCONSISTENT_ORDER'],
  ['CyclicInterfaceError', new CyclicInterfaceError('a.I'), 'DT_IFACE_CYCLE'],
  ['BrokenImplementation', new BrokenImplementation('a.I', 'a Thing instance', ['x missing']), 'DT_IFACE_BROKEN_IMPLEMENTATION'],
  ['StillProvidedError', new StillProvidedError('a.I', 'a Thing instance'), 'DT_IFACE_STILL_PROVIDED'],
];

// An argument of the wrong type is a TypeError in zope; these carry their code all the same.
const typeErrors: [string, Error, string][] = [
  ['NotAnInterfaceError', new NotAnInterfaceError('classImplements()', 1), 'DT_IFACE_NOT_AN_INTERFACE'],
  ['InvalidDeclarationTargetError', new InvalidDeclarationTargetError('implementedBy()', 1, 'a class'), 'DT_IFACE_INVALID_TARGET'],
  ['AdaptationError', new AdaptationError('a.I', {}, ['hook h']), 'DT_IFACE_COULD_NOT_ADAPT'],
  ['NullAdaptationError', new NullAdaptationError('a.I', null), 'DT_IFACE_ADAPT_NOTHING'],
];

group('InterfacesError', () => {
  it.each(errors)('%s → stable name and code, a DovetailError', (name, error, code) => {
    expect(error.name).toBe(name);
    expect((error as InterfacesError).code).toBe(code);
    expect(error).toBeInstanceOf(InterfacesError);
    expect(error).toBeInstanceOf(DovetailError);
    expect(error).toBeInstanceOf(Error);
    expect(isDovetailError(error)).toBe(true);
    expect(error.message.length).toBeGreaterThan(20);
  });

  it.each(typeErrors)('%s → stable name and code, a TypeError that isDovetailError recognises', (name, error, code) => {
    expect(error.name).toBe(name);
    expect((error as { code?: string }).code).toBe(code);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(DovetailError);
    expect(isDovetailError(error)).toBe(true);
    expect(error.message.length).toBeGreaterThan(20);
  });

  it('invalid name → shows what was given and an example name', () => {
    const e = new InvalidInterfaceNameError(42);
    expect(e.message).toContain('number 42');
    expect(e.message).toContain("'myapp.ICounter'");
    expect(e.given).toBe(42);
  });

  it('inconsistent order → lists the orders that disagree', () => {
    const e = new InconsistentResolutionOrderError('a.I', [['a.X', 'a.Y'], ['a.Y', 'a.X']]);
    expect(e.message).toContain('[a.X, a.Y], [a.Y, a.X]');
    expect(e.subject).toBe('a.I');
  });

  it('broken implementation → lists every problem', () => {
    const e = new BrokenImplementation('a.I', 'a Thing instance', ['x missing', 'y missing']);
    expect(e.message).toContain('x missing; y missing');
    expect(e.problems).toEqual(['x missing', 'y missing']);
  });
});

group('AdaptationError', () => {
  it('a class instance → a TypeError naming interface, object, consulted, and a registerAdapter hint', () => {
    class Session {}
    const e = new AdaptationError('myapp.ICounter', new Session(), ['what it provides', 'hook h']);
    expect(e).toBeInstanceOf(TypeError);
    expect(e).not.toBeInstanceOf(DovetailError);
    expect(e.name).toBe('AdaptationError');
    expect(e.code).toBe('DT_IFACE_COULD_NOT_ADAPT');
    expect(e.message).toContain('myapp.ICounter');
    expect(e.message).toContain('a Session instance');
    expect(e.message).toContain('what it provides, hook h');
    expect(e.message).toContain('registerAdapter(Factory, Session, myapp.ICounter)');
  });
});

group('NullAdaptationError', () => {
  it('null → an AdaptationError suggesting a fallback', () => {
    const e = new NullAdaptationError('myapp.ICounter', null);
    expect(e).toBeInstanceOf(AdaptationError);
    expect(e.name).toBe('NullAdaptationError');
    expect(e.code).toBe('DT_IFACE_ADAPT_NOTHING');
    expect(e.message).toContain('null');
    expect(e.message).toContain('myapp.ICounter(value, null)');
    expect(e.object).toBeNull();
  });
});

group('isDovetailError', () => {
  it('errors that are not ours → false, whatever their shape', () => {
    expect(isDovetailError(new TypeError('x'))).toBe(false);
    expect(isDovetailError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isDovetailError({ code: 'DT_IFACE_CYCLE', message: 'not an Error' })).toBe(false);
    expect(isDovetailError(null)).toBe(false);
    expect(isDovetailError('DT_IFACE_CYCLE')).toBe(false);
  });

  it('an error thrown by the API → narrowed to one carrying its code', () => {
    let caught: unknown;
    try {
      defineInterface('test.errors.IBadBase', { extends: [42 as never] });
    } catch (e) {
      caught = e;
    }
    expect(isDovetailError(caught)).toBe(true);
    if (isDovetailError(caught)) expect(caught.code).toBe('DT_IFACE_NOT_AN_INTERFACE');
  });
});
