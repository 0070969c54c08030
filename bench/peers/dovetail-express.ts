/**
 * dovetail's Express middleware on a MemoryStore, the counter a value in the session's dictionary:
 * under Express 5, and called Connect-style from a bare node:http handler (what the middleware
 * itself costs, without Express's own routing). The other dovetail rows run `dovetail serve` (the
 * Site); these are for the apps that keep Express or Connect.
 */
import { type Server, createServer } from 'node:http';
import express from 'express';
import { MemoryStore, type Session, Sessions } from '@dovetail/session';
import { dovetailSessions } from '@dovetail/web';
import { counterPage, listenCounter, type Peer, type PeerContext, type StartedPeer } from './peer.js';

function counterSessions(context: PeerContext): Sessions {
  return new Sessions({ store: new MemoryStore(), secrets: [context.secret] });
}

/** One visit of the counter in `req.session`'s dictionary. */
function countVisit(session: Session): number {
  const views = (session.get<number>('views') ?? 0) + 1;
  session.set('views', views);
  return views;
}

async function serving(server: Server, sessions: Sessions): Promise<StartedPeer> {
  const started = await listenCounter(server);
  return {
    url: started.url,
    close: async () => {
      await started.close();
      await sessions.close();
    },
  };
}

export const peers: Peer[] = [
  {
    name: 'dovetail-express',
    description: "Express 5 + dovetail's Express middleware (dovetailSessions), MemoryStore",
    start: (context) => {
      const sessions = counterSessions(context);
      const app = express();
      app.disable('x-powered-by');
      app.disable('etag');
      app.use(dovetailSessions({ sessions }));
      app.get('/counter', (req, res) => {
        res.type('html').send(counterPage(countVisit(req.session)));
      });
      return serving(createServer(app), sessions);
    },
  },
  {
    name: 'dovetail-connect',
    description: "node:http calling dovetail's Express middleware (dovetailSessions) Connect-style, MemoryStore",
    start: (context) => {
      const sessions = counterSessions(context);
      const middleware = dovetailSessions({ sessions });
      const server = createServer((req, res) => {
        middleware(req, res, (error) => {
          if (error !== undefined) {
            res.statusCode = 500;
            res.end();
            return;
          }
          const body = counterPage(countVisit((req as unknown as { session: Session }).session));
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(body);
        });
      });
      return serving(server, sessions);
    },
  },
];
