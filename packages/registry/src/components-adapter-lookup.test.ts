import { AdaptationError, implementer, providedBy } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { caught, fixtures, providing, tag } from '../test/support/fixtures.js';
import { Registry } from './components.js';
import { ComponentLookupError, InvalidNameError, InvalidRegistrationError } from './errors.js';
import { withRegistry } from './site.js';

// Registry: adapter lookups (single, multi, all names), bases and the lookup cache.
// Registering adapters is in components-adapters.test.ts.

const { iface, hierarchy } = fixtures('test.reg.complookup');

describe('Registry#queryAdapter', () => {
  it('rules 1–6 through the Registry → zope’s choices', () => {
    const { IA, IB, IP, IP1, IP2, IX } = hierarchy();
    // Rule 1: a local registration for Interface shadows a base one for IB.
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerAdapter(tag('base-IB'), IB, IX);
    local.registerAdapter(tag('local-any'), null, IX);
    expect((local.queryAdapter(providing(IB), IX) as { label: string }).label).toBe('local-any');
    // Rule 3: required specificity beats provided closeness.
    const r = new Registry();
    r.registerAdapter(tag('A-P'), IA, IP);
    r.registerAdapter(tag('B-P1'), IB, IP1);
    expect((r.queryAdapter(providing(IB), IP) as { label: string }).label).toBe('B-P1');
    // Rule 4: exact provided beats an extension.
    r.registerAdapter(tag('B-P'), IB, IP);
    expect((r.queryAdapter(providing(IB), IP) as { label: string }).label).toBe('B-P');
    // Rule 5: unrelated siblings → the most recent.
    const s = new Registry();
    s.registerAdapter(tag('P1'), IA, IP1);
    s.registerAdapter(tag('P2'), IA, IP2);
    expect((s.queryAdapter(providing(IA), IP) as { label: string }).label).toBe('P2');
    // Rule 6: names exact.
    expect(s.queryAdapter(providing(IA), IP, 'named')).toBeUndefined();
  });

  it('a miss → undefined, or the fallback', () => {
    const { IX } = hierarchy();
    const r = new Registry();
    expect(r.queryAdapter({}, IX)).toBeUndefined();
    expect(r.queryAdapter({}, IX, '', 'default')).toBe('default');
  });

  it('a factory returning null → no adapter: undefined or the fallback; I(obj) → AdaptationError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(() => null, IA, IX);
    r.registerAdapter(() => undefined, IA, IX, { name: 'u' });
    const a = providing(IA);
    expect(r.queryAdapter(a, IX)).toBeUndefined();
    expect(r.queryAdapter(a, IX, '', 'fallback')).toBe('fallback');
    expect(r.queryAdapter(a, IX, 'u', 'fallback')).toBe('fallback');
    withRegistry(r, () => {
      expect(() => IX(a)).toThrow(AdaptationError);
      expect(IX(a, 'alt')).toBe('alt');
    });
  });

  it('a throwing factory → its error propagates unchanged', () => {
    const { IA, IX } = hierarchy();
    const boom = new RangeError('boom');
    const r = new Registry();
    r.registerAdapter(() => {
      throw boom;
    }, IA, IX);
    expect(caught(() => r.queryAdapter(providing(IA), IX))).toBe(boom);
    expect(caught(() => withRegistry(r, () => IX(providing(IA))))).toBe(boom);
  });

  it('a named lookup → the named adapter', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('unnamed'), IA, IX);
    r.registerAdapter(tag('named'), IA, IX, { name: 'n' });
    expect((r.queryAdapter(providing(IA), IX, 'n') as { label: string }).label).toBe('named');
  });

  it('a non-string name → InvalidNameError', () => {
    const { IX } = hierarchy();
    const r = new Registry();
    expect(() => r.queryAdapter({}, IX, 5 as never)).toThrow(InvalidNameError);
    expect(() => r.lookup([null], IX, {} as never)).toThrow(InvalidNameError);
  });
});

describe('Registry#getAdapter', () => {
  it('a hit → the adapter', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    expect(r.getAdapter(providing(IA), IX)).toBeDefined();
  });

  it('a miss → ComponentLookupError naming provided, name, required and registry', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry({ name: 'app' });
    const error = caught(() => r.getAdapter(providing(IA), IX, 'page')) as ComponentLookupError;
    expect(error).toBeInstanceOf(ComponentLookupError);
    expect(error.code).toBe('DT_REG_COMPONENT_NOT_FOUND');
    expect(error.provided).toBe(IX.name);
    expect(error.lookupName).toBe('page');
    expect(error.registry).toBe('app');
    expect(error.message).toContain(IX.name);
    expect(error.message).toContain('"page"');
  });

  it('a factory returning null → ComponentLookupError', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(() => null, IA, IX);
    expect(() => r.getAdapter(providing(IA), IX)).toThrow(ComponentLookupError);
  });
});

