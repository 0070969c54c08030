/**
 * Twisted Web "Storing Objects in the Session": an interface, an adapter from
 * Session to it, and a page that counts visits per session.
 *
 * Guide: docs/guide/storing-objects-in-the-session.md. Run: `npm run serve -- examples/dist/counter/index.js`
 */
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { registerAdapter } from '@dovetail/registry';
import { Session } from '@dovetail/session';
import { Resource } from '@dovetail/web';
import type { Request } from '@dovetail/web';

/** What the counter component looks like. */
export interface Counter {
  value: number;
}

/** The interface: documents the component and is its key in the session. */
export const ICounter = defineInterface<Counter>('examples.counter.ICounter', {
  members: { value: Attribute('An int value which counts up once per page view.') },
});

/** The component kept on the session; built on the first `ICounter(session)`. */
@implementer(ICounter)
export class CounterComponent implements Counter {
  value = 0;
  constructor(_session: Session) {}
}

// Running this module again (same name, same shape) gives the same ICounter: the counter
// is not reset, the pitfall the Twisted document warns about.
registerAdapter(CounterComponent, Session, ICounter);

/** The page: `ICounter(session)` gives the same component on every visit of the session. */
export class CounterResource extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<string> {
    const session = await request.getSession();
    const counter = ICounter(session);
    counter.value += 1;
    return `<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body>Visit #${counter.value} for you!`;
  }
}

/** The root resource served by `dovetail serve`. */
export const resource = new CounterResource();
