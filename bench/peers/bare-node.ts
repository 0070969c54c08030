/**
 * The baseline: node:http and a Map of counters keyed by a random cookie. No signing, no
 * expiry, no persistence: the least work a "session counter" can do.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { counterPage, listenCounter, type StartedPeer } from './peer.js';

export const name = 'bare-node';
export const description = 'node:http + Map<cookie, counter> (baseline)';

const COOKIE = 'sid=';

function readSid(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const at = header.startsWith(COOKIE) ? 0 : header.indexOf('; ' + COOKIE) + 2;
  if (at === 1) return undefined; // indexOf returned -1
  const start = at + COOKIE.length;
  const end = header.indexOf(';', start);
  return header.slice(start, end === -1 ? undefined : end);
}

export async function start(): Promise<StartedPeer> {
  const counters = new Map<string, { value: number }>();
  const server = createServer((req, res) => {
    if (req.url !== '/counter') {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    let sid = readSid(req.headers.cookie);
    let counter = sid === undefined ? undefined : counters.get(sid);
    if (counter === undefined) {
      sid = randomBytes(16).toString('base64url');
      counter = { value: 0 };
      counters.set(sid, counter);
      res.setHeader('set-cookie', `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    }
    counter.value += 1;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(counterPage(counter.value));
  });
  return listenCounter(server);
}
