/**
 * The site `npm run soak` serves with `dovetail serve --workers 4`: the demo's counter page
 * (Twisted's `ICounter(session)` through a registered adapter) at /counter, and handlers that
 * count every `ISessionCreated` and `ISessionExpired`, per session id, in a Redis hash of the
 * soak's own (`SOAK_COUNTS`, a plain redis:// url, apart from the store under test): the soak
 * then checks that every session it created ended exactly once, whichever worker swept it.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { getGlobalRegistry } from '@dovetail/registry';
import { ISessionCreated, ISessionExpired } from '@dovetail/session';
import { Resource } from '@dovetail/web';
import type { SessionEvent } from '@dovetail/session';

const url = process.env.SOAK_COUNTS;
if (!url) throw new Error('SOAK_COUNTS (redis://…) is not set: run this module through npm run soak');

const counts = createClient({ url });
counts.on('error', (e: unknown) => console.error('soak counts:', e));
await counts.connect();

const count = (hash: string) => (event: SessionEvent): void => {
  counts.hIncrBy(hash, event.object.uid, 1).catch((e: unknown) => console.error(`soak counts: ${hash}:`, e));
};
getGlobalRegistry().registerHandler(count('soak:created'), [ISessionCreated]);
getGlobalRegistry().registerHandler(count('soak:expired'), [ISessionExpired]);

// The counter page of the examples (built to examples/dist), loaded as the demo loads it.
const examples = fileURLToPath(new URL('../../examples/dist/', import.meta.url));
const { CounterResource } = (await import(pathToFileURL(join(examples, 'counter/index.js')).href)) as { CounterResource: new () => Resource };

const root = new Resource();
root.putChild('counter', new CounterResource());

/** The root resource served by `dovetail serve`. */
export const resource = root;
