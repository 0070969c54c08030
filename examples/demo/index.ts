/**
 * The demo site `npm start` serves: the five example apps under one Site, with an index page, a
 * template reading session data by path, and — when `DOVETAIL_INSPECTOR_TOKEN` is set — the
 * inspector at `/_dovetail`.
 *
 * Run: `npm start` (SQLite store at var/sessions.db) or
 * `npm run serve -- examples/dist/demo/index.js --store memory`
 */
import { Inspector, InvalidOptionError, Resource } from '@dovetail/web';
import { CounterResource } from '../counter/index.js';
import { makeResource as pyramid } from '../pyramid/index.js';
import { makeResource as session } from '../session/index.js';
import { makeResource as users } from '../users/index.js';
import { makeResource as zope } from '../zope/index.js';
import { TemplatePage } from './template.js';
import type { Request } from '@dovetail/web';

const links: [string, string][] = [
  ['/counter', 'Visit counter — Twisted "Storing Objects in the Session"'],
  ['/users', 'User manager components, cleaned up on expiry — Nevow'],
  ['/session', 'Your session id — Twisted "Session Basics"'],
  ['/session/expire', 'Expire your session'],
  ['/pyramid', 'Dict-like session, flash messages — Pyramid tutorial'],
  ['/pyramid/howdy', 'The howdy view'],
  ['/zope', 'Package data and named data containers — Zope 3 sessions'],
  ['/template', 'Session data in a template, by path (TALES request/session:products.foo/color)'],
];

/**
 * The inspector's token, from the environment: without one the inspector is not mounted (it
 * refuses to exist without a token, and the demo never invents one).
 */
const INSPECTOR_TOKEN = process.env.DOVETAIL_INSPECTOR_TOKEN ?? '';

/** The inspector; a token it refuses is reported under the variable it came from. */
function inspector(token: string): Inspector {
  try {
    return new Inspector({ token });
  } catch (e) {
    if (!(e instanceof InvalidOptionError)) throw e;
    throw new InvalidOptionError('DOVETAIL_INSPECTOR_TOKEN', e.given, `${e.expected}, or unset to leave the inspector off`);
  }
}

/** The index page. */
export class Index extends Resource {
  renderGET(_request: Request): string {
    const all = INSPECTOR_TOKEN === '' ? links : [...links, ['/_dovetail/', 'The inspector (send the token: X-Dovetail-Token header or ?token=)'] as [string, string]];
    return (
      `<!DOCTYPE html><html><head><meta charset='utf-8'><title>dovetail demo</title></head><body>` +
      `<h1>dovetail demo</h1><ul>` +
      all.map(([href, text]) => `<li><a href="${href}">${text}</a></li>`).join('') +
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
  root.putChild('template', new TemplatePage());
  if (INSPECTOR_TOKEN === '') {
    console.log('dovetail demo: the inspector is off; set DOVETAIL_INSPECTOR_TOKEN (16 characters or more) to mount it at /_dovetail/');
  } else {
    // The Site's session manager and the global registry (where the examples register) are shown.
    root.putChild('_dovetail', inspector(INSPECTOR_TOKEN));
    console.log('dovetail demo: the inspector is at /_dovetail/ (loopback only; send the token in X-Dovetail-Token or ?token=)');
  }
  return root;
}

/** The root resource served by `dovetail serve`. */
export const resource = makeResource();
