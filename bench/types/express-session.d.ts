/**
 * express-session, the part the bench uses. Its @types package is not installed on purpose: it
 * adds `session` to every Express request in the whole program, which clashes with
 * @dovetail/web's own Express integration.
 */
declare module 'express-session' {
  import type { RequestHandler } from 'express';
  import type { EventEmitter } from 'node:events';

  /** What a request's session holds (the bench's counter). */
  export interface SessionData {
    views?: number;
    cookie?: { maxAge?: number | null };
  }
  /** A session store (connect-redis, better-sqlite3-session-store extend it). */
  export class Store extends EventEmitter {}
  export interface SessionOptions {
    secret: string;
    resave: boolean;
    saveUninitialized: boolean;
    cookie?: { httpOnly?: boolean; sameSite?: 'lax' | 'strict'; path?: string };
    store?: Store;
  }
  interface Session {
    (options: SessionOptions): RequestHandler;
    Store: typeof Store;
  }
  const session: Session;
  export default session;
}
