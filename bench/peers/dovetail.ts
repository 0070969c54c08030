/**
 * dovetail: the seed 000 counter page — a Resource, `ICounter(session)` through a registered
 * adapter — served by `Site` with the real `Sessions` manager on a MemoryStore.
 */
import { Attribute, defineInterface, implementer } from '@dovetail/interfaces';
import { registerAdapter } from '@dovetail/registry';
import { MemoryStore, Session, Sessions } from '@dovetail/session';
import { type Request, Resource, Site } from '@dovetail/web';
import { counterPage, type StartedPeer } from './peer.js';

export const name = 'dovetail';
export const description = 'dovetail Site + Sessions (MemoryStore), ICounter(session) component';

interface Counter {
  value: number;
}

const ICounter = defineInterface<Counter>('bench.http.ICounter', {
  members: { value: Attribute('An int value which counts up once per page view.') },
});

@implementer(ICounter)
class CounterComponent implements Counter {
  value = 0;
  constructor(_session: Session) {}
}

registerAdapter(CounterComponent, Session, ICounter);

class CounterPage extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<string> {
    const counter = ICounter(await request.getSession());
    counter.value += 1;
    return counterPage(counter.value);
  }
}

export async function start(): Promise<StartedPeer> {
  const sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0 });
  const root = new Resource();
  root.putChild('counter', new CounterPage());
  const site = new Site(root, { sessions, shutdownTimeoutMs: 1000 });
  const { port } = await site.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/counter`,
    close: async () => {
      await site.close();
      await sessions.close();
    },
  };
}
