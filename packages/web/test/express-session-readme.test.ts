/**
 * The examples of express-session's README (View counter, User login — login with regenerate,
 * logout with save then regenerate), run against `dovetailSessions` in a real Express 5 app over
 * HTTP on 127.0.0.1. The route code is the README's, changed only where our names differ:
 * - `session({ secret: 'keyboard cat', resave: false, saveUninitialized: true })` is
 *   `dovetailSessions({ sessions: new Sessions({ secrets: [...] }) })` (a secret of 32 bytes or
 *   more; resave and saveUninitialized have no counterpart: unchanged sessions are not
 *   rewritten, and a session is stored once something is put in it);
 * - express-session's `regenerate(cb)` starts an empty session: ours is `regenerate({ keep:
 *   false }, cb)` (`regenerate(cb)` keeps the data);
 * - `parseurl(req).pathname` is `req.path`, `escapeHtml` a local function (neither package is a
 *   dependency of ours), and the route handlers that call `next` declare it (the README's login
 *   route uses `next` without declaring it);
 * - the property types are declared on `ExpressSessionData` (express-session's `SessionData`).
 */
import { MemoryStore, Sessions } from '@dovetail/session';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { dovetailSessions } from '../src/express.js';
import { Jar, listen } from './helpers.js';

declare module '../src/express-session.js' {
  interface ExpressSessionData {
    views: Record<string, number>;
    user: string | null;
  }
}

const managers: Sessions[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function sessionMiddleware(): ReturnType<typeof dovetailSessions> {
  const sessions = new Sessions({ store: new MemoryStore(), secrets: ['keyboard cat keyboard cat keyboard cat'], sweepInterval: 0 });
  managers.push(sessions);
  return dovetailSessions({ sessions });
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** README "View counter". */
function viewCounterApp(): express.Express {
  const app = express();

  app.use(sessionMiddleware());

  app.use(function (req, res, next) {
    if (!req.session.views) {
      req.session.views = {};
    }

    // get the url pathname
    const pathname = req.path;

    // count the views
    req.session.views[pathname] = (req.session.views[pathname] || 0) + 1;

    next();
  });

  app.get('/foo', function (req, res) {
    res.send('you viewed this page ' + req.session.views!['/foo'] + ' times');
  });

  app.get('/bar', function (req, res) {
    res.send('you viewed this page ' + req.session.views!['/bar'] + ' times');
  });
  return app;
}

/** README "User login". */
function userLoginApp(): express.Express {
  const app = express();

  app.use(sessionMiddleware());

  // middleware to test if authenticated
  function isAuthenticated(req: express.Request, res: express.Response, next: express.NextFunction) {
    if (req.session.user) next();
    else next('route');
  }

  app.get('/', isAuthenticated, function (req, res) {
    // this is only called when there is an authentication user due to isAuthenticated
    res.send('hello, ' + escapeHtml(req.session.user!) + '!' + ' <a href="/logout">Logout</a>');
  });

  app.get('/', function (req, res) {
    res.send(
      '<form action="/login" method="post">' +
        'Username: <input name="user"><br>' +
        'Password: <input name="pass" type="password"><br>' +
        '<input type="submit" text="Login"></form>',
    );
  });

  app.post('/login', express.urlencoded({ extended: false }), function (req, res, next) {
    // login logic to validate req.body.user and req.body.pass
    // would be implemented here. for this example any combo works

    // regenerate the session, which is good practice to help
    // guard against forms of session fixation
    req.session.regenerate({ keep: false }, function (err) {
      if (err) next(err);

      // store user information in session, typically a user id
      req.session.user = (req.body as { user: string }).user;

      // save the session before redirection to ensure page
      // load does not happen before session is saved
      req.session.save(function (err) {
        if (err) return next(err);
        res.redirect('/');
      });
    });
  });

  app.get('/logout', function (req, res, next) {
    // logout logic

    // clear the user from the session object and save.
    // this will ensure that re-using the old session id
    // does not have a logged in user
    req.session.user = null;
    req.session.save(function (err) {
      if (err) next(err);

      // regenerate the session, which is good practice to help
      // guard against forms of session fixation
      req.session.regenerate({ keep: false }, function (err) {
        if (err) next(err);
        res.redirect('/');
      });
    });
  });
  return app;
}

const login = (url: string, jar: Jar, user: string): Promise<Response> =>
  jar.fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ user, pass: 'x' }), redirect: 'manual' });

describe("express-session's README examples under dovetailSessions", () => {
  it('view counter → each path counted per visitor; one cookie, sent with the first response only', async () => {
    const url = await listen(viewCounterApp());
    const jar = new Jar();
    const first = await jar.fetch(`${url}/foo`);
    expect(await first.text()).toBe('you viewed this page 1 times');
    expect(first.headers.getSetCookie()).toHaveLength(1);
    const second = await jar.fetch(`${url}/foo`);
    expect(await second.text()).toBe('you viewed this page 2 times');
    expect(second.headers.getSetCookie()).toEqual([]);
    expect(await (await jar.fetch(`${url}/bar`)).text()).toBe('you viewed this page 1 times');
    expect(await (await jar.fetch(`${url}/foo`)).text()).toBe('you viewed this page 3 times');
    expect(await (await new Jar().fetch(`${url}/foo`)).text()).toBe('you viewed this page 1 times');
  });

  it('login → regenerate, save, redirect: the redirect carries the new cookie and the next page greets the user', async () => {
    const url = await listen(userLoginApp());
    const jar = new Jar();
    expect(await (await jar.fetch(`${url}/`)).text()).toContain('<form action="/login"');
    const res = await login(url, jar, 'ann');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^DOVETAIL_SESSION=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/)]);
    expect(await (await jar.fetch(`${url}/`)).text()).toBe('hello, ann! <a href="/logout">Logout</a>');
  });

  it('login on an existing session → a new id, and the id from before login no longer works (fixation)', async () => {
    const url = await listen(userLoginApp());
    const jar = new Jar();
    await login(url, jar, 'first');
    const before = jar.cookies.get('DOVETAIL_SESSION');
    await login(url, jar, 'ann');
    const after = jar.cookies.get('DOVETAIL_SESSION');
    expect(after).not.toBe(before);
    const planted = await fetch(`${url}/`, { headers: { cookie: `DOVETAIL_SESSION=${before}` } });
    expect(await planted.text()).toContain('<form action="/login"');
  });

  it('logout → user cleared and saved, then regenerate: the form again, and the logged-in cookie is dead', async () => {
    const url = await listen(userLoginApp());
    const jar = new Jar();
    await login(url, jar, 'ann');
    const loggedIn = jar.cookies.get('DOVETAIL_SESSION')!;
    const res = await jar.fetch(`${url}/logout`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, '/']);
    expect(await (await jar.fetch(`${url}/`)).text()).toContain('<form action="/login"');
    const replay = await fetch(`${url}/`, { headers: { cookie: `DOVETAIL_SESSION=${loggedIn}` } });
    expect(await replay.text()).toContain('<form action="/login"');
  });

  it('a visitor who only looks at the login form → no cookie, nothing stored', async () => {
    const sessions = new Sessions({ store: new MemoryStore(), secrets: ['keyboard cat keyboard cat keyboard cat'], sweepInterval: 0 });
    managers.push(sessions);
    const app = express();
    app.use(dovetailSessions({ sessions }));
    app.get('/', (req, res) => {
      res.send(req.session.user ? 'hello' : 'form');
    });
    const res = await fetch(`${await listen(app)}/`);
    expect(await res.text()).toBe('form');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessions.store.count()).toBe(0);
  });
});
