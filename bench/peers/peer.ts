import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The contract of an HTTP benchmark peer (see bench/http.ts).
 *
 * A peer module in bench/peers/ exports `peers`, a list of {@link Peer}. Each serves a counter
 * page on 127.0.0.1: the page counts once per request for the session named by its cookie
 * (creating the session when there is none) and shows the count in its body, matched by
 * `counterPattern` (default `Visit #(\d+)`), so the harness can count lost updates.
 *
 * A peer runs in its own process, so that the harness can pin it to a CPU and read its CPU
 * time: either `start()` run in a child (`node bench/dist/http.js --serve <file> <name>`), or
 * the `command()` it names (the `dovetail serve` CLI).
 */
export interface Peer {
  name: string;
  /** One line on what the peer is, printed in the results. */
  description: string;
  /** Reads the counter from a response body; first capture group. */
  counterPattern?: RegExp;
  /** The harness starts a redis-server and passes its URL in `PeerContext.redisUrl`. */
  needsRedis?: boolean;
  /** The harness starts a 3-master Redis Cluster and passes its spec in `PeerContext.redisCluster`. */
  needsRedisCluster?: boolean;
  /** Run only when named in BENCH_PEERS (or BENCH_PEERS=all): a control, not a result row. */
  optIn?: boolean;
  /** Each process keeps counters of its own (node:cluster workers, no shared store): the harness counts no lost updates. */
  countsPerProcess?: boolean;
  /** Serves the page in this (child) process. */
  start?(context: PeerContext): Promise<StartedPeer>;
  /** Or: a command to run instead of `start`, and how to tell where it listens. */
  command?(context: PeerContext): PeerCommand;
}

/** What the harness gives a peer. */
export interface PeerContext {
  /** `redis://127.0.0.1:PORT` of the harness's redis-server (only for `needsRedis` peers). */
  redisUrl?: string;
  /** `redis+cluster://127.0.0.1:P1,…` of the harness's Redis Cluster (only for `needsRedisCluster` peers). */
  redisCluster?: string;
  /** An empty directory of this server's own (SQLite files go here). */
  dir: string;
  /** A random secret (base64url, 43 characters) for signing cookies. */
  secret: string;
}

/** A server run as a command (arguments after the node executable). */
export interface PeerCommand {
  args: string[];
  env?: Record<string, string>;
  /** Matches the line that says the server is ready; the first group is its origin URL. */
  ready: RegExp;
  /** The counter page's path, appended to the origin. */
  path: string;
}

export interface StartedPeer {
  /** Full URL of the counter page, e.g. `http://127.0.0.1:41234/counter`. */
  url: string;
  close(): Promise<void>;
}

/** Thrown by `start()` when the peer cannot run here (e.g. its library is not installed). */
export class PeerUnavailableError extends Error {
  override name = 'PeerUnavailableError';
}

export const DEFAULT_COUNTER_PATTERN = /Visit #(\d+)/;

/** The counter page every in-process peer serves: the same bytes as the dovetail demo's. */
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
