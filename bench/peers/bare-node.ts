/**
 * The baseline: node:http and a Map of counters keyed by a random cookie. No signing, no
 * expiry, no persistence: the least work a "session counter" can do. And its opt-in twin that
 * loses updates, the control for the harness's lost-update count.
 */
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

/** `lossy`: read the counter, wait a turn of the event loop, write it back (a lost update). */
function serveCounter(lossy: boolean): Promise<StartedPeer> {
  const counters = new Map<string, number>();
  const server = createServer((req, res) => {
    if (req.url !== '/counter') {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    let sid = readSid(req.headers.cookie);
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

export const peers: Peer[] = [
  { name: 'bare-node', description: 'node:http + Map<cookie, counter> (baseline)', start: () => serveCounter(false) },
  {
    name: 'lossy-node',
    description: 'control: node:http + Map, reads, waits a turn, writes back (loses updates)',
    optIn: true,
    start: () => serveCounter(true),
  },
];
