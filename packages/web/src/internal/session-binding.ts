/**
 * The sessions of one request: opened on the first `getSession()`, committed once by the Site
 * before the first byte of the response, aborted when the render fails. Every session code path
 * of the web layer is here. Internal: never re-exported.
 */
import { SessionClosedError } from '@dovetail/session';
import { isThenable, kCommitNow, kLoadNow } from '@dovetail/session/internal';
import type { CookieTemplate } from '../cookies.js';
import type { SessionLike, SessionsLike } from './sessions-api.js';

/**
 * What a request did with its session, for the access log: none opened (`-`), a new one
 * (`created`), the one its cookie named (`loaded`), or a cookie naming a session that is gone
 * (unknown, expired, forged) or that expired during the request (`expired`).
 */
export type SessionOutcome = 'created' | 'loaded' | 'expired' | '-';

const OPEN = 0;
const SETTLED = 1;

/** One request's view of the session manager. */
export class SessionBinding<S extends SessionLike = SessionLike> {
  readonly #manager: SessionsLike<S>;
  readonly #cookie: CookieTemplate;
  readonly #secure: boolean;
  /** The session cookie the client sent, or undefined. */
  readonly #incoming: string | undefined;
  /** The session `getSession()` currently answers with. */
  #current: S | null;
  /** Every session opened in this request, in order (an expired one and its replacement). */
  #openedList: S[] | null;
  /** The load in progress, so concurrent `getSession()` calls share it (a second load would wait on our own lock). */
  #pending: Promise<S> | null;
  /** True while `#pending` runs. */
  #loading: boolean;
  #triedCookie: boolean;
  /** Whether the cookie's session was found (null: no cookie was tried). */
  #found: boolean | null;
  #state: number;
  #settledAt: number | undefined;
  /** The cookie's session's own cookie lifetime when it was loaded: a change sends the cookie again. */
  #loadedMaxAge: number | null | undefined;

  constructor(manager: SessionsLike<S>, cookie: CookieTemplate, secure: boolean, incoming: string | undefined) {
    this.#manager = manager;
    this.#cookie = cookie;
    this.#secure = secure;
    this.#incoming = incoming === '' ? undefined : incoming;
    this.#current = null;
    this.#openedList = null;
    this.#pending = null;
    this.#loading = false;
    this.#triedCookie = false;
    this.#found = null;
    this.#state = OPEN;
    this.#settledAt = undefined;
    this.#loadedMaxAge = undefined;
  }

  /** When the request's sessions were committed or aborted (by the manager's clock), or undefined while open. */
  get settledAt(): number | undefined {
    return this.#settledAt;
  }

  /** The session loaded so far and not expired, or null: what `ISession(request)` adapts to. */
  get loaded(): S | null {
    const current = this.#current;
    return current !== null && !current.expired ? current : null;
  }

  /** Whether a session was opened (loaded or created) in this request, so its commit reaches the store. */
  get opened(): boolean {
    return this.#openedList !== null;
  }

