import { verifyObject } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { AdapterRegistry } from './adapter-registry.js';
import { Registry } from './components.js';
import { IAdapterRegistry, IRegistry } from './contracts.js';

describe('registry contracts', () => {
  it('a Registry → provides IRegistry, every member present', () => {
    expect(verifyObject(IRegistry, new Registry())).toBe(true);
  });

  it('an AdapterRegistry → provides IAdapterRegistry, every member present', () => {
    expect(verifyObject(IAdapterRegistry, new AdapterRegistry())).toBe(true);
  });

  it('an object missing members → BrokenImplementation listing them', () => {
    expect(() => verifyObject(IRegistry, { name: 'x' })).toThrow(/registerAdapter/);
  });
});
