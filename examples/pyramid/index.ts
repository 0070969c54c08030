/**
 * The Pyramid tutorial "Transient Data Using Sessions": a dict-like session shared by
 * the home and howdy views (the counter is not specific to the URL and survives a restart with
 * a SQLite or cookie store), and a flash message shown once after a POST and redirect.
 *
 * Guide: docs/guide/transient-data-and-flash-messages.md. Run: `npm run serve -- examples/dist/pyramid/index.js --store sqlite:var/pyramid.db`
 */
import { Resource } from '@dovetail/web';
import type { Session } from '@dovetail/session';
import type { Request } from '@dovetail/web';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Both views count in the same session key, as the tutorial's view-class property does. */
function counter(session: Session): number {
  const next = (session.get<number>('counter') ?? 0) + 1;
  session.set('counter', next);
  return next;
}

function page(title: string, request: Request, session: Session, count: number): string {
  const base = `/${request.prepath.filter((s) => s !== 'howdy').join('/')}`.replace(/\/$/, '');
  const messages = session.popFlash().map((m) => `<li class="flash">${escape(String(m))}</li>`).join('');
  return (
    `<!DOCTYPE html><html><head><meta charset='utf-8'><title>${title}</title></head><body>` +
    `<h1>${title}</h1>` +
    (messages ? `<ul id="flash">${messages}</ul>` : '') +
    `<p id="counter">Counter: ${count}</p>` +
    `<p><a id="home" href="${base || '/'}">home</a> <a id="howdy" href="${base}/howdy">howdy</a></p>` +
    `<form method="post" action="${base || '/'}"><button id="add">Add an item</button></form>` +
    `</body></html>`
  );
}

/** The home view; POST adds an item, flashes a message and redirects (POST-redirect-GET). */
export class Home extends Resource {
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    return page('Home View', request, session, counter(session));
  }

  async renderPOST(request: Request): Promise<string> {
    const session = await request.getSession();
    session.flash('Your item was added.');
    request.redirect(`/${request.prepath.join('/')}/howdy`.replace(/^\/\//, '/'));
    return '';
  }
}

/** The howdy view. */
export class Howdy extends Resource {
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    return page('Howdy View', request, session, counter(session));
  }
}

/** Builds the example's tree: home with its `howdy` child. */
export function makeResource(): Resource {
  const home = new Home();
  home.putChild('howdy', new Howdy());
  return home;
}

/** The root resource served by `dovetail serve` (the child '' answers "/", as in Twisted). */
export const resource = makeResource();
resource.putChild('', resource);
