/**
 * Session data in a template, as Zope's TALES `request/session:products.foo/color` and Pyramid's
 * `request.session['counter']` give it: `sessionPath` names each value by one path, so the
 * template needs no session API. The "template engine" here is a tagged template literal that
 * escapes every value; any engine that calls a function works the same way.
 */
import { Resource, sessionPath } from '@dovetail/web';
import type { Request } from '@dovetail/web';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A tiny template engine: the literal parts are markup, every interpolated value is escaped text. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, s, i) => out + String(values[i - 1]).replace(/[&<>"']/g, (c) => ESCAPES[c]!) + s);
}

/** Shows values other demo pages keep in the session, read by path. */
export class TemplatePage extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    return html`<!DOCTYPE html><html><head><meta charset='utf-8'><title>Session data in a template</title></head><body>
<h1>Session data in a template</h1>
<p id="color">products.foo/color: ${sessionPath(session, 'products.foo/color', '(not set: visit /zope)')}</p>
<p id="counter">counter: ${sessionPath(session, 'counter', 0)}</p>
<p id="name">name: ${sessionPath(session, 'name', '(not set)')}</p>
</body></html>`;
  }
}
