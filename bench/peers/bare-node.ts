/**
 * The baseline: node:http and a Map of counters keyed by a random cookie. No signing, no
 * expiry, no persistence: the least work a "session counter" can do. Its opt-in twin that
 * loses updates, the control for the harness's lost-update count. And the same server on two
 * node:cluster workers, the baseline of what a second worker costs any node server here.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { counterPage, listenCounter, type Peer, type StartedPeer } from './peer.js';

const COOKIE = 'sid=';

function readSid(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const at = header.startsWith(COOKIE) ? 0 : header.indexOf('; ' + COOKIE) + 2;
  if (at === 1) return undefined; // indexOf returned -1
  const start = at + COOKIE.length;
  const end = header.indexOf(';', start);
  return header.slice(start, end === -1 ? undefined : end);
}

/**
 * `lossy`: read the counter, wait a turn of the event loop, write it back (a lost update).
 * `adopt`: a cookie this process has not seen counts from 0 rather than starting a new session
 * (under node:cluster another worker started it).
 */
function serveCounter(lossy: boolean, adopt = false): Promise<StartedPeer> {
  const counters = new Map<string, number>();
  const server = createServer((req, res) => {
    if (req.url !== '/counter') {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    let sid = readSid(req.headers.cookie);
    if (sid !== undefined && adopt && !counters.has(sid)) counters.set(sid, 0);
    if (sid === undefined || !counters.has(sid)) {
      sid = randomBytes(16).toString('base64url');
      counters.set(sid, 0);
      res.setHeader('set-cookie', `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    }
    const key = sid;
    const answer = (value: number): void => {
      counters.set(key, value);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(counterPage(value));
    };
    const value = counters.get(key)! + 1;
    if (lossy) setImmediate(answer, value);
    else answer(value);
  });
  return listenCounter(server);
}

/**
 * The counter on `workers` node:cluster workers sharing one port, as `dovetail serve --workers`
 * runs: the primary forks them and answers once all listen; each worker keeps its own Map.
 */
async function serveClustered(workers: number): Promise<StartedPeer> {
  if (cluster.isWorker) return serveCounter(false, true);
  const forked = Array.from({ length: workers }, () => cluster.fork());
  const listening = (worker: Worker): Promise<number> =>
    new Promise((resolve, reject) => {
      worker.once('listening', (address) => resolve(address.port));
      worker.once('exit', (code) => reject(new Error(`a bare-node worker exited (code ${code}) before it listened`)));
    });
  const stopped = (worker: Worker): Promise<void> =>
    new Promise((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      worker.kill();
    });
  const [port] = await Promise.all(forked.map(listening));
  return {
    url: `http://127.0.0.1:${port}/counter`,
    close: async () => {
      await Promise.all(forked.map(stopped));
    },
  };
}

export const peers: Peer[] = [
  { name: 'bare-node', description: 'node:http + Map<cookie, counter> (baseline)', start: () => serveCounter(false) },
  {
    name: 'lossy-node',
    description: 'control: node:http + Map, reads, waits a turn, writes back (loses updates)',
    optIn: true,
    start: () => serveCounter(true),
  },
  {
    name: 'bare-node-2w',
    description: 'node:http + Map on two node:cluster workers (a Map each, so its updates are not counted)',
    optIn: true,
    countsPerProcess: true,
    start: () => serveClustered(2),
  },
];
