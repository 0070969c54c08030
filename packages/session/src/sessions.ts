/**
 * `Sessions`, the manager: Twisted's session table on the Site, Zope's client-id manager and
 * data containers, Pyramid's session factory, in one object.
 *
 * A request's session goes: `load(cookie)` (verify the signed id, take the session's lock,
 * load it) or `create()`, then the handler works on it, then `commit(session)` (encode, write
 * only what changed, release the lock) or `abort(session)` (drop this request's changes).
 * Holding the lock from load to commit is what keeps concurrent requests of one session from
 * losing each other's updates, in one process and across processes sharing a store.
 */
import { getCurrentRegistry } from '@dovetail/registry';
import { FrontedMap } from './fronted-map.js';
import { kCommitNow, kLoadNow, kState } from './internal-symbols.js';
import { SessionLocks } from './lock.js';
import { isThenable } from './maybe-sync.js';
import { MemoryStore } from './memory-store.js';
import { NamespaceRoutes } from './session-routes.js';
import { Session } from './session.js';
import { SessionCommitter } from './sessions-commit.js';
import { untracked } from './sessions-context.js';
import { SessionEnder } from './sessions-ending.js';
import { SessionLoader } from './sessions-loading.js';
import { cookieSettings, nonNegative, positive, timeoutOption, warnEphemeralSecret, warnTo } from './sessions-options.js';
import { IdSigner } from './signing.js';
import { isClientSide } from './store.js';
import type { MaybePromise } from './maybe-sync.js';
import type { SessionState } from './session-state.js';
import type { ManagerContext, Tracked } from './sessions-context.js';
import type { CookieSettings, SessionsOptions } from './sessions-options.js';
import type { ClientSideStore, SessionStore } from './store.js';
import type { Registry } from '@dovetail/registry';

/** A commit that completed synchronously. */
const DONE: Promise<void> = Promise.resolve();

/**
 * The session manager.
 *
 * @example
 * ```ts
 * const sessions = new Sessions({ store: new SqliteStore({ path: 'var/sessions.db' }), secrets: [process.env.SECRET!] });
 * const session = (await sessions.load(cookie)) ?? sessions.create();
 * ICounter(session).value += 1;
 * await sessions.commit(session);
 * ```
 * @see docs/guide/sessions.md
 */
export class Sessions {
  /** Where sessions are kept. */
  readonly store: SessionStore;
  /** Session timeout, seconds. */
  readonly timeout: number;
  /** Last-access write resolution, seconds. */
  readonly resolution: number;
  /** The cookie settings in effect. */
  readonly cookie: CookieSettings;

  readonly #signer: IdSigner;
  readonly #locks: SessionLocks;
  /** In-process stores: the state of each stored session, kept between requests. */
  readonly #live = new FrontedMap<string, SessionState>();
  readonly #registry: Registry | undefined;
  readonly #SessionClass: NonNullable<SessionsOptions['sessionClass']>;
  readonly #onError: (error: unknown, context: string) => void;
  readonly #clock: () => number;
  readonly #clientSide: ClientSideStore | null;
  #sweeper: ReturnType<typeof setTimeout> | null = null;
  /** The sweep the timer started, while it runs: the timer skips a turn rather than run two at once. */
  #sweeping: Promise<unknown> | null = null;
  #closed = false;
  /** `ready()`: true once done, its promise while running, null before. */
  #ready: Promise<void> | true | null = null;
  readonly #loader: SessionLoader;
  readonly #ender: SessionEnder;
  readonly #committer: SessionCommitter;