  /** What this request did with its session (see {@link SessionOutcome}). */
  get outcome(): SessionOutcome {
    const current = this.#current;
    if (current === null) return '-';
    if (this.#found === false || current.expired) return 'expired';
    return this.#found === true ? 'loaded' : 'created';
  }

  /** The request's session: loaded from the cookie on first use, created when there is none, replaced after it expired. */
  get(): Promise<S> {
    // Once the commit started, the session handles are closed: nothing got now would be stored.
    if (this.#state !== OPEN) return Promise.reject(new SessionClosedError('get the session (getSession())', '', this.#settledAt));
    const current = this.#current;
    if (current !== null && !current.expired) return Promise.resolve(current);
    if (this.#loading) return this.#pending!;
    let loaded: S | undefined | Promise<S | undefined> = undefined;
    let fromCookie = false;
    if (!this.#triedCookie) {
      this.#triedCookie = true;
      // load() answers undefined for anything it cannot use: forged, unknown, expired, wrong scheme.
      if (this.#incoming !== undefined) {
        fromCookie = true;
        try {
          loaded = loadNow(this.#manager, this.#incoming, this.#secure);
        } catch (error) {
          return Promise.reject(error);
        }
        if (isThenable(loaded)) {
          // Concurrent getSession() calls share this load: a second one would wait on our own lock.
          this.#loading = true;
          const pending = Promise.resolve(loaded).then(
            (session) => this.#opened(session, true),
            (error: unknown) => {
              this.#loading = false;
              throw error;
            },
          );
          this.#pending = pending;
          return pending;
        }
      }
    }
    try {
      return Promise.resolve(this.#opened(loaded, fromCookie));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The session `get()` answers with: the one loaded (undefined: none; `fromCookie`: the cookie's was looked for), else a new one. */
  #opened(loaded: S | undefined, fromCookie: boolean): S {
    let session = loaded;
    if (fromCookie) {
      this.#found = session !== undefined;
      this.#loadedMaxAge = session?.cookieMaxAge;
    }
    this.#loading = false;
    if (this.#state !== OPEN) {
      // The response was committed while this load waited: nobody would commit it.
      if (session !== undefined) void this.#manager.abort(session);
      throw new SessionClosedError('get the session (getSession())', '', this.#settledAt);
    }
    session ??= this.#manager.create({ secure: this.#secure });
    (this.#openedList ??= []).push(session);
    this.#current = session;
    return session;
  }

  /**
   * Commits every opened session, in order, and returns the Set-Cookie header value to send (or
   * null) — at once when every commit completed synchronously, else as a promise. On a failed
   * commit the sessions not yet committed are aborted and the error thrown (or the promise
   * rejected).
   */
  commit(): string | null | Promise<string | null> {
    if (this.#state !== OPEN) return null;
    this.#state = SETTLED;
    this.#settledAt = this.#manager.now();
    // A getSession() still loading when the render finished: wait for it so its lock is released.
    if (this.#loading) return this.#pending!.catch(() => undefined).then(() => this.#commitFrom(0));
    return this.#commitFrom(0);
  }

  #commitFrom(first: number): string | null | Promise<string | null> {
    const opened = this.#openedList;
    if (opened === null) return null;
    const manager = this.#manager;
    for (let i = first; i < opened.length; i++) {
      let pending: Promise<void> | undefined;
      try {
        pending = commitNow(manager, opened[i]!);
      } catch (error) {
        return abortAll(manager, opened, i + 1).then(() => {
          throw error;
        });
      }
      if (pending !== undefined) {
        return pending.then(
          () => this.#commitFrom(i + 1),
          (error: unknown) =>
            abortAll(manager, opened, i + 1).then(() => {
              throw error;
            }),
        );
      }
    }
    return this.#setCookie(opened);
  }

  /** The Set-Cookie value once every opened session is committed, or null. */
  #setCookie(opened: readonly S[]): string | null {
    const manager = this.#manager;
    const last = this.#current!;
    if (last.expired) return this.#incoming !== undefined ? this.#cookie.clear() : null;
    const value = manager.cookieValue(last, this.#incoming);
    // '' means the manager has no new value to hand out (a session never stored): no cookie,
    // or a clearing one when the session the cookie named ended in this request.
    if (value === '') return this.#incoming !== undefined && opened[0]!.expired ? this.#cookie.clear() : null;
    const maxAge = last.cookieMaxAge;
    // The client has this value already: send it again only to roll its Max-Age forward, or for a new lifetime.
    if (value === this.#incoming && !manager.cookie.rolling && maxAge === this.#loadedMaxAge) return null;
    return this.#cookie.serialize(value, maxAge);
  }

  /** Drops the changes of every opened session and releases their locks; never throws. */
  async abort(): Promise<void> {
    if (this.#state !== OPEN) return;
    this.#state = SETTLED;
    this.#settledAt = this.#manager.now();
    if (this.#loading) await this.#pending!.catch(() => undefined);
    if (this.#openedList !== null) await abortAll(this.#manager, this.#openedList, 0);
  }
}

async function abortAll<S extends SessionLike>(manager: SessionsLike<S>, sessions: readonly S[], from: number): Promise<void> {
  for (let i = from; i < sessions.length; i++) {
    try {
      await manager.abort(sessions[i]!);
    } catch {
      // The request already failed; an abort that fails too must not hide that error.
    }
  }
}

/** `manager.load`, with the session itself when the manager has it at hand (the real one says so). */
function loadNow<S extends SessionLike>(manager: SessionsLike<S>, cookie: string, secure: boolean): S | undefined | Promise<S | undefined> {
  const now = manager[kLoadNow];
  return now === undefined ? manager.load(cookie, { secure }) : now.call(manager, cookie, { secure });
}

/** `manager.commit`, or undefined when the commit completed synchronously (the real manager says so). */
function commitNow<S extends SessionLike>(manager: SessionsLike<S>, session: S): Promise<void> | undefined {
  const now = manager[kCommitNow];
  return now === undefined ? manager.commit(session) : now.call(manager, session);
}
