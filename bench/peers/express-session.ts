/**
 * Express 5 + express-session with its default MemoryStore (resave: false,
 * saveUninitialized: false). express-session is not a dependency of this repository: when it
 * cannot be imported the peer is skipped with the reason (install it to include it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { counterPage, listenCounter, PeerUnavailableError, type StartedPeer } from './peer.js';

export const name = 'express-session';
export const description = 'Express 5 + express-session, MemoryStore';

interface SessionData {
  views?: number;
}
type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
type SessionFactory = (options: {
  secret: string;
  resave: boolean;
  saveUninitialized: boolean;
  cookie: { httpOnly: boolean; sameSite: 'lax'; path: string };
}) => Middleware;

async function loadExpressSession(): Promise<SessionFactory> {
  // A non-literal specifier: the module is optional and has no types installed here.
  const specifier = 'express-session';
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PeerUnavailableError(`express-session is not installed (${why}); \`npm i -D express-session\` to include this peer`);
  }
  const factory = (loaded as { default?: unknown }).default ?? loaded;
  if (typeof factory !== 'function') throw new PeerUnavailableError('express-session did not export a middleware factory');
  return factory as SessionFactory;
}

export async function start(): Promise<StartedPeer> {
  const session = await loadExpressSession();
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(
    session({
      secret: 'dovetail-bench-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', path: '/' },
    }),
  );
  app.get('/counter', (req, res) => {
    const data = (req as unknown as { session: SessionData }).session;
    data.views = (data.views ?? 0) + 1;
    res.type('html').send(counterPage(data.views));
  });
  const server = createServer(app);
  return listenCounter(server);
}
