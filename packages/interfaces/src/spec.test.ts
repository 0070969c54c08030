import { describe, expect, it } from '@jest/globals';
import {
  conform,
  implementedBy,
  Interface,
  interfaceNamed,
  isInterface,
  NullAdaptationError,
  providedBy,
} from './index.js';

describe('the root Interface', () => {
  it('is an interface like any other: named, ordered, with the shared methods', () => {
    expect(isInterface(Interface)).toBe(true);
    expect(Interface.name).toBe('dovetail.interfaces.Interface');
    expect(interfaceNamed('dovetail.interfaces.Interface')).toBe(Interface);
    expect(Interface.iro).toEqual([Interface]);
    expect(Interface.isOrExtends(Interface)).toBe(true);
    expect(Interface.extends(Interface)).toBe(false);
    expect(Interface.providedBy(5)).toBe(true);
    expect(Interface.implementedBy(class Plain {})).toBe(true);
    expect(String(Interface)).toBe('<Interface dovetail.interfaces.Interface>');
  });

  it('called, follows the adaptation protocol: conform first, null only with a fallback', () => {
    const adapted = {};
    const own = { [conform]: (iface: unknown) => (iface === Interface ? adapted : null) };
    expect(Interface(own)).toBe(adapted);
    expect(Interface(null, 'fallback')).toBe('fallback');
    expect(() => Interface(undefined)).toThrow(NullAdaptationError);
  });
});

describe('the declaration of nothing', () => {
  it('null, undefined and null-prototype objects share one declaration providing only Interface', () => {
    const none = providedBy(null);
    expect(providedBy(undefined)).toBe(none);
    expect(providedBy(Object.create(null))).toBe(none);
    expect(none.iro).toEqual([Interface]);
    expect(none.interfaces()).toEqual([]);
    expect(implementedBy(class Plain {}).iro).toEqual([Interface]);
  });
});
