/**
 * Helpers for the HTTP tests of @dovetail/web: start a Site (or any node request listener, such
 * as an Express app) on 127.0.0.1:0, close every one started after each test, and a tiny cookie
 * jar for fetch.
 */
import { type RequestListener, type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach } from '@jest/globals';
import { Site } from '../src/site.js';
import type { Resource } from '../src/resource.js';
import type { SiteOptions } from '../src/site-options.js';
import type { Logger } from '@dovetail/session';
import type { AddressInfo } from 'node:net';

const open: Site[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((site) => site.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Serves a node request listener (an Express app, say) on a free loopback port; closed after the test. */
export async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A logger that keeps what it is told: the errors given to `error`, the lines given to `warn`. */
export interface RecordingLogger extends Logger {
  readonly errors: unknown[];
  readonly warnings: string[];
}

/** A {@link RecordingLogger}: pass it as `logger` and assert on what the library logged. */
export function recordingLogger(): RecordingLogger {
  const errors: unknown[] = [];
  const warnings: string[] = [];
  return { errors, warnings, error: (_line, error) => void errors.push(error), warn: (line) => void warnings.push(line), info: () => undefined };
}

export interface Served {
  site: Site;
  url: string;
  port: number;
  /** The errors the Site logged (5xx causes), unless `options.logger` was given. */
  errors: unknown[];
}

/** Starts a Site for `root` on a free loopback port; closed after the test. */
export async function serve(root: Resource, options: SiteOptions = {}): Promise<Served> {
  const logger = recordingLogger();
  const errors = logger.errors;
  const site = new Site(root, { logger, ...options });
  open.push(site);
  const { port } = await site.listen(0);
  return { site, url: `http://127.0.0.1:${port}`, port, errors };
}

/** Sends raw bytes and returns everything the server answers until it closes or `ms` passes. */
export function raw(port: number, text: string, ms = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.write(text, 'latin1');
  });
}

/** A cookie jar for fetch: remembers Set-Cookie values (and forgets Max-Age=0 ones). */
export class Jar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.header());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(eq + 1));
    }
    return response;
  }
}
