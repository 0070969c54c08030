import { describe, expect, it } from '@jest/globals';
import * as registry from './index.js';

/** The public surface of @dovetail/registry. Change it on purpose, and change this list with it. */
const EXPORTS = [
  'Adapter',
  'AdapterAlreadyRegisteredError',
  'AdapterDependencyError',
  'AdapterRegistration',
  'AdapterRegistry',
  'CannotInferRegistrationError',
  'ComponentLookupError',
  'ComponentNotSetError',
  'Componentized',
  'HandlerRegistration',
  'IAdapterRegistration',
  'IAdapterRegistry',
  'IHandlerRegistration',
  'IObjectEvent',
  'IRegistered',
  'IRegistrationEvent',
  'IRegistry',
  'ISubscriptionAdapterRegistration',
  'IUnregistered',
  'IUtilityRegistration',
  'InvalidNameError',
  'InvalidRegistrationError',
  'Registered',
  'Registry',
  'RegistryError',
  'SubscriptionRegistration',
  'Unregistered',
  'UtilityRegistration',
  'adaptedBy',
  'adapter',
  'getAdapter',
  'getCurrentRegistry',
  'getGlobalRegistry',
  'getMultiAdapter',
  'getUtility',
  'handle',
  'named',
  'proxyForInterface',
  'notify',
  'queryAdapter',
  'queryMultiAdapter',
  'queryUtility',
  'registerAdapter',
  'registerUtility',
  'subscribers',
  'withRegistry',
];

describe('index#exports', () => {
  it('runtime exports → exactly the checked-in list', () => {
    expect(Object.keys(registry).sort()).toEqual([...EXPORTS].sort());
  });

  it('every export → defined', () => {
    for (const name of EXPORTS) expect((registry as Record<string, unknown>)[name]).toBeDefined();
  });

  it('the module-level functions over the current registry → all exported', () => {
    const design = ['registerAdapter', 'registerUtility', 'queryAdapter', 'getAdapter', 'queryMultiAdapter', 'getMultiAdapter', 'queryUtility', 'getUtility', 'subscribers', 'handle', 'notify', 'getGlobalRegistry', 'getCurrentRegistry', 'withRegistry'];
    for (const name of design) expect(typeof (registry as Record<string, unknown>)[name]).toBe('function');
  });
});
