import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The contract of an HTTP benchmark peer (see bench/http.ts).
 *
 * A peer is a module in bench/peers/ exporting `name` and `start()` (named exports, or the same
 * shape as its default export). `start()` serves a counter page on 127.0.0.1 and resolves to
 * the page's full URL and a `close()`. The page counts once per request for the session named
 * by its cookie and shows the count in its body, matched by `counterPattern` (default
 * `Visit #(\d+)`), so the harness can count lost updates.
 */
export interface StartedPeer {
  /** Full URL of the counter page, e.g. `http://127.0.0.1:41234/counter`. */
  url: string;
  close(): Promise<void>;
}

export interface Peer {
  name: string;
  /** One line on what the peer is, printed in the results. */
  description?: string;
  /** Reads the counter from a response body; first capture group. `null`: not a counter page. */
  counterPattern?: RegExp | null;
  start(): Promise<StartedPeer>;
}

/** Thrown by `start()` when the peer cannot run here (e.g. its library is not installed). */
export class PeerUnavailableError extends Error {
  override name = 'PeerUnavailableError';
}

export const DEFAULT_COUNTER_PATTERN = /Visit #(\d+)/;

export function counterPage(n: number): string {
  return `<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body>Visit #${n} for you!`;
}

/** Listens on 127.0.0.1 (a free port) and returns the peer's counter URL and a close(). */
export async function listenCounter(server: Server): Promise<StartedPeer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/counter`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
