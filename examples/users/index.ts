/**
 * The Nevow mailing-list answer: components on the session. `IUserManager(session)`
 * builds a `UserManager` on first use and keeps it on the session; `setComponent` stores the
 * current user; when the session ends, the manager is cleaned up.
 *
 * Guide: docs/guide/components-on-the-session.md. Run: `npm run serve -- examples/dist/users/index.js`
 */
import { Attribute, defineInterface, implementer, Method } from '@dovetail/interfaces';
import { Adapter, registerAdapter } from '@dovetail/registry';
import { Session } from '@dovetail/session';
import { Resource } from '@dovetail/web';
import type { Request } from '@dovetail/web';

/** The users seen in one session. */
export interface UserManagerShape {
  users: string[];
  add(name: string): void;
}

/** Key of the user manager component. */
export const IUserManager = defineInterface<UserManagerShape>('examples.users.IUserManager', {
  members: { users: Attribute('Names that logged in during this session.'), add: Method('Remember a user.', { params: ['name'] }) },
});

/** The logged-in user: set with `setComponent`, read with `ICurrentUser(session, null)`. */
export interface CurrentUser {
  name: string;
}
/** Key of the current-user component. */
export const ICurrentUser = defineInterface<CurrentUser>('examples.users.ICurrentUser', {
  members: { name: Attribute('The user name.') },
});

/** Every cleanup performed in this process, newest last (shown on the page). */
export const cleanups: string[] = [];

/** Built by `IUserManager(session)` the first time, then kept on the session. */
@implementer(IUserManager)
export class UserManager extends Adapter<Session> implements UserManagerShape {
  users: string[] = [];
  add(name: string): void {
    if (!this.users.includes(name)) this.users.push(name);
  }
  /** Called when the session ends: what Nevow's question asked for. */
  [Symbol.dispose](): void {
    cleanups.push(`user manager of ${this.users.length} user(s) (${this.users.join(', ') || 'none'}) cleaned up`);
  }
}

registerAdapter(UserManager, Session, IUserManager);

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** The path this resource is served at, e.g. `/users` in the demo, `/` on its own. */
const here = (request: Request): string => `/${request.prepath.join('/')}`;

/** `/users`: who is logged in, who was seen; POST logs a user in (with a new session id). */
export class UsersPage extends Resource {
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    const current = ICurrentUser(session, null);
    const manager = IUserManager(session);
    return (
      `<!DOCTYPE html><html><head><meta charset='utf-8'><title>Users</title></head><body>` +
      `<p id="current">${current ? `Logged in as ${escape(current.name)}` : 'Not logged in'}</p>` +
      `<p id="seen">Users seen in this session: ${manager.users.map(escape).join(', ') || 'none'}</p>` +
      `<form method="post"><input name="name" aria-label="name"><button>Log in</button></form>` +
      `<p><a id="logout" href="${here(request).replace(/\/$/, '')}/logout">Log out (ends the session)</a></p>` +
      `<p id="cleanups">Cleanups: ${cleanups.map(escape).join('; ') || 'none yet'}</p></body></html>`
    );
  }

  async renderPOST(request: Request): Promise<string> {
    const name = (await request.form()).get('name')?.trim() || 'anonymous';
    const session = await request.getSession();
    // A new id at login: a cookie planted before it (session fixation) no longer reaches the
    // logged-in session. The data stays; the old id is deleted when this request commits.
    session.regenerate();
    session.setComponent(ICurrentUser, { name });
    IUserManager(session).add(name);
    request.redirect(here(request));
    return '';
  }
}

/** `/users/logout`: ends the session; its user manager is cleaned up. */
export class Logout extends Resource {
  async renderGET(request: Request): Promise<string> {
    (await request.getSession()).expire();
    return `<!DOCTYPE html><html><head><meta charset='utf-8'><title>Logged out</title></head><body><p id="bye">Logged out.</p><a href="/${request.prepath.slice(0, -1).join('/')}">Back</a></body></html>`;
  }
}

/** Builds the example's tree. */
export function makeResource(): Resource {
  const page = new UsersPage();
  page.putChild('logout', new Logout());
  return page;
}

/** The root resource served by `dovetail serve` (the child '' answers "/", as in Twisted). */
export const resource = makeResource();
resource.putChild('', resource);
