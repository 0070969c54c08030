import { setImmediate as tick } from 'node:timers/promises';
import { AdaptationError, adapterHooks, alsoProvides, defineInterface, implementer, NullAdaptationError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { Registry } from './components.js';
import { ComponentLookupError } from './errors.js';
import { IObjectEvent } from './events.js';
import {
  getAdapter,
  getCurrentRegistry,
  getGlobalRegistry,
  getMultiAdapter,
  getUtility,
  handle,
  notify,
  queryAdapter,
  queryMultiAdapter,
  queryUtility,
  registerAdapter,
  registerUtility,
  subscribers,
  withRegistry,
} from './site.js';
import type { ObjectEvent } from './events.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

let counter = 0;
const iface = <T = unknown>(short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<T> =>
  defineInterface<T>(`test.reg.site${++counter}.${short}`, { extends: bases });

const providing = (...ifaces: InterfaceSpec<unknown>[]): object => {
  const o = {};
  alsoProvides(o, ...ifaces);
  return o;
};

describe('getGlobalRegistry', () => {
  it('called twice → the same registry, named global', () => {
    expect(getGlobalRegistry()).toBe(getGlobalRegistry());
    expect(getGlobalRegistry()).toBeInstanceOf(Registry);
    expect(getGlobalRegistry().name).toBe('global');
  });

  it('kept on globalThis → a second copy of the package would find it', () => {
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('dovetail:global-registry')]).toBe(getGlobalRegistry());
  });
});

describe('getCurrentRegistry', () => {
  it('outside any scope → the global registry', () => {
    expect(getCurrentRegistry()).toBe(getGlobalRegistry());
  });

  it('inside withRegistry → that registry', () => {
    const r = new Registry();
    withRegistry(r, () => expect(getCurrentRegistry()).toBe(r));
    expect(getCurrentRegistry()).toBe(getGlobalRegistry());
  });
});

