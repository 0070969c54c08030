/**
 * `ISession(request)` and `IClientId(request)`: the Nevow and Zope spellings of "the session of
 * this request" and "the client id of this request", registered on the global registry. They
 * adapt once the request's session is loaded (`await request.getSession()`); before that
 * there is no adapter, and `ISession(request, null)` is null.
 */
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { getGlobalRegistry } from '@dovetail/registry';
import { ISession } from '@dovetail/session';
import { Request } from './request.js';
import type { Session } from '@dovetail/session';

/** A client id (Zope's `IClientId`): the id of the client's session, a string. */
export interface ClientIdShape {
  /** The id. */
  readonly id: string;
  /** The id, as a string (Zope's `str(IClientId(request))`). */
  toString(): string;
}

/** The interface of client ids: `IClientId(request)` after the session is loaded. */
export const IClientId = defineInterface<ClientIdShape>('dovetail.web.IClientId', {
  doc: 'A unique id of the client, kept by its session cookie.',
  members: { id: Attribute('The id.') },
});

/**
 * The client id of a request: its session's uid.
 *
 * @example
 * ```ts
 * await request.getSession();
 * String(IClientId(request)); // the session uid
 * ```
 */
@implementer(IClientId)
export class ClientId implements ClientIdShape {
  /** @param id - the session uid */
  constructor(readonly id: string) {}
  /** The id. */
  toString(): string {
    return this.id;
  }
}

const registry = getGlobalRegistry();
if (!registry.lookup([Request], ISession)) {
  registry.registerAdapter((request: Request): Session | null => request.session ?? null, Request, ISession);
  registry.registerAdapter((request: Request): ClientId | null => (request.session ? new ClientId(request.session.uid) : null), Request, IClientId);
}
