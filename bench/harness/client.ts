/**
 * The harness's own requests, outside the measured runs: a session per cookie (its first
 * request) and the counters read back after each run, to count lost updates.
 */
import { Agent, request as httpRequest } from 'node:http';
import { DEFAULT_COUNTER_PATTERN } from '../peers/peer.js';

export interface Reply {
  status: number;
  /** `name=value` of each Set-Cookie. */
  cookies: string[];
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** GET `url` with `cookie` (a Cookie header), through `via` (the harness's own keep-alive agent by default). */
export function get(url: string, cookie?: string, via: Agent = agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: via, headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!.trim());
        resolve({ status: res.statusCode ?? 0, cookies, body });
      });
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${url} timed out after 15 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The counter a page shows; throws with the page when it shows none or the status is not 2xx. */
export function counterOf(reply: Reply, pattern: RegExp = DEFAULT_COUNTER_PATTERN): number {
  const found = pattern.exec(reply.body)?.[1];
  if (reply.status < 200 || reply.status > 299 || found === undefined) {
    throw new Error(`expected a counter page, got ${reply.status}: ${reply.body.slice(0, 200)}`);
  }
  return Number(found);
}

/** Runs `fn` over `items`, `width` at a time, keeping the order of the results. */
async function mapConcurrently<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** A session as the harness knows it: its Cookie header and the last counter it showed. */
export interface KnownSession {
  cookie: string;
  counter: number;
}

/** Makes `count` sessions, each by a first request without a cookie. */
export async function createSessions(url: string, count: number, pattern?: RegExp): Promise<KnownSession[]> {
  return mapConcurrently(Array.from({ length: count }, (_, i) => i), 8, async () => {
    const reply = await get(url);
    const counter = counterOf(reply, pattern);
    if (reply.cookies.length === 0) throw new Error(`${url} set no session cookie on a first visit`);
    return { cookie: reply.cookies.join('; '), counter };
  });
}

/**
 * Reads every session's counter (one more request each, which counts too) and returns how
 * many increments happened since the last read, apart from those reads: the number of
 * updates the store kept. Updates the known counters.
 */
export async function readIncrements(url: string, sessions: KnownSession[], pattern?: RegExp): Promise<number> {
  const counters = await mapConcurrently(sessions, 8, async (s) => counterOf(await get(url, s.cookie), pattern));
  let kept = 0;
  sessions.forEach((s, i) => {
    kept += counters[i]! - s.counter - 1;
    s.counter = counters[i]!;
  });
  return kept;
}
