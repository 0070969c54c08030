/**
 * zope.session's "Zope3 Session Implementation": package data kept apart by package id
 * (`products.foo`, `products.bar`), a named data container for one package with the default
 * store as the fallback for the others, and data that cannot be stored rejected at commit.
 *
 * Guide: docs/guide/package-data.md. Run: `npm run serve -- examples/dist/zope/index.js`
 */
import { getGlobalRegistry } from '@dovetail/registry';
import { ISession, ISessionDataContainer, MemoryStore } from '@dovetail/session';
import { IClientId, Resource } from '@dovetail/web';
import type { Request } from '@dovetail/web';

/**
 * The container for `products.bar`, registered as the `ISessionDataContainer` utility named
 * after the package: the site administrator's choice of storage in Zope. Every other package
 * falls back to the site's default store.
 */
export const barContainer = new MemoryStore();
getGlobalRegistry().registerUtility(barContainer, ISessionDataContainer, { name: 'products.bar' });

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sets and shows package data as in the Zope document. */
export class PackageData extends Resource {
  async renderGET(request: Request): Promise<string> {
    await request.getSession();
    const clientId = IClientId(request);
    const session = ISession(request);
    const foo = session.namespace('products.foo');
    const bar = session.namespace('products.bar');
    const color = request.query.get('color');
    if (color) foo.set('color', color);
    if (!foo.has('color')) foo.set('color', 'red');
    if (!bar.has('color')) bar.set('color', 'blue');
    return (
      `<!DOCTYPE html><html><head><meta charset='utf-8'><title>Package data</title></head><body>` +
      `<p id="client">Client id: …${escape(String(clientId).slice(-8))}</p>` +
      `<p id="foo">products.foo color: ${escape(String(foo.get('color')))}</p>` +
      `<p id="bar">products.bar color: ${escape(String(bar.get('color')))} (kept in the products.bar container)</p>` +
      `<p id="timeout">Timeout: ${session.timeout} s</p>` +
      `<p><a href="?color=green">make products.foo green</a> · <a id="oops" href="/${[...request.prepath, 'oops'].join('/')}">store a file handle (refused)</a></p>` +
      `</body></html>`
    );
  }
}

/** Stores something that cannot be stored: the commit refuses it and the session stays as it was. */
export class Oops extends Resource {
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    session.namespace('products.foo').set('oops', () => 'a function is not data');
    session.namespace('products.foo').set('color', 'purple');
    return 'This page never shows: the commit fails.';
  }
}

/** Builds the example's tree. */
export function makeResource(): Resource {
  const root = new PackageData();
  root.putChild('oops', new Oops());
  return root;
}

/** The root resource served by `dovetail serve` (the child '' answers "/", as in Twisted). */
export const resource = makeResource();
resource.putChild('', resource);