describe('withRegistry', () => {
  it('a sync function → its result; an async one → its promise', async () => {
    const r = new Registry();
    expect(withRegistry(r, () => 42)).toBe(42);
    await expect(withRegistry(r, async () => 43)).resolves.toBe(43);
  });

  it('two scopes running interleaved async work → never see each other’s adapters', async () => {
    const IX = iface<{ app: string }>('IX');
    const IU = iface<string>('IU');
    const IA = iface('IA');
    const apps = ['one', 'two'].map((name) => {
      const r = new Registry({ name });
      r.registerAdapter(() => ({ app: name }), IA, IX);
      r.registerUtility(name, IU);
      return r;
    });
    const obj = providing(IA);
    const seen: string[] = [];
    const work = (r: Registry) =>
      withRegistry(r, async () => {
        const check = (): void => {
          expect(getCurrentRegistry()).toBe(r);
          expect(IX(obj).app).toBe(r.name);
          expect(queryAdapter(obj, IX)?.app).toBe(r.name);
          expect(getUtility(IU)).toBe(r.name);
          seen.push(r.name);
        };
        for (let i = 0; i < 20; i++) {
          check();
          await tick();
          check();
          await new Promise<void>((resolve) => setImmediate(resolve));
          check();
          await Promise.resolve();
          check();
          await new Promise<void>((resolve) => setTimeout(resolve, i % 3));
          check();
          await new Promise<void>((resolve) => queueMicrotask(resolve));
          check();
        }
        return r.name;
      });
    await expect(Promise.all(apps.map(work))).resolves.toEqual(['one', 'two']);
    expect(seen.filter((n) => n === 'one')).toHaveLength(120);
    expect(seen.filter((n) => n === 'two')).toHaveLength(120);
    // Really interleaved: the two scopes alternate somewhere.
    expect(seen.indexOf('two')).toBeLessThan(seen.lastIndexOf('one'));
    expect(seen.indexOf('one')).toBeLessThan(seen.lastIndexOf('two'));
  });

  it('callbacks scheduled inside a scope → run in that scope after it returned', async () => {
    const r = new Registry();
    const later = await new Promise<Registry>((resolve) => {
      withRegistry(r, () => {
        setTimeout(() => resolve(getCurrentRegistry()), 1);
      });
    });
    expect(later).toBe(r);
  });

  it('nested scopes → the innermost wins, the outer comes back after', async () => {
    const IX = iface<string>('IX');
    const IA = iface('IA');
    const outer = new Registry({ name: 'outer' });
    const inner = new Registry({ name: 'inner', bases: [outer] });
    outer.registerAdapter(() => 'outer', IA, IX);
    const obj = providing(IA);
    await withRegistry(outer, async () => {
      expect(IX(obj)).toBe('outer');
      await withRegistry(inner, async () => {
        await tick();
        expect(getCurrentRegistry()).toBe(inner);
        // Through its base.
        expect(IX(obj)).toBe('outer');
        inner.registerAdapter(() => 'inner', IA, IX);
        expect(IX(obj)).toBe('inner');
      });
      expect(getCurrentRegistry()).toBe(outer);
      expect(IX(obj)).toBe('outer');
    });
  });

  it('a throw inside → propagates, the previous registry is current again', async () => {
    const outer = new Registry({ name: 'outer' });
    const inner = new Registry({ name: 'inner' });
    const boom = new Error('boom');
    withRegistry(outer, () => {
      expect(() =>
        withRegistry(inner, () => {
          throw boom;
        }),
      ).toThrow(boom);
      expect(getCurrentRegistry()).toBe(outer);
    });
    expect(getCurrentRegistry()).toBe(getGlobalRegistry());
    await expect(
      withRegistry(inner, async () => {
        await tick();
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(getCurrentRegistry()).toBe(getGlobalRegistry());
  });
});

describe('adapterHooks', () => {
  it('the registry hook → installed once, named currentRegistry', () => {
    expect(adapterHooks.filter((h) => h.name === 'currentRegistry')).toHaveLength(1);
  });

  it('no adapter in the current registry → AdaptationError naming the hook', () => {
    const IX = iface('IX');
    withRegistry(new Registry(), () => {
      const error = (() => {
        try {
          IX({});
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected a throw');
      })();
      expect(error).toBeInstanceOf(AdaptationError);
      expect(error.message).toContain('currentRegistry');
    });
  });
});

describe('InterfaceSpec#call', () => {
  it('null or undefined, even with an adapter for anything → NullAdaptationError; with a fallback → the fallback', () => {
    const IX = iface('IX');
    const r = new Registry();
    r.registerAdapter(() => 'any', null, IX);
    withRegistry(r, () => {
      expect(IX({})).toBe('any');
      expect(() => IX(null)).toThrow(NullAdaptationError);
      expect(() => IX(undefined)).toThrow(NullAdaptationError);
      expect(IX(null, 'fb')).toBe('fb');
    });
  });
});

describe('registerAdapter', () => {
  it('twisted’s signature inside a scope → registered in the current registry only', () => {
    const ICounter = iface<{ value: number }>('ICounter');
    class Session {}
    @implementer(ICounter)
    class Counter {
      value = 0;
      constructor(readonly session: Session) {}
    }
    const r = new Registry();
    withRegistry(r, () => registerAdapter(Counter, Session, ICounter));
    expect(r.queryAdapter(new Session(), ICounter)).toBeInstanceOf(Counter);
    expect(getGlobalRegistry().queryAdapter(new Session(), ICounter)).toBeUndefined();
  });
});

describe('module functions', () => {
  it('adapters, multi-adapters and utilities → go to the current registry', () => {
    const IA = iface('IA');
    const IQ = iface('IQ');
    const IX = iface<string>('IX');
    const IU = iface<string>('IU');
    const r = new Registry({ name: 'scoped' });
    withRegistry(r, () => {
      registerAdapter(() => 'single', IA, IX);
      registerAdapter(() => 'multi', [IA, IQ], IX, { name: 'm' });
      registerUtility('util', IU);
      registerUtility('named', IU, { name: 'n' });
      const a = providing(IA);
      const q = providing(IQ);
      expect(queryAdapter(a, IX)).toBe('single');
      expect(getAdapter(a, IX)).toBe('single');
      expect(queryAdapter(q, IX)).toBeUndefined();
      expect(() => getAdapter(q, IX)).toThrow(ComponentLookupError);
      expect(queryMultiAdapter([a, q], IX, 'm')).toBe('multi');
      expect(getMultiAdapter([a, q], IX, 'm')).toBe('multi');
      expect(queryMultiAdapter([q, a], IX, 'm')).toBeUndefined();
      expect(() => getMultiAdapter([q, a], IX, 'm')).toThrow(ComponentLookupError);
      expect(queryUtility(IU)).toBe('util');
      expect(getUtility(IU, 'n')).toBe('named');
      expect(queryUtility(IU, 'none')).toBeUndefined();
      expect(() => getUtility(IU, 'none')).toThrow(ComponentLookupError);
    });
    expect(r.registeredAdapters()).toHaveLength(2);
    expect(r.registeredUtilities()).toHaveLength(2);
    expect(getGlobalRegistry().queryUtility(IU)).toBeUndefined();
  });

  it('subscribers, handle and notify → the current registry’s', () => {
    const IA = iface('IA');
    const IV = iface<string>('IV');
    const IEvent = iface<ObjectEvent>('IEvent', IObjectEvent);
    @implementer(IEvent)
    class Happened implements ObjectEvent {
      constructor(readonly object: unknown) {}
    }
    const calls: string[] = [];
    const r = new Registry();
    r.registerSubscriptionAdapter(() => 'sub', [IA], IV);
    r.registerHandler(() => void calls.push('handled'), [IA]);
    r.registerHandler(() => void calls.push('event'), [IEvent]);
    r.registerHandler(() => void calls.push('object+event'), [IA, IEvent]);
    const a = providing(IA);
    withRegistry(r, () => {
      expect(subscribers([a], IV)).toEqual(['sub']);
      handle(a);
      notify(new Happened(a));
    });
    expect(calls).toEqual(['handled', 'event', 'object+event']);
    // Outside the scope: the global registry has none of these.
    calls.length = 0;
    notify(new Happened(a));
    expect(subscribers([a], IV)).toEqual([]);
    expect(calls).toEqual([]);
  });
});
