/**
 * dovetail's Express middleware: Express 5 + `dovetailSessions` on a MemoryStore, the counter a
 * value in the session's dictionary. The other dovetail rows run `dovetail serve` (the Site);
 * this one is for the apps that keep Express.
 */
import { createServer } from 'node:http';
import express from 'express';
import { MemoryStore, Sessions } from '@dovetail/session';
import { dovetailSessions } from '@dovetail/web';
import { counterPage, listenCounter, type Peer } from './peer.js';

export const peers: Peer[] = [
  {
    name: 'dovetail-express',
    description: "Express 5 + dovetail's Express middleware (dovetailSessions), MemoryStore",
    start: async (context) => {
      const sessions = new Sessions({ store: new MemoryStore(), secrets: [context.secret] });
      const app = express();
      app.disable('x-powered-by');
      app.disable('etag');
      app.use(dovetailSessions({ sessions }));
      app.get('/counter', (req, res) => {
        const views = (req.session.get<number>('views') ?? 0) + 1;
        req.session.set('views', views);
        res.type('html').send(counterPage(views));
      });
      const started = await listenCounter(createServer(app));
      return {
        url: started.url,
        close: async () => {
          await started.close();
          await sessions.close();
        },
      };
    },
  },
];
