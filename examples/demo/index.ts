/**
 * The demo site `npm start` serves: every seed example under one Site, with an index page.
 *
 * Run: `npm start` (SQLite store at var/sessions.db) or
 * `npm run serve -- examples/dist/demo/index.js --store memory`
 */
import { Resource } from '@dovetail/web';
import { CounterResource } from '../counter/index.js';
import { makeResource as pyramid } from '../pyramid/index.js';
import { makeResource as session } from '../session/index.js';
import { makeResource as users } from '../users/index.js';
import { makeResource as zope } from '../zope/index.js';
import type { Request } from '@dovetail/web';

const links: [string, string][] = [
  ['/counter', 'Visit counter — Twisted "Storing Objects in the Session" (seed 000)'],
  ['/users', 'User manager components, cleaned up on expiry — Nevow (seed 001)'],
  ['/session', 'Your session id — Twisted "Session Basics" (seed 002)'],
  ['/session/expire', 'Expire your session (seed 002)'],
  ['/pyramid', 'Dict-like session, flash messages — Pyramid tutorial (seed 003)'],
  ['/pyramid/howdy', 'The howdy view (seed 003)'],
  ['/zope', 'Package data and named data containers — Zope 3 sessions (seed 004)'],
];

/** The index page. */
export class Index extends Resource {
  renderGET(_request: Request): string {
    return (
      `<!DOCTYPE html><html><head><meta charset='utf-8'><title>dovetail demo</title></head><body>` +
      `<h1>dovetail demo</h1><ul>` +
      links.map(([href, text]) => `<li><a href="${href}">${text}</a></li>`).join('') +
      `</ul></body></html>`
    );
  }
}

/** Builds the demo tree. */
export function makeResource(): Resource {
  const root = new Index();
  root.putChild('', root);
  root.putChild('counter', new CounterResource());
  root.putChild('users', users());
  root.putChild('session', session());
  root.putChild('pyramid', pyramid());
  root.putChild('zope', zope());
  return root;
}

/** The root resource served by `dovetail serve`. */
export const resource = makeResource();
