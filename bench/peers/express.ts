/**
 * Express 5 + express-session, as its README sets it up (resave: false,
 * saveUninitialized: false), on three stores: its own MemoryStore, better-sqlite3-session-store
 * (the same WAL + synchronous=NORMAL durability as dovetail's SqliteStore) and connect-redis.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import betterSqlite3SessionStore from 'better-sqlite3-session-store';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session, { type SessionData, type Store } from 'express-session';
import { createClient } from 'redis';
import { counterPage, listenCounter, type Peer, type PeerContext, type StartedPeer } from './peer.js';

async function serveWith(context: PeerContext, store: Store | undefined, cleanup: () => Promise<void>): Promise<StartedPeer> {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(
    session({
      secret: context.secret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', path: '/' },
      ...(store ? { store } : {}),
    }),
  );
  app.get('/counter', (req, res) => {
    const data = (req as unknown as { session: SessionData }).session;
    data.views = (data.views ?? 0) + 1;
    res.type('html').send(counterPage(data.views));
  });
  const started = await listenCounter(createServer(app));
  return {
    url: started.url,
    close: async () => {
      await started.close();
      await cleanup();
    },
  };
}

const none = (): Promise<void> => Promise.resolve();

export const peers: Peer[] = [
  {
    name: 'express-session',
    description: 'Express 5 + express-session, its MemoryStore',
    start: (context) => serveWith(context, undefined, none),
  },
  {
    name: 'express-sqlite',
    description: 'Express 5 + express-session + better-sqlite3-session-store (WAL, synchronous=NORMAL)',
    start: (context) => {
      const db = new Database(join(context.dir, 'sessions.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const SqliteStore = betterSqlite3SessionStore(session);
      const store = new SqliteStore({ client: db, expired: { clear: true, intervalMs: 900_000 } });
      return serveWith(context, store, () => Promise.resolve(void db.close()));
    },
  },
  {
    name: 'express-redis',
    description: 'Express 5 + express-session + connect-redis (node-redis client)',
    needsRedis: true,
    start: async (context) => {
      const client = await createClient({ url: context.redisUrl! }).connect();
      return serveWith(context, new RedisStore({ client }), async () => void (await client.close()));
    },
  },
];