  constructor(options: SessionsOptions = {}) {
    this.timeout = timeoutOption(options.timeout);
    this.resolution = nonNegative('resolution', options.resolution, 60);
    this.#clock = options.clock ?? Date.now;
    this.store = options.store ?? new MemoryStore({ maxSessions: options.maxSessions ?? 1_000_000, whenFull: options.whenFull ?? 'refuse', clock: this.#clock });
    this.#clientSide = isClientSide(this.store) ? this.store : null;
    this.#signer = new IdSigner(options.secrets);
    this.#registry = options.registry;
    this.#SessionClass = options.sessionClass ?? Session;
    this.#onError = warnTo(options.logger ?? console);
    this.#locks = new SessionLocks(this.store, {
      wait: nonNegative('lockWait', options.lockWait, 5000),
      lease: positive('lockLease', options.lockLease, 1000),
      clock: this.#clock,
      onError: this.#onError,
    });
    const routing = new NamespaceRoutes(this.store, (error, context) => this.#onError(error, context));
    const ctx: ManagerContext = {
      store: this.store,
      clientSide: this.#clientSide,
      locks: this.#locks,
      live: this.#live,
      routing,
      SessionClass: this.#SessionClass,
      resolution: this.resolution,
      clock: this.#clock,
      onError: this.#onError,
      reg: () => this.#registry ?? getCurrentRegistry(),
      routes: () => routing.routes(this.#registry ?? getCurrentRegistry()),
    };
    this.#ender = new SessionEnder(ctx);
    this.#loader = new SessionLoader(ctx, this.#ender);
    this.#committer = new SessionCommitter(ctx, this.#loader, this.#ender, () => (this.#ready === true ? undefined : this.ready()));
    this.cookie = cookieSettings(options.cookie);
    const interval = nonNegative('sweepInterval', options.sweepInterval, 60);
    if (interval > 0) {
      // Processes sharing a store start together (the workers of `serve --workers`): each one
      // sweeps first at a random point of the first interval, then every interval, so their
      // sweeps take turns instead of racing each other for the same expired sessions at once.
      const tick = (): void => {
        if (this.#sweeping !== null) return;
        this.#sweeping = this.sweep()
          .catch((e: unknown) => this.#onError(e, 'sweep'))
          .finally(() => (this.#sweeping = null));
      };
      this.#sweeper = setTimeout(() => {
        tick();
        if (this.#closed) return;
        this.#sweeper = setInterval(tick, interval * 1000);
        this.#sweeper.unref();
      }, Math.random() * interval * 1000);
      this.#sweeper.unref();
    }
  }

  /**
   * Opens the store (connects, creates or migrates its layout) and, when no `secrets` were
   * configured, adopts the signing secret the store keeps (a file beside a SQLite database, a key
   * in Redis), so every process sharing the store shares its sessions. Call it at start-up to see
   * configuration errors there; `load` and `commit` call it too. Idempotent.
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) for a kept secret that is empty or short.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the store cannot be opened.
   * @example
   * ```ts
   * await sessions.ready();
   * ```
   */
  ready(): Promise<void> {
    if (this.#ready === true) return Promise.resolve();
    this.#ready ??= this.#open().then(
      () => void (this.#ready = true),
      (e: unknown) => {
        this.#ready = null; // a later call tries again
        throw e;
      },
    );
    return this.#ready;
  }

  async #open(): Promise<void> {
    await this.store.ready?.();
    if (!this.#signer.ephemeral) return;
    const kept = await this.store.keptSecret?.();
    if (kept !== undefined) this.#signer.adopt(kept, `the secret kept by store '${this.store.name}'`);
    else if (!this.store.inProcess && !this.#clientSide) warnEphemeralSecret(this.store.name);
  }

  /** The name of the session cookie over HTTPS (`secure`) or plain HTTP. */
  cookieName(secure: boolean): string {
    return secure ? this.cookie.secureName : this.cookie.name;
  }

  /** The signed cookie value for `uid` (server-side stores). */
  sign(uid: string): string {
    return this.#signer.sign(uid);
  }

  /**
   * The value the session cookie must carry after `commit(session)`; `''` when there is none to
   * give: a new session that was never stored (nothing changed it and its `uid` was not read).
   * `presented`: the value the request came with, if any (found faster when it is the one).
   */
  cookieValue(session: Session, presented?: string): string {
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (this.#clientSide) return tracked?.cookie ?? '';
    return tracked?.payload === undefined ? '' : this.#signer.sign(state.uid, presented);
  }

  /**
   * A new session, held for this request (its lock taken). Nothing is stored until `commit`, and
   * not even then unless something changed it or its `uid` was read.
   *
   * @example
   * ```ts
   * const session = sessions.create();
   * ```
   */
  create(options: { secure?: boolean } = {}): Session {
    const session = new this.#SessionClass({ secure: options.secure ?? false, timeout: this.timeout, clock: this.#clock });
    const state = session[kState];
    this.#locks.holdNew(state.uid);
    const tracked = untracked();
    tracked.heldUid = state.uid;
    state.ledger = tracked;
    return session;
  }

  /**
   * The session a cookie value names, held for this request: verified, locked (waiting at most
   * `lockWait`), loaded. `undefined` for a malformed, forged, unknown or expired value, and
   * for a secure session asked for over plain HTTP (or the reverse).
   *
   * @throws SessionBusyError (`DT_SESSION_BUSY`) when another request holds the session too long.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the store fails.
   * @example
   * ```ts
   * const session = (await sessions.load(cookieValue)) ?? sessions.create();
   * ```
   */
  load(cookieValue: string, options: { secure?: boolean } = {}): Promise<Session | undefined> {
    try {
      const loaded = this[kLoadNow](cookieValue, options);
      return isThenable(loaded) ? (loaded as Promise<Session | undefined>) : Promise.resolve(loaded);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `load`, with the session itself when it is at hand without waiting (see internal-symbols.ts). @internal */
  [kLoadNow](cookieValue: string, options: { secure?: boolean } = {}): MaybePromise<Session | undefined> {
    if (typeof cookieValue !== 'string' || cookieValue === '') return undefined;
    if (this.#ready !== true) return this.ready().then(() => this.load(cookieValue, options));
    const now = this.#clock();
    if (!this.#clientSide) {
      const uid = this.#signer.verify(cookieValue);
      if (uid === undefined) return undefined;
      // The returning visitor of an in-process store, its session free: no await at all.
      const live = this.#live.get(uid);
      if (live !== undefined && !live.expired && live.lastAccessed + live.timeout * 1000 > now && this.#locks.tryAcquire(uid)) {
        return this.#loader.handOut(live, uid, options.secure ?? false, now);
      }
      // Else the lock, and the entry with it (at once when this process's last request kept the lease).
      return this.#loader.load(uid, undefined, options.secure ?? false, now);
    }
    const opened = this.#clientSide.open(cookieValue, now);
    return opened === undefined ? undefined : this.#loader.load(opened.id, opened, options.secure ?? false, now);
  }

  /**
   * Writes what the request changed and releases the session; `session` — this request's handle
   * — is closed as the commit starts: every later change through it throws `SessionClosedError`.
   * A session that was expired is deleted (its callbacks run, `ISessionExpired` is notified).
   * Unchanged sessions are not written; their last-access time at most once per `resolution`. A
   * new session that nothing changed and whose `uid` was not read is not stored at all.
   *
   * Committing a handle that is already closed does nothing, unless its session was changed
   * since (a component or a value changed in place after the commit): that throws.
   *
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) for a closed handle whose session changed since its commit.
   * @throws SessionDataError (`DT_SESSION_DATA`) for data the codec cannot carry: the session is
   *   rolled back to its last committed state and released.
   * @throws SessionConflictError (`DT_SESSION_CONFLICT`) when another writer got there first.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the store fails.
   * @example
   * ```ts
   * await sessions.commit(session);
   * ```
   */
  commit(session: Session): Promise<void> {
    try {
      return this.#committer.commit(session) ?? DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `commit`: undefined when it completed synchronously, and a throw instead of a rejection then (see internal-symbols.ts). @internal */
  [kCommitNow](session: Session): Promise<void> | undefined {
    return this.#committer.commit(session);
  }

  /**
   * Writes what the request changed so far, now, and keeps the session held: the handle stays
   * open, later changes are written by `commit` (express-session's `req.session.save()`, for a
   * long request or before handing the id to another process). Writes only what changed, like
   * `commit`; a session that was expired is left for `commit` to end. If the request then fails,
   * its changes since the save are dropped; what the save wrote stays.
   *
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) when the handle is not held.
   * @throws SessionDataError (`DT_SESSION_DATA`) for data the codec cannot carry; nothing is
   *   written and the changes stay in the handle (fix them, or let the request fail).
   * @throws SessionConflictError (`DT_SESSION_CONFLICT`) when another writer got there first.
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when the store fails.
   * @example
   * ```ts
   * session.set('upload', 'started');
   * await sessions.save(session); // stored now; the session stays held
   * ```
   */
  save(session: Session): Promise<void> {
    return this.#committer.save(session);
  }

  /**
   * Drops what the request changed since the session was loaded or last saved — the data, the
   * components (they come back as new objects), a `regenerate()` or `expire()` — and keeps the
   * session held (express-session's `req.session.reload()`). No store call: while this request
   * holds the session no one else can change it, so what was last written is what the store has.
   *
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) when the handle is not held.
   * @example
   * ```ts
   * session.set('draft', 'oops');
   * sessions.reload(session); // back to the stored state
   * ```
   */
  reload(session: Session): void {
    this.#committer.reload(session);
  }

  /**
   * Drops the changes this request made (the session goes back to its last committed state)
   * and releases it.
   *
   * @example
   * ```ts
   * try { await handler(session); await sessions.commit(session); } catch (e) { await sessions.abort(session); throw e; }
   * ```
   */
  async abort(session: Session): Promise<void> {
    this.#committer.abort(session);
  }

  /** The time now by this manager's clock (milliseconds since the epoch). */
  now(): number {
    return this.#clock();
  }

  /**
   * Ends every session whose time is up: each is claimed from the store once (also with other
   * processes sweeping the same store), its last data readable by `ISessionExpired` handlers.
   * Runs by itself every `sweepInterval` seconds (first at a random point of the first interval,
   * so processes started together take turns), claiming and ending a hundred sessions per turn of
   * the event loop: requests are served between batches.
   *
   * @returns how many sessions ended.
   * @example
   * ```ts
   * await sessions.sweep();
   * ```
   */
  async sweep(): Promise<number> {
    const now = this.#clock();
    const ended = await this.#ender.endClaimed(now, (id, entry) => this.#loader.decode(id, entry));
    await this.#ender.sweepRouted(now);
    return ended;
  }

  /** Stops the sweep timer and closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweeper) clearTimeout(this.#sweeper);
    this.#sweeper = null;
    await this.#locks.close();
    await this.store.close();
  }
}
