import { afterEach, describe, expect, it } from '@jest/globals';
import {
  AdaptationError,
  adapterHooks,
  adaptDirect,
  alsoProvides,
  classImplements,
  conform,
  defineInterface,
  implementer,
  Interface,
  NullAdaptationError,
  type AdapterHook,
  type InterfaceSpec,
} from './index.js';

let counter = 0;
const fresh = (short: string): string => `test.adapt${++counter}.${short}`;

/** Hooks installed by a test, removed after it. */
const installed: AdapterHook[] = [];
function hook(fn: AdapterHook): AdapterHook {
  adapterHooks.push(fn);
  installed.push(fn);
  return fn;
}
afterEach(() => {
  for (const fn of installed.splice(0)) adapterHooks.splice(adapterHooks.indexOf(fn), 1);
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('InterfaceSpec#call', () => {
  it('an object with a conform method returning an adapter → that adapter, before providedBy', () => {
    const I = defineInterface(fresh('I'));
    const adapter = { adapted: true };
    @implementer(I)
    class Thing {
      [conform](iface: InterfaceSpec): unknown {
        return iface === I ? adapter : null;
      }
    }
    expect(I(new Thing())).toBe(adapter);
  });

  it('conform → called with the interface, on the object', () => {
    const I = defineInterface(fresh('I'));
    const calls: [unknown, InterfaceSpec][] = [];
    const obj = {
      [conform](this: unknown, iface: InterfaceSpec): unknown {
        calls.push([this, iface]);
        return 'ok';
      },
    };
    expect(I(obj)).toBe('ok');
    expect(calls).toEqual([[obj, I]]);
  });

  it('conform returning null or undefined → protocol continues to providedBy', () => {
    const I = defineInterface(fresh('I'));
    @implementer(I)
    class Thing {
      [conform](): unknown {
        return null;
      }
    }
    const t = new Thing();
    expect(I(t)).toBe(t);
    const u = { [conform]: (): undefined => undefined };
    alsoProvides(u, I);
    expect(I(u)).toBe(u);
  });

  it('conform returning null → protocol continues to the hooks', () => {
    const I = defineInterface(fresh('I'));
    hook((iface) => (iface === I ? 'from hook' : null));
    expect(I({ [conform]: (): null => null })).toBe('from hook');
  });

  it('conform that throws → the error propagates', () => {
    const I = defineInterface(fresh('I'));
    const boom = new Error('boom');
    expect(() =>
      I({
        [conform](): never {
          throw boom;
        },
      }),
    ).toThrow(boom);
  });

  it('an object that provides the interface → the object itself, hooks not consulted', () => {
    const I = defineInterface(fresh('I'));
    let called = false;
    hook(() => {
      called = true;
      return 'hook';
    });
    @implementer(I)
    class Thing {}
    const t = new Thing();
    expect(I(t)).toBe(t);
    expect(called).toBe(false);
  });

  it('an object providing a derived interface → the object itself', () => {
    const IA = defineInterface(fresh('IA'));
    const IB = defineInterface(fresh('IB'), { extends: [IA] });
    const o = {};
    alsoProvides(o, IB);
    expect(IA(o)).toBe(o);
  });

  it('any value to Interface → the value itself', () => {
    const o = {};
    expect(Interface(o)).toBe(o);
    expect(Interface('x')).toBe('x');
    expect(Interface(0)).toBe(0);
  });

  it('a primitive of a declared builtin → the primitive itself', () => {
    const I = defineInterface(fresh('I'));
    classImplements(Boolean, I);
    expect(I(true)).toBe(true);
  });

  it('a primitive → handed to the hooks as it is', () => {
    const I = defineInterface(fresh('I'));
    hook((iface, obj) => (iface === I && typeof obj === 'number' ? `n${obj}` : null));
    expect(I(5)).toBe('n5');
  });

  it('several hooks → consulted in order, the first non-null result wins', () => {
    const I = defineInterface(fresh('I'));
    const seen: string[] = [];
    hook(() => {
      seen.push('first');
      return null;
    });
    hook(() => {
      seen.push('second');
      return undefined;
    });
    hook(() => {
      seen.push('third');
      return 'third';
    });
    hook(() => {
      seen.push('fourth');
      return 'fourth';
    });
    expect(I({})).toBe('third');
    expect(seen).toEqual(['first', 'second', 'third']);
  });

  it('a hook → called with the interface and the object', () => {
    const I = defineInterface(fresh('I'));
    const args: unknown[][] = [];
    hook((...a) => {
      args.push(a);
      return null;
    });
    const o = {};
    I(o, null);
    expect(args).toEqual([[I, o]]);
  });

  it('a hook returning a falsy non-null value → that value', () => {
    const I = defineInterface(fresh('I'));
    hook(() => 0);
    expect(I({})).toBe(0);
  });

  it('a hook that throws → the error propagates, even with a fallback', () => {
    const I = defineInterface(fresh('I'));
    const boom = new Error('boom');
    hook(() => {
      throw boom;
    });
    expect(() => I({}, null)).toThrow(boom);
  });

  it('nothing adapts, fallback given → the fallback', () => {
    const I = defineInterface(fresh('I'));
    const fallback = { fallback: true };
    expect(I({}, fallback)).toBe(fallback);
    expect(I({}, null)).toBeNull();
    expect(I({}, undefined)).toBeUndefined();
  });

  it('nothing adapts, no fallback → AdaptationError, a TypeError', () => {
    const I = defineInterface(fresh('I'));
    const e = caught(() => I({}));
    expect(e).toBeInstanceOf(AdaptationError);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as AdaptationError).name).toBe('AdaptationError');
    expect((e as AdaptationError).code).toBe('DT_IFACE_COULD_NOT_ADAPT');
  });

  it('the error message → names the interface, the object and what was consulted', () => {
    const I = defineInterface(fresh('IWidget'));
    class Gadget {
      [conform](): null {
        return null;
      }
    }
    hook(function registryHook() {
      return null;
    });
    const e = caught(() => I(new Gadget())) as AdaptationError;
    expect(e.message).toContain(I.name);
    expect(e.message).toContain('Gadget');
    expect(e.message).toContain('[conform]');
    expect(e.message).toContain('registryHook');
    expect(e.interfaceName).toBe(I.name);
    expect(e.consulted.length).toBeGreaterThanOrEqual(3);
  });

  it('no hooks installed → the message says so', () => {
    const I = defineInterface(fresh('I'));
    const saved = adapterHooks.splice(0);
    try {
      expect(() => I({})).toThrow(/no adapter hooks/);
    } finally {
      adapterHooks.push(...saved);
    }
  });

  it('null or undefined, no fallback → NullAdaptationError, an AdaptationError', () => {
    const I = defineInterface(fresh('I'));
    for (const v of [null, undefined]) {
      const e = caught(() => I(v));
      expect(e).toBeInstanceOf(NullAdaptationError);
      expect(e).toBeInstanceOf(AdaptationError);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).name).toBe('NullAdaptationError');
      expect((e as NullAdaptationError).code).toBe('DT_IFACE_ADAPT_NOTHING');
      expect((e as Error).message).toContain(I.name);
      expect((e as Error).message).toContain(String(v));
    }
  });

  it('null or undefined with a fallback → the fallback, hooks not consulted', () => {
    const I = defineInterface(fresh('I'));
    let called = false;
    hook(() => {
      called = true;
      return 'x';
    });
    expect(I(null, 'fb')).toBe('fb');
    expect(I(undefined, null)).toBeNull();
    expect(called).toBe(false);
  });

  it('a primitive nothing adapts → AdaptationError, never a crash', () => {
    const I = defineInterface(fresh('I'));
    expect(() => I('text')).toThrow(AdaptationError);
    expect(() => I(Symbol('s'))).toThrow(AdaptationError);
    expect(I(42, 'fb')).toBe('fb');
  });

  it('a null-prototype object → adapts through hooks', () => {
    const I = defineInterface(fresh('I'));
    hook((iface) => (iface === I ? 'adapted' : null));
    expect(I(Object.create(null))).toBe('adapted');
  });
});

describe('conform', () => {
  it('the symbol → Symbol.for("dovetail:conform"), shared by copies of the package', () => {
    expect(conform).toBe(Symbol.for('dovetail:conform'));
  });
});

describe('adaptDirect', () => {
  it('an object with conform → conform skipped, providedBy and hooks consulted', () => {
    const I = defineInterface(fresh('I'));
    let conformed = false;
    const o = {
      [conform](): string {
        conformed = true;
        return 'conform';
      },
    };
    expect(adaptDirect(I, o)).toBeUndefined();
    alsoProvides(o, I);
    expect(adaptDirect(I, o)).toBe(o);
    const p = { [conform]: (): string => 'conform' };
    hook((iface) => (iface === I ? 'hook' : null));
    expect(adaptDirect(I, p)).toBe('hook');
    expect(conformed).toBe(false);
  });

  it('nothing adapts → undefined, never a throw', () => {
    expect(adaptDirect(defineInterface(fresh('I')), {})).toBeUndefined();
    expect(adaptDirect(defineInterface(fresh('I')), null)).toBeUndefined();
  });
});
