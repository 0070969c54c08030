/**
 * The registry's own contracts, as interfaces (zope.interface's `IAdapterRegistry` and
 * `IComponents`): the classes declare them and the tests check them with `verifyObject`.
 */
import { Attribute, defineInterface, Method } from '@dovetail/interfaces';
import type { AdapterRegistry } from './adapter-registry.js';
import type { Registry } from './components.js';

/** zope's `IAdapterRegistry`: values by (required, provided, name), most specific first. */
export const IAdapterRegistry = defineInterface<AdapterRegistry>('dovetail.registry.IAdapterRegistry', {
  doc: 'Registers values by (required specs, provided interface, name) and finds the most specific.',
  members: {
    bases: Attribute('The registries consulted after this one.'),
    register: Method('Register a value.', { params: ['required', 'provided', 'name', 'value'] }),
    registered: Method('The value registered at exactly these keys.', { params: ['required', 'provided'] }),
    unregister: Method('Remove a registration (only `value`, when given).', { params: ['required', 'provided', 'name', 'value'] }),
    subscribe: Method('Add a subscriber.', { params: ['required', 'provided', 'value'] }),
    unsubscribe: Method('Remove subscribers (only `value`, when given).', { params: ['required', 'provided', 'value'] }),
    lookup: Method('The most specific value.', { params: ['required', 'provided'] }),
    lookup1: Method('The most specific value for one required spec.', { params: ['required', 'provided'] }),
    lookupAll: Method('Every value that applies, one per name.', { params: ['required', 'provided'] }),
    subscriptions: Method('Every subscriber that applies.', { params: ['required', 'provided'] }),
  },
});

/** zope's `IComponents`: adapters, utilities, subscribers and handlers. */
export const IRegistry = defineInterface<Registry>('dovetail.registry.IRegistry', {
  doc: 'A component registry: adapters, utilities, subscription adapters and handlers.',
  members: {
    name: Attribute('Shown in messages.'),
    bases: Attribute('The registries consulted after this one.'),
    registerAdapter: Method('Register an adapter factory.', { params: ['factory', 'required', 'provided'] }),
    unregisterAdapter: Method('Remove an adapter registration.', { params: ['required', 'provided'] }),
    queryAdapter: Method('Adapt an object, or undefined.', { params: ['obj', 'provided'] }),
    getAdapter: Method('Adapt an object, or throw.', { params: ['obj', 'provided'] }),
    queryMultiAdapter: Method('Adapt several objects, or undefined.', { params: ['objects', 'provided'] }),
    getMultiAdapter: Method('Adapt several objects, or throw.', { params: ['objects', 'provided'] }),
    getAdapters: Method('Every named adapter.', { params: ['objects', 'provided'] }),
    registerUtility: Method('Register a utility.', { params: ['component', 'provided'] }),
    unregisterUtility: Method('Remove a utility.', { params: ['provided'] }),
    queryUtility: Method('A utility, or undefined.', { params: ['provided'] }),
    getUtility: Method('A utility, or throw.', { params: ['provided'] }),
    getUtilitiesFor: Method('Every utility by name.', { params: ['provided'] }),
    getAllUtilitiesRegisteredFor: Method('Every utility ever registered.', { params: ['provided'] }),
    registerSubscriptionAdapter: Method('Register a subscription adapter.', { params: ['factory', 'required', 'provided'] }),
    subscribers: Method('Call the subscription adapters.', { params: ['objects', 'provided'] }),
    registerHandler: Method('Register a handler.', { params: ['handler', 'required'] }),
    handle: Method('Call the handlers.'),
    notify: Method('Dispatch an event.', { params: ['event'] }),
  },
});
