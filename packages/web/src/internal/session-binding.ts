/**
 * The sessions of one request: opened on the first `getSession()`, committed once by the Site
 * before the first byte of the response, aborted when the render fails. Every session code path
 * of the web layer is here. Internal: never re-exported.
 */
import { SessionClosedError } from '@dovetail/session';
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
  #opened: S[] | null;
  /** The load in progress, so concurrent `getSession()` calls share it (a second load would wait on our own lock). */
  #pending: Promise<S> | null;
  /** True while `#pending` runs (`#open` may finish synchronously, before `#pending` is even assigned). */
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
    this.#opened = null;
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
    return this.#opened !== null;
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
    const pending = this.#open();
    this.#pending = pending;
    return pending;
  }

  async #open(): Promise<S> {
    this.#loading = true;
    try {
      let session: S | undefined;
      if (!this.#triedCookie) {
        this.#triedCookie = true;
        // load() answers undefined for anything it cannot use: forged, unknown, expired, wrong scheme.
        if (this.#incoming !== undefined) {
          session = await this.#manager.load(this.#incoming, { secure: this.#secure });
          this.#found = session !== undefined;
          this.#loadedMaxAge = session?.cookieMaxAge;
        }
      }
      if (this.#state !== OPEN) {
        // The response was committed while this load waited: nobody would commit it.
        if (session !== undefined) await this.#manager.abort(session);
        throw new SessionClosedError('get the session (getSession())', '', this.#settledAt);
      }
      session ??= this.#manager.create({ secure: this.#secure });
      (this.#opened ??= []).push(session);
      this.#current = session;
      return session;
    } finally {
      this.#loading = false;
    }
  }

  /**
   * Commits every opened session, in order, and returns the Set-Cookie header value to send (or
   * null). On a failed commit the sessions not yet committed are aborted and the error rethrown.
   */
  async commit(): Promise<string | null> {
    if (this.#state !== OPEN) return null;
    this.#state = SETTLED;
    this.#settledAt = this.#manager.now();
    // A getSession() still loading when the render finished: wait for it so its lock is released.
    if (this.#loading) await this.#pending!.catch(() => undefined);
    const opened = this.#opened;
    if (opened === null) return null;
    const manager = this.#manager;
    for (let i = 0; i < opened.length; i++) {
      try {
        await manager.commit(opened[i]!);
      } catch (error) {
        await abortAll(manager, opened, i + 1);
        throw error;
      }
    }
    const last = this.#current!;
    if (last.expired) return this.#incoming !== undefined ? this.#cookie.clear() : null;
    const value = manager.cookieValue(last);
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
    if (this.#opened !== null) await abortAll(this.#manager, this.#opened, 0);
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
