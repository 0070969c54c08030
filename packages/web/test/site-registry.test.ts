import { defineInterface } from '@dovetail/interfaces';
import { Registry } from '@dovetail/registry';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Resource, Site, type Request } from '@dovetail/web';

interface Greeting { text: string }
const IGreeting = defineInterface<Greeting>('sitetest.IGreeting');

class Page extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    return IGreeting(request, { text: 'no adapter' }).text;
  }
}

const sites: Site[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

async function serve(registry: Registry): Promise<string> {
  const site = new Site(new Page(), { registry });
  sites.push(site);
  const { port } = await site.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}/`;
}

describe('Site registry option', () => {
  it('two sites with different registries in one process → each sees only its own adapters', async () => {
    const a = new Registry({ name: 'app-a' });
    const b = new Registry({ name: 'app-b' });
    a.registerAdapter(() => ({ text: 'hello from a' }), [null], IGreeting);
    b.registerAdapter(() => ({ text: 'hello from b' }), [null], IGreeting);
    const [urlA, urlB] = await Promise.all([serve(a), serve(b)]);
    const answers = await Promise.all([urlA, urlB, urlA, urlB].map(async (u) => (await fetch(u)).text()));
    expect(answers).toEqual(['hello from a', 'hello from b', 'hello from a', 'hello from b']);
  });

  it('a site without the option → requests see the current (global) registry', async () => {
    const site = new Site(new Page());
    sites.push(site);
    const { port } = await site.listen(0, '127.0.0.1');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('no adapter');
  });
});
