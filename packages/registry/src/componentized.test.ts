import { alsoProvides, defineInterface, implementer, NotAnInterfaceError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { Adapter, Componentized } from './componentized.js';
import { Registry } from './components.js';
import { ComponentNotSetError } from './errors.js';
import { withRegistry } from './site.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

let counter = 0;
const iface = <T = unknown>(short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<T> =>
  defineInterface<T>(`test.reg.cz${++counter}.${short}`, { extends: bases });

/** Runs `fn` with a fresh registry current. */
const scoped = <R>(fn: (r: Registry) => R): R => {
  const r = new Registry();
  return withRegistry(r, () => fn(r));
};

describe('Componentized#getComponent', () => {
  it('asked twice → the same adapter, built once; I(host) goes through it', () => {
    scoped((r) => {
      const ICounter = iface<{ value: number }>('ICounter');
      class Host extends Componentized {}
      let built = 0;
      @implementer(ICounter)
      class Counter {
        value = 0;
        constructor(readonly host: Host) {
          built++;
        }
      }
      r.registerAdapter(Counter, Host, ICounter);
      const host = new Host();
      const c = host.getComponent(ICounter);
      expect(c).toBeInstanceOf(Counter);
      expect(host.getComponent(ICounter)).toBe(c);
      expect(ICounter(host)).toBe(c);
      expect(ICounter(host)).toBe(ICounter(host));
      expect(built).toBe(1);
      expect((c as Counter).host).toBe(host);
      expect([...host.componentEntries()]).toEqual([[ICounter, c]]);
    });
  });

  it('no adapter → the fallback (undefined by default), nothing kept', () => {
    scoped(() => {
      const IX = iface('IX');
      class Host extends Componentized {}
      const host = new Host();
      expect(host.getComponent(IX)).toBeUndefined();
      expect(host.getComponent(IX, null)).toBeNull();
      expect(IX(host, 'alt')).toBe('alt');
      expect([...host.componentEntries()]).toEqual([]);
    });
  });

  it('a factory returning null → the fallback', () => {
    scoped((r) => {
      const IX = iface('IX');
      class Host extends Componentized {}
      r.registerAdapter(() => null, Host, IX);
      expect(new Host().getComponent(IX, 'fb')).toBe('fb');
    });
  });

  it('the host provides the interface itself → the host, kept', () => {
    scoped(() => {
      const IX = iface('IX');
      class Host extends Componentized {}
      const host = new Host();
      alsoProvides(host, IX);
      expect(host.getComponent(IX)).toBe(host);
      expect([...host.componentEntries()]).toEqual([[IX, host]]);
    });
  });

  it('static temporaryAdapter → rebuilt every time, not kept', () => {
    scoped((r) => {
      const IX = iface('IX');
      class Host extends Componentized {}
      class Temp {
        static temporaryAdapter = true;
        constructor(readonly host: Host) {}
      }
      r.registerAdapter(Temp, Host, IX);
      const host = new Host();
      const one = IX(host);
      const two = IX(host);
      expect(one).toBeInstanceOf(Temp);
      expect(one).not.toBe(two);
      expect([...host.componentEntries()]).toEqual([]);
    });
  });

  it('instance temporaryAdapter → rebuilt every time', () => {
    scoped((r) => {
      const IX = iface('IX');
      class Host extends Componentized {}
      r.registerAdapter((h: Host) => ({ h, temporaryAdapter: true }), Host, IX);
      const host = new Host();
      expect(host.getComponent(IX)).not.toBe(host.getComponent(IX));
    });
  });

  it('an Adapter subclass registered for two interfaces → after one adaptation, kept for both', () => {
    scoped((r) => {
      const ITest = iface('ITest');
      const ITest3 = iface('ITest3');
      const ITest4 = iface('ITest4');
      class Host extends Componentized {}
      let built = 0;
      @implementer(ITest, ITest3, ITest4)
      class Test extends Adapter<Host> {
        constructor(original: Host) {
          super(original);
          built++;
        }
      }
      r.registerAdapter(Test, Host, [ITest, ITest3]);
      const host = new Host();
      const t = ITest(host);
      expect(t).toBeInstanceOf(Test);
      expect(ITest3(host)).toBe(t);
      expect(built).toBe(1);
      // Twisted's testMultiAdapter: not registered for ITest4 → nothing.
      expect(ITest4(host, null)).toBeNull();
    });
  });

  it('a plain class registered for two interfaces → kept only for the one asked', () => {
    scoped((r) => {
      const IA = iface('IA');
      const IB = iface('IB');
      class Host extends Componentized {}
      @implementer(IA, IB)
      class Plain {
        constructor(readonly host: Host) {}
      }
      r.registerAdapter(Plain, Host, [IA, IB]);
      const host = new Host();
      const a = IA(host);
      expect([...host.componentEntries()].map(([i]) => i)).toEqual([IA]);
      const b = IB(host);
      expect(b).toBeInstanceOf(Plain);
      expect(b).not.toBe(a);
    });
  });

  it('an Adapter with multiComponent = false → kept only for the one asked', () => {
    scoped((r) => {
      const IA = iface('IA');
      const IB = iface('IB');
      class Host extends Componentized {}
      @implementer(IA, IB)
      class Single extends Adapter<Host> {
        static override multiComponent = false;
      }
      r.registerAdapter(Single, Host, [IA, IB]);
      const host = new Host();
      expect(IA(host)).not.toBe(IB(host));
    });
  });
});

describe('Componentized#setComponent', () => {
  it('a component set → getComponent and I(host) return it, no adapter needed', () => {
    scoped(() => {
      const IUserManager = iface<{ users: string[] }>('IUserManager');
      class Host extends Componentized {}
      const host = new Host();
      const manager = { users: ['ann'] };
      host.setComponent(IUserManager, manager);
      expect(host.getComponent(IUserManager)).toBe(manager);
      expect(IUserManager(host)).toBe(manager);
    });
  });

  it('set again → replaced', () => {
    const IX = iface<number>('IX');
    const host = new Componentized();
    host.setComponent(IX, 1);
    host.setComponent(IX, 2);
    expect(host.getComponent(IX)).toBe(2);
  });

  it('a non-interface → NotAnInterfaceError', () => {
    expect(() => new Componentized().setComponent({} as never, 1)).toThrow(NotAnInterfaceError);
  });
});

describe('Componentized#addComponent', () => {
  function setup(r: Registry) {
    const IA = iface('IA');
    const IB = iface('IB');
    const IC = iface('IC');
    class Host extends Componentized {}
    @implementer(IA, IB, IC)
    class AB {
      constructor(readonly host: Host) {}
    }
    r.registerAdapter(AB, Host, [IA, IB]);
    return { IA, IB, IC, Host, AB };
  }

  it('addComponent(AB(h)) → kept for IA and IB (registered), not IC', () => {
    scoped((r) => {
      const { IA, IB, IC, Host, AB } = setup(r);
      const h = new Host();
      const ab = new AB(h);
      h.addComponent(ab);
      expect(h.getComponent(IA)).toBe(ab);
      expect(h.getComponent(IB)).toBe(ab);
      expect(h.getComponent(IC)).toBeUndefined();
    });
  });

  it('with ignoreClass → kept for all three', () => {
    scoped((r) => {
      const { IA, IB, IC, Host, AB } = setup(r);
      const h = new Host();
      const ab = new AB(h);
      h.addComponent(ab, true);
      expect([...h.componentEntries()].map(([i]) => i).sort((x, y) => x.name.localeCompare(y.name))).toEqual([IA, IB, IC]);
      expect(h.getComponent(IC)).toBe(ab);
    });
  });

  it('a subclass host → the adapter registered for the base class counts', () => {
    scoped((r) => {
      const { IA, Host, AB } = setup(r);
      class SubHost extends Host {}
      const h = new SubHost();
      const ab = new AB(h);
      h.addComponent(ab);
      expect(h.getComponent(IA)).toBe(ab);
    });
  });
});

describe('Componentized#unsetComponent', () => {
  it('absent → ComponentNotSetError naming the interface', () => {
    const IX = iface('IX');
    const host = new Componentized();
    let error: unknown;
    try {
      host.unsetComponent(IX);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ComponentNotSetError);
    expect((error as ComponentNotSetError).code).toBe('DT_REG_COMPONENT_NOT_SET');
    expect((error as Error).message).toContain(IX.name);
  });

  it('present → removed; the next adaptation builds a new one', () => {
    scoped((r) => {
      const IX = iface('IX');
      class Host extends Componentized {}
      r.registerAdapter((h: Host) => ({ h }), Host, IX);
      const host = new Host();
      const first = IX(host);
      host.unsetComponent(IX);
      expect([...host.componentEntries()]).toEqual([]);
      expect(IX(host)).not.toBe(first);
    });
  });
});

describe('Componentized#removeComponent', () => {
  it('a component kept for two interfaces → removed from both, returns them', () => {
    scoped((r) => {
      const IA = iface('IA');
      const IB = iface('IB');
      class Host extends Componentized {}
      @implementer(IA, IB)
      class Both extends Adapter<Host> {}
      r.registerAdapter(Both, Host, [IA, IB]);
      const host = new Host();
      const both = IA(host);
      expect(IB(host)).toBe(both);
      expect(host.removeComponent(both)).toEqual([IA, IB]);
      expect([...host.componentEntries()]).toEqual([]);
      // Twisted's testInheritanceAdaptation: removing forces a fresh adapter.
      expect(IA(host)).not.toBe(both);
    });
  });

  it('a component not kept → empty list', () => {
    expect(new Componentized().removeComponent({})).toEqual([]);
  });
});

describe('Adapter#conform', () => {
  it('IElapsed(IAdept(c)) → re-adapts the original Componentized through its cache', () => {
    scoped((r) => {
      const IAdept = iface('IAdept');
      const IElapsed = iface<{ elapsed: number }>('IElapsed');
      class Compo extends Componentized {}
      @implementer(IAdept)
      class Adept extends Adapter<Compo> {}
      @implementer(IElapsed)
      class Elapsed extends Adapter<Compo> {
        elapsed = 0;
      }
      r.registerAdapter(Adept, Compo, IAdept);
      r.registerAdapter(Elapsed, Compo, IElapsed);
      const c = new Compo();
      const adept = IAdept(c) as Adept;
      expect(adept.original).toBe(c);
      const elapsed = IElapsed(adept);
      expect(elapsed).toBeInstanceOf(Elapsed);
      expect(elapsed).toBe(IElapsed(c));
      expect((elapsed as Elapsed).original).toBe(c);
    });
  });

  it('an original without conform → ordinary adaptation of the adapter', () => {
    scoped((r) => {
      const IX = iface<string>('IX');
      class Wrapper extends Adapter<{ plain: true }> {}
      r.registerAdapter(() => 'from-wrapper', Wrapper, IX);
      expect(IX(new Wrapper({ plain: true }))).toBe('from-wrapper');
    });
  });

  it('defaults → temporaryAdapter false, multiComponent true', () => {
    expect(Adapter.temporaryAdapter).toBe(false);
    expect(Adapter.multiComponent).toBe(true);
  });
});
