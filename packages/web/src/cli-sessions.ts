/**
 * `dovetail sessions --store SPEC [ID]`: lists the sessions a store keeps (id, version, expiry),
 * or shows one session's data, read-only, as the Inspector does in the browser.
 *
 * @module
 */
import { inspect } from 'node:util';
import { decode } from '@dovetail/session';
import { makeStore, unusableStore } from './cli-store.js';
import { CliError } from './errors.js';

/** The usage line of `dovetail sessions`. */
export const SESSIONS_USAGE = 'usage: dovetail sessions --store sqlite:PATH|redis://HOST:PORT [ID]';
const PAGE = 500;

/**
 * Runs `dovetail sessions` with its arguments (after the word `sessions`).
 *
 * @throws {CliError} exit code 2 for a usage mistake or an unknown id.
 */
export async function sessionsCommand(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--store');
  const spec = at === -1 ? undefined : argv[at + 1];
  const rest = argv.filter((_, i) => i !== at && i !== at + 1);
  const help = rest.includes('--help');
  // Ids are base64url and may begin with '-': every word but the command's own options is an id.
  const ids = rest.filter((a) => a !== '--help' && a !== '--');
  if (spec === undefined || help || ids.length > 1) throw new CliError(SESSIONS_USAGE, help ? 0 : 2);
  const store = makeStore(spec, undefined);
  try {
    await store.ready?.().catch((e: unknown) => {
      throw unusableStore(spec, store, e);
    });
    const id = ids[0];
    if (id === undefined) {
      console.log(`${await store.count()} sessions in ${store.name}`);
      let cursor: string | undefined;
      do {
        const page = await store.list(cursor, PAGE);
        for (const e of page.entries) console.log(`${e.id}  version ${e.version}  expires ${new Date(e.expires).toISOString()}`);
        cursor = page.cursor;
      } while (cursor !== undefined);
      return;
    }
    const entry = await store.get(id, Date.now());
    if (entry === undefined) throw new CliError(`No live session '${id}' in ${store.name}: list the ids with dovetail sessions --store ${spec}.`, 2);
    console.log(inspect(decode(entry.payload), { depth: 8, colors: false }));
  } finally {
    await store.close();
  }
}
