/**
 * Fastify 5 + @fastify/session (+ @fastify/cookie), as its README sets it up
 * (saveUninitialized: false; cookie not `secure`, since the bench speaks plain HTTP), on its
 * own in-memory store and on connect-redis.
 */
import fastifyCookie from '@fastify/cookie';
import fastifySession, { type SessionStore } from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { counterPage, type Peer, type PeerContext, type StartedPeer } from './peer.js';

declare module 'fastify' {
  interface Session {
    views?: number;
  }
}

async function serveWith(context: PeerContext, store: SessionStore | undefined, cleanup: () => Promise<void>): Promise<StartedPeer> {
  const app = Fastify({ logger: false });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: context.secret,
    saveUninitialized: false,
    cookie: { secure: false, httpOnly: true, sameSite: 'lax', path: '/' },
    ...(store ? { store } : {}),
  });
  app.get('/counter', (request, reply) => {
    const views = (request.session.get('views') ?? 0) + 1;
    request.session.set('views', views);
    void reply.type('text/html; charset=utf-8').send(counterPage(views));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fastify did not listen on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}/counter`,
    close: async () => {
      await app.close();
      await cleanup();
    },
  };
}

export const peers: Peer[] = [
  {
    name: 'fastify-session',
    description: 'Fastify 5 + @fastify/session, its in-memory store',
    start: (context) => serveWith(context, undefined, () => Promise.resolve()),
  },
  {
    name: 'fastify-redis',
    description: 'Fastify 5 + @fastify/session + connect-redis (node-redis client)',
    needsRedis: true,
    start: async (context) => {
      const client = await createClient({ url: context.redisUrl! }).connect();
      // connect-redis implements express-session's Store: get/set/destroy with callbacks, the
      // interface @fastify/session asks of a store.
      const store = new RedisStore({ client }) as unknown as SessionStore;
      return serveWith(context, store, async () => void (await client.close()));
    },
  },
];
