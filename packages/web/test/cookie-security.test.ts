/**
 * The session cookie under attack: forged signatures, secure/plain mix-ups and 10,000 random
 * `Cookie` headers against one Site with the real `Sessions` manager. Never a 500, never
 * another user's session.
 */
import { Agent, request as httpRequest } from 'node:http';
import { MemoryStore, Sessions } from '@dovetail/session';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseCookieHeader } from '../src/cookies.js';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import type { Request } from '../src/request.js';

class Uid extends Resource {
  async renderGET(request: Request): Promise<string> {
    return `uid=${(await request.getSession()).uid}`;
  }
}

let site: Site;
let sessions: Sessions;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const errors: unknown[] = [];

beforeAll(async () => {
  sessions = new Sessions({ store: new MemoryStore(), sweepInterval: 0, lockWait: 1000, secrets: ['cookie-security-secret-0123456789'] });
  const root = new Resource();
  root.putChild('uid', new Uid());
  site = new Site(root, { sessions, trustProxy: true, logger: { ...console, error: (_line: string, e?: unknown) => void errors.push(e) } });
  ({ port } = await site.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  agent.destroy();
  await site.close();
  await sessions.close();
});

interface Answer {
  status: number;
  body: string;
  setCookie: string[];
}

/** GET /uid with exactly these headers, over the keep-alive agent. */
function get(headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/uid', agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, setCookie: res.headers['set-cookie'] ?? [] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A session of its own: its uid and the cookie value that names it. */
async function victim(secure = false): Promise<{ uid: string; value: string; name: string }> {
  const answer = await get(secure ? { 'x-forwarded-proto': 'https' } : {});
  const [pair] = answer.setCookie[0]!.split(';');
  const eq = pair!.indexOf('=');
  return { uid: answer.body.slice(4), name: pair!.slice(0, eq), value: pair!.slice(eq + 1) };
}

const uidShown = (answer: Answer): string => answer.body.slice(4);

describe('the session cookie under attack', () => {
  it('a forged signature (one character of the MAC changed) → a new session, never an error page, never the victim', async () => {
    const v = await victim();
    const last = v.value.at(-1) === 'A' ? 'B' : 'A';
    const forged = v.value.slice(0, -1) + last;
    const answer = await get({ cookie: `DOVETAIL_SESSION=${forged}` });
    expect(answer.status).toBe(200);
    expect(uidShown(answer)).not.toBe(v.uid);
    expect(answer.setCookie[0]).toMatch(/^DOVETAIL_SESSION=/);
    // The victim's own cookie still works.
    expect(uidShown(await get({ cookie: `DOVETAIL_SESSION=${v.value}` }))).toBe(v.uid);
  });

  it('a 12 KiB unrelated cookie before ours (node accepts up to 16 KiB) → our session, no new cookie', async () => {
    const v = await victim();
    const cookie = `analytics=${'a'.repeat(12 * 1024)}; DOVETAIL_SESSION=${v.value}`;
    expect(cookie.length).toBeGreaterThan(12 * 1024);
    const answer = await get({ cookie });
    expect(answer.status).toBe(200);
    expect(uidShown(answer)).toBe(v.uid);
    expect(answer.setCookie).toEqual([]);
  });

  it('the victim uid signed with another secret → a new session', async () => {
    const v = await victim();
    const other = new Sessions({ store: new MemoryStore(), sweepInterval: 0, secrets: ['another-secret-entirely-0123456789'] });
    try {
      const answer = await get({ cookie: `DOVETAIL_SESSION=${other.sign(v.uid)}` });
      expect(answer.status).toBe(200);
      expect(uidShown(answer)).not.toBe(v.uid);
    } finally {
      await other.close();
    }
  });

  it('a secure session cookie sent over plain HTTP (under either name) → not that session', async () => {
    const v = await victim(true);
    expect(v.name).toBe('DOVETAIL_SECURE_SESSION');
    for (const name of ['DOVETAIL_SESSION', 'DOVETAIL_SECURE_SESSION']) {
      const answer = await get({ cookie: `${name}=${v.value}` });
      expect(answer.status).toBe(200);
      expect(uidShown(answer)).not.toBe(v.uid);
    }
    expect(uidShown(await get({ cookie: `DOVETAIL_SECURE_SESSION=${v.value}`, 'x-forwarded-proto': 'https' }))).toBe(v.uid);
  });

  it('a plain session cookie sent over HTTPS (X-Forwarded-Proto: https, under either name) → not that session', async () => {
    const v = await victim(false);
    expect(v.name).toBe('DOVETAIL_SESSION');
    for (const name of ['DOVETAIL_SESSION', 'DOVETAIL_SECURE_SESSION']) {
      const answer = await get({ cookie: `${name}=${v.value}`, 'x-forwarded-proto': 'https' });
      expect(answer.status).toBe(200);
      expect(uidShown(answer)).not.toBe(v.uid);
      expect(answer.setCookie[0]).toMatch(/^DOVETAIL_SECURE_SESSION=[^;]+;.*Secure/);
    }
  });

  it('10,000 random Cookie headers → never a 500, never the victim session unless its exact cookie is sent', async () => {
    const v = await victim();
    const byte = fc.constantFrom(...'\t !"#$%&\'()*+,-./0123456789:;<=>?@ABCZabcz[\\]^_`{|}~\u0080\u00ff\u00e9'.split(''));
    const junk = fc.string({ unit: byte, maxLength: 40 });
    const b64 = fc.constantFrom(...'AZaz09-_.=%'.split(''));
    const mutated = fc.oneof(
      // One character replaced.
      fc.tuple(fc.nat(v.value.length - 1), b64).map(([i, c]) => v.value.slice(0, i) + c + v.value.slice(i + 1)),
      // Truncated, extended, doubled.
      fc.nat(v.value.length).map((n) => v.value.slice(0, n)),
      junk.map((j) => v.value + j),
      fc.constant(`${v.value}${v.value}`),
      // The uid with an empty, short or made-up MAC.
      fc.string({ unit: b64, maxLength: 50 }).map((mac) => `${v.uid}.${mac}`),
      // Quoted or percent-encoded.
      fc.constant(`"${v.value}"`),
      fc.nat(v.value.length - 1).map((i) => v.value.slice(0, i) + encodeURIComponent(v.value[i]!).replace(/^([^%])$/, (c) => `%${c.charCodeAt(0).toString(16)}`) + v.value.slice(i + 1)),
      junk,
    );
    const name = fc.constantFrom('DOVETAIL_SESSION', 'dovetail_session', 'DOVETAIL_SECURE_SESSION', ' DOVETAIL_SESSION', 'DOVETAIL_SESSION ', 'x', '');
    const pair = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(name, mutated).map(([n, value]) => `${n}=${value}`) },
      { weight: 1, arbitrary: junk },
    );
    const separator = fc.constantFrom('; ', ';', ', ', ' ; ', ';;', '');
    const header = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(fc.array(pair, { minLength: 1, maxLength: 4 }), separator).map(([pairs, sep]) => pairs.join(sep)) },
      // Large (8–9 KiB): still read, whatever comes before our cookie.
      { weight: 1, arbitrary: fc.tuple(pair, fc.integer({ min: 8100, max: 9000 })).map(([p, n]) => `DOVETAIL_SESSION=${v.value}; ${p}; pad=${'a'.repeat(n)}`) },
      { weight: 1, arbitrary: junk },
    );
    const secure = fc.boolean();
    let exactHits = 0;

    await fc.assert(
      fc.asyncProperty(header, secure, async (cookie, https) => {
        const headers: Record<string, string> = { cookie };
        if (https) headers['x-forwarded-proto'] = 'https';
        const answer = await get(headers);
        expect(answer.status).toBe(200);
        const exact = !https && parseCookieHeader(cookie)['DOVETAIL_SESSION'] === v.value;
        if (exact) exactHits++;
        if (exact) expect(uidShown(answer)).toBe(v.uid);
        else expect(answer.body).not.toContain(v.uid);
      }),
      { numRuns: 10_000 },
    );
    expect(errors).toEqual([]);
    // The generator also sends the victim's own cookie (truncated to full length, percent-encoded), so the oracle is not vacuous.
    expect(exactHits).toBeGreaterThan(0);
  }, 120_000);
});
