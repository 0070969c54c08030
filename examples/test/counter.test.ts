/**
 * Twisted Web's "Storing Objects in the Session", over HTTP.
 */
import { describe, expect, it } from '@jest/globals';
import { Attribute, defineInterface } from '@dovetail/interfaces';
import { type Counter, CounterComponent, ICounter, resource } from '../counter/index.js';
import { Jar, manager, serveExample } from './support.js';

const visit = async (jar: Jar, url: string): Promise<string> => (await (await jar.fetch(`${url}/`)).text()).replace(/^.*<body>/s, '');

describe('the counter example (Twisted\'s Storing Objects in the Session)', () => {
  it('the counter page → counts per session; two cookie jars count separately', async () => {
    const { url } = await serveExample(resource);
    const alice = new Jar();
    const bob = new Jar();
    expect(await visit(alice, url)).toBe('Visit #1 for you!');
    expect(await visit(alice, url)).toBe('Visit #2 for you!');
    expect(await visit(bob, url)).toBe('Visit #1 for you!');
    expect(await visit(alice, url)).toBe('Visit #3 for you!');
    expect(await visit(bob, url)).toBe('Visit #2 for you!');
  });

  it('ICounter(session) twice → the same component object', () => {
    const session = manager().create();
    expect(ICounter(session)).toBe(ICounter(session));
    expect(ICounter(session)).toBeInstanceOf(CounterComponent);
  });

  it('ICounter defined again with the same shape → the same interface object; the counter goes on', async () => {
    const { url } = await serveExample(resource);
    const jar = new Jar();
    expect(await visit(jar, url)).toBe('Visit #1 for you!');
    const again = defineInterface<Counter>('examples.counter.ICounter', {
      members: { value: Attribute('An int value which counts up once per page view.') },
    });
    expect(again).toBe(ICounter);
    expect(await visit(jar, url)).toBe('Visit #2 for you!');
  });
});
