/**
 * Twisted Web "Session Basics": show the session id; `/expire` ends the session,
 * and the next visit shows a new id.
 *
 * Guide: docs/guide/session-basics.md. Run: `npm run serve -- examples/dist/session/index.js`
 */
import { Resource } from '@dovetail/web';
import type { Request } from '@dovetail/web';

/** Tells the client its session id. */
export class ShowSession extends Resource {
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    return `Your session id is: ${session.uid}`;
  }
}

/** Expires whatever session it is requested with. */
export class ExpireSession extends Resource {
  async renderGET(request: Request): Promise<string> {
    (await request.getSession()).expire();
    return 'Your session has been expired.';
  }
}

/** Builds the example's tree: the session page with its `expire` child. */
export function makeResource(): Resource {
  const resource = new ShowSession();
  resource.putChild('expire', new ExpireSession());
  return resource;
}

/** The root resource served by `dovetail serve` (the child '' answers "/", as in Twisted). */
export const resource = makeResource();
resource.putChild('', resource);