describe('Registry#queryMultiAdapter', () => {
  it('registrations (IA, IQ2) and (IB, IQ), objects (IB, IQ2) → the (IB, IQ) adapter', () => {
    const { IA, IB, IQ, IQ2, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter((a: unknown, b: unknown) => ({ label: 'A-Q2', a, b }), [IA, IQ2], IX);
    r.registerAdapter((a: unknown, b: unknown) => ({ label: 'B-Q', a, b }), [IB, IQ], IX);
    const b = providing(IB);
    const q2 = providing(IQ2);
    expect(r.queryMultiAdapter([b, q2], IX)).toEqual({ label: 'B-Q', a: b, b: q2 });
    expect((r.queryMultiAdapter([providing(IA), q2], IX) as { label: string }).label).toBe('A-Q2');
  });

  it('a class factory with two objects → constructed with both', () => {
    const { IA, IQ, IX } = hierarchy();
    class Page {
      constructor(readonly request: unknown, readonly view: unknown) {}
    }
    const r = new Registry();
    r.registerAdapter(Page, [IA, IQ], IX, { name: 'index' });
    const request = providing(IA);
    const view = providing(IQ);
    const page = r.queryMultiAdapter([request, view], IX, 'index') as Page;
    expect(page).toBeInstanceOf(Page);
    expect([page.request, page.view]).toEqual([request, view]);
    expect(r.queryMultiAdapter([request, view], IX)).toBeUndefined();
  });

  it('one and three objects → adapters of that order', () => {
    const { IA, IQ, IC, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter((...objs: unknown[]) => ({ n: objs.length }), [IA], IX);
    r.registerAdapter((...objs: unknown[]) => ({ n: objs.length }), [IA, IQ, IC], IX);
    expect(r.queryMultiAdapter([providing(IA)], IX)).toEqual({ n: 1 });
    expect(r.queryMultiAdapter([providing(IA), providing(IQ), providing(IC)], IX)).toEqual({ n: 3 });
    expect(r.queryMultiAdapter([providing(IA), providing(IQ)], IX, '', 'none')).toBe('none');
  });

  it('a factory returning null → the fallback; getMultiAdapter → ComponentLookupError', () => {
    const { IA, IQ, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(() => null, [IA, IQ], IX);
    const objs = [providing(IA), providing(IQ)];
    expect(r.queryMultiAdapter(objs, IX, '', 'fb')).toBe('fb');
    const error = caught(() => r.getMultiAdapter(objs, IX)) as ComponentLookupError;
    expect(error).toBeInstanceOf(ComponentLookupError);
    expect(error.required).toHaveLength(2);
  });

  it('a non-string name → InvalidNameError', () => {
    const { IX } = hierarchy();
    expect(() => new Registry().queryMultiAdapter([{}, {}], IX, null as never)).toThrow(InvalidNameError);
  });
});

describe('Registry#getAdapters', () => {
  it('names registered here, in a base and for less specific specs → one per name, local/specific win, null skipped', () => {
    const { IA, IB, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    const local = new Registry({ name: 'local', bases: [base] });
    base.registerAdapter(tag('base-a'), IB, IX, { name: 'a' });
    base.registerAdapter(tag('base-b'), IA, IX, { name: 'b' });
    local.registerAdapter(tag('local-a'), IA, IX, { name: 'a' });
    local.registerAdapter(tag('local-B'), IB, IX, { name: 'b' });
    local.registerAdapter(() => null, IB, IX, { name: 'none' });
    local.registerAdapter(tag('unnamed'), IA, IX);
    const b = providing(IB);
    const got = new Map(local.getAdapters([b], IX).map(([n, v]) => [n, (v as { label: string }).label]));
    expect(got).toEqual(
      new Map([
        ['a', 'local-a'],
        ['b', 'local-B'],
        ['', 'unnamed'],
      ]),
    );
  });
});

describe('Registry#lookup', () => {
  it('registered specs → the factory that would be used', () => {
    const { IA, IB, IX } = hierarchy();
    const f = tag('f');
    const r = new Registry();
    r.registerAdapter(f, IA, IX);
    expect(r.lookup([IB], IX)).toBe(f);
    expect(r.lookup([IB], IX, 'n')).toBeUndefined();
    class Host {}
    r.registerAdapter(f, Host, IX, { name: 'h' });
    expect(r.lookup([Host], IX, 'h')).toBe(f);
  });

  it('one spec or several, unnamed or named → the registered factory; a JavaScript caller may still pass a lone spec', () => {
    const { IA, IB, IX } = hierarchy();
    const f = tag('f');
    const g = tag('g');
    const r = new Registry();
    class Host {
      constructor(readonly arg: unknown) {}
    }
    r.registerAdapter(f, Host, IX);
    r.registerAdapter(g, [IA, Host], IX, { name: 'pair' });
    expect(r.lookup([Host], IX)).toBe(f);
    expect(r.lookup([Host], IX, '')).toBe(f);
    expect(r.lookup([IB, Host], IX, 'pair')).toBe(g);
    expect(r.lookup([IB, Host], IX)).toBeUndefined();
    // A class with one constructor parameter has length 1: still a spec, not a list of one.
    expect(Host.length).toBe(1);
    expect(r.lookup(Host as never, IX)).toBe(f);
    expect(() => r.lookup([undefined] as never, IX)).toThrow(InvalidRegistrationError);
  });
});

describe('Registry#bases', () => {
  it('r4(r2, r3), r2(r1), r3(r1) → adapters and utilities consulted in order r4, r2, r3, r1', () => {
    const IX = iface('IX');
    const r1 = new Registry({ name: 'r1' });
    const r2 = new Registry({ name: 'r2', bases: [r1] });
    const r3 = new Registry({ name: 'r3', bases: [r1] });
    const r4 = new Registry({ name: 'r4', bases: [r2, r3] });
    expect(r4.adapters.ro).toEqual([r4.adapters, r2.adapters, r3.adapters, r1.adapters]);
    expect(r4.utilities.ro).toEqual([r4.utilities, r2.utilities, r3.utilities, r1.utilities]);
    r1.registerUtility('r1', IX);
    r3.registerUtility('r3', IX);
    expect(r4.queryUtility(IX)).toBe('r3');
    r2.registerUtility('r2', IX);
    expect(r4.queryUtility(IX)).toBe('r2');
    expect(r4.bases).toEqual([r2, r3]);
  });

  it('a change in a base after a cached lookup → seen by the child', () => {
    const { IA, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    const child = new Registry({ name: 'child', bases: [base] });
    const a = providing(IA);
    expect(child.queryAdapter(a, IX)).toBeUndefined();
    base.registerAdapter(tag('base'), IA, IX);
    expect((child.queryAdapter(a, IX) as { label: string }).label).toBe('base');
    base.unregisterAdapter(IA, IX);
    expect(child.queryAdapter(a, IX)).toBeUndefined();
  });

  it('bases set later → lookups follow them', () => {
    const { IA, IX } = hierarchy();
    const base = new Registry({ name: 'base' });
    base.registerAdapter(tag('base'), IA, IX);
    const r = new Registry({ name: 'late' });
    expect(r.queryAdapter(providing(IA), IX)).toBeUndefined();
    r.bases = [base];
    expect(r.bases).toEqual([base]);
    expect(r.queryAdapter(providing(IA), IX)).toBeDefined();
  });

  it('a base that is not a Registry → InvalidRegistrationError', () => {
    expect(() => new Registry({ bases: [{} as never] })).toThrow(InvalidRegistrationError);
  });

  it('toString → names the registry', () => {
    expect(String(new Registry({ name: 'app' }))).toBe('<Registry app>');
  });
});

describe('Registry#cache', () => {
  it('a queryAdapter hit repeated → one uncached lookup', () => {
    const { IA, IX } = hierarchy();
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    let uncached = 0;
    const original = r.adapters.uncachedLookup.bind(r.adapters);
    r.adapters.uncachedLookup = (...args) => {
      uncached++;
      return original(...args);
    };
    const a = providing(IA);
    for (let i = 0; i < 10; i++) r.queryAdapter(a, IX);
    expect(uncached).toBe(1);
  });

  it('the provided interface a declaration extends → providedBy(obj) used as the key', () => {
    const { IA, IX } = hierarchy();
    @implementer(IA)
    class Thing {}
    const r = new Registry();
    r.registerAdapter(tag('f'), IA, IX);
    expect(r.adapters.lookup1(providedBy(new Thing()), IX)).toBeDefined();
  });
});
