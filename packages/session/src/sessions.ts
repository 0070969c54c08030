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
import { decode } from './codec.js';
import { SessionCreated, SessionExpired } from './contracts.js';
import { SessionClosedError, SessionConflictError } from './errors.js';
import { kClose, kIsOpen, kState } from './internal-symbols.js';
import { SessionLocks } from './lock.js';
import { MemoryStore } from './memory-store.js';
import { encodeRecord, recordProblem } from './session-record.js';
import { NamespaceRoutes, ROUTED } from './session-routes.js';
import { Session } from './session.js';
import { cookieSettings, nonNegative, positive, timeoutOption, warnEphemeralSecret, warnTo } from './sessions-options.js';
import { IdSigner } from './signing.js';
import { isClientSide } from './store.js';
import type { SessionRecord } from './session-record.js';
import type { RoutedState } from './session-routes.js';
import type { SessionState } from './session-state.js';
import type { CookieSettings, SessionsOptions } from './sessions-options.js';
import type { Acquired, ClientSideStore, SessionStore, StoredEntry } from './store.js';
import type { Registry } from '@dovetail/registry';

/** What the manager remembers about a session's stored state between load and commit (and between requests, for live ones). */
interface Tracked {
  /** The id the lock was taken under; null while no request holds the session. */
  heldUid: string | null;
  /** The version and payload last committed (undefined payload: never stored). */
  version: number;
  payload: string | undefined;
  /** When the last-access time was last written, epoch ms. */
  written: number;
  /** Routed namespaces: what was last committed for each (null: none). */
  routed: RoutedState | null;
  /** Client-side stores: the cookie value of the last commit. */
  cookie: string | undefined;
  ended: boolean;
}

const untracked = (): Tracked => ({ heldUid: null, version: 0, payload: undefined, written: 0, routed: null, cookie: undefined, ended: false });

/** The manager's record of a state it made (kept on the state itself: no WeakMap entry per session). */
const ledger = (state: SessionState): Tracked => state.ledger as Tracked;

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
  readonly #live = new Map<string, SessionState>();
  readonly #registry: Registry | undefined;
  readonly #SessionClass: NonNullable<SessionsOptions['sessionClass']>;
  readonly #onError: (error: unknown, context: string) => void;
  readonly #clock: () => number;
  readonly #clientSide: ClientSideStore | null;
  #sweeper: ReturnType<typeof setInterval> | null = null;
  readonly #routing: NamespaceRoutes;
  #closed = false;
  /** `ready()`: true once done, its promise while running, null before. */
  #ready: Promise<void> | true | null = null;
  readonly #reportedCorrupt = new Set<string>();

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
    this.#routing = new NamespaceRoutes(this.store, (error, context) => this.#onError(error, context));
    this.cookie = cookieSettings(options.cookie);
    const interval = nonNegative('sweepInterval', options.sweepInterval, 60);
    if (interval > 0) {
      this.#sweeper = setInterval(() => {
        this.sweep().catch((e: unknown) => this.#onError(e, 'sweep'));
      }, interval * 1000);
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

  get #reg(): Registry {
    return this.#registry ?? getCurrentRegistry();
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
   */
  cookieValue(session: Session): string {
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (this.#clientSide) return tracked?.cookie ?? '';
    return tracked?.payload === undefined ? '' : this.#signer.sign(state.uid);
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
    if (typeof cookieValue !== 'string' || cookieValue === '') return Promise.resolve(undefined);
    if (this.#ready !== true) return this.ready().then(() => this.load(cookieValue, options));
    const now = this.#clock();
    if (!this.#clientSide) {
      const uid = this.#signer.verify(cookieValue);
      if (uid === undefined) return Promise.resolve(undefined);
      // The returning visitor of an in-process store, its session free: no await at all.
      const live = this.#live.get(uid);
      if (live !== undefined && !live.expired && live.lastAccessed + live.timeout * 1000 > now && this.#locks.tryAcquire(uid)) {
        return Promise.resolve(this.#handOut(live, uid, options.secure ?? false, now));
      }
      return this.#load(uid, undefined, options.secure ?? false, now);
    }
    const opened = this.#clientSide.open(cookieValue, now);
    return opened === undefined ? Promise.resolve(undefined) : this.#load(opened.id, opened, options.secure ?? false, now);
  }

  async #load(uid: string, opened: (StoredEntry & { readonly id: string }) | undefined, secure: boolean, now: number): Promise<Session | undefined> {
    const acquired = await this.#locks.acquire(uid, now);
    try {
      const session = await this.#find(uid, opened, now, acquired);
      return this.#handOut(session, uid, secure, now);
    } catch (e) {
      this.#locks.release(uid);
      throw e;
    }
  }

  /**
   * Gives a loaded session to the request holding its lock — through a new handle, unless the
   * state was just decoded for this request — or releases the lock and gives nothing.
   */
  #handOut(state: SessionState | undefined, uid: string, secure: boolean, now: number): Session | undefined {
    if (!state || state.secure !== secure) {
      this.#locks.release(uid);
      return undefined;
    }
    state.lastAccessed = now;
    ledger(state).heldUid = uid;
    const last = state.handle;
    if (last !== null && last[kIsOpen]) return last;
    const handle = new this.#SessionClass({ [kState]: state, clock: this.#clock });
    state.rebind(handle);
    return handle;
  }

  async #find(uid: string, opened: StoredEntry | undefined, now: number, acquired: Acquired | undefined): Promise<SessionState | undefined> {
    const live = this.#live.get(uid);
    if (live && !live.expired) {
      if (live.lastAccessed + live.timeout * 1000 > now) return live;
      await this.#end(live, true);
      return undefined;
    }
    let entry = acquired === undefined ? await this.store.get(uid, now) : acquired.state === 'held' ? acquired.entry : undefined;
    if (opened && (!entry || entry.version < opened.version)) entry = opened;
    if (!entry) return undefined;
    const state = this.#decode(uid, entry);
    if (!state) return undefined;
    const routes = this.#routes();
    if (routes.size > 0) await this.#routing.load(state, routes, (ledger(state).routed = new Map()), now);
    if (this.store.inProcess) this.#live.set(uid, state);
    return state;
  }

  /** Builds a session's state (and the handle that will be handed out) from a stored entry; a payload that cannot be decoded counts as no session (logged). */
  #decode(uid: string, entry: StoredEntry): SessionState | undefined {
    let record: Omit<SessionRecord, 'lastAccessed'>;
    try {
      record = decode(entry.payload) as SessionRecord;
      const problem = recordProblem(record, entry);
      if (problem !== undefined) throw new TypeError(problem);
    } catch (e) {
      this.#corrupt(uid, e);
      return undefined;
    }
    const slack = this.store.inProcess ? 0 : this.resolution;
    const state = new this.#SessionClass({ uid, secure: record.secure, timeout: record.timeout, isNew: false, clock: this.#clock })[kState];
    const lastAccessed = entry.expires - (record.timeout + slack) * 1000;
    const lost = state.applyRecord({ ...record, lastAccessed }, this.#reg);
    for (const name of lost) this.#onError(new Error(`component ${name} could not be restored`), `session ${uid.slice(0, 6)}…`);
    const tracked = untracked();
    tracked.version = entry.version;
    tracked.payload = entry.payload;
    tracked.written = lastAccessed;
    state.ledger = tracked;
    return state;
  }

  /** Logs a corrupt stored session once (per id, while remembered): it is then treated like an unknown id. */
  #corrupt(uid: string, e: unknown): void {
    if (this.#reportedCorrupt.has(uid)) return;
    if (this.#reportedCorrupt.size >= 10_000) this.#reportedCorrupt.clear();
    this.#reportedCorrupt.add(uid);
    this.#onError(e, `session ${uid.slice(0, 6)}… in store '${this.store.name}' is corrupt and is treated as unknown (a new session is started)`);
  }

  /** Named `ISessionDataContainer` utilities: package id → its store. */
  #routes(): Map<string, SessionStore> {
    return this.#routing.routes(this.#reg);
  }

  /**
   * Writes what the request changed and releases the session; `session` — this request's handle
   * — is closed as the commit starts: any later change through it throws `SessionClosedError`.
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
  async commit(session: Session): Promise<void> {
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (!session[kIsOpen]) {
      if (tracked !== null && this.#changedSinceCommit(state, tracked)) throw new SessionClosedError('commit it (it was changed after its commit)', state.uid);
      return;
    }
    if (!tracked || tracked.heldUid === null) return;
    session[kClose]('committed', this.#clock());
    try {
      if (this.#ready !== true) await this.ready(); // the cookie is signed with the store's secret
      if (state.expired) {
        await this.#end(state, false);
        this.#release(tracked);
        return;
      }
      await this.#write(state, tracked);
      this.#release(tracked);
    } catch (e) {
      this.#rollback(state, tracked);
      this.#release(tracked);
      throw e;
    }
  }

  /**
   * True when a session no request holds differs from what was last committed: something kept
   * past the commit (a component, a value changed in place) changed it. Not known while another
   * request holds it (its changes are its own).
   */
  #changedSinceCommit(state: SessionState, tracked: Tracked): boolean {
    if (tracked.heldUid !== null || tracked.ended || state.expired) return false;
    try {
      const routes = this.#routes();
      const record = state.toRecord(this.#reg, routes.size ? new Set(routes.keys()) : null, false);
      return tracked.payload === undefined ? !state.isPristine(record) : encodeRecord(record) !== tracked.payload;
    } catch {
      return true;
    }
  }

  async #write(state: SessionState, tracked: Tracked): Promise<void> {
    const now = this.#clock();
    const retired = state.takeRetiredUids();
    const forced = state.takeForced();
    const routes = this.#routes();
    const record = state.toRecord(this.#reg, routes.size ? new Set(routes.keys()) : null, false);
    if (tracked.payload === undefined && state.isNew && !forced && !state.shown && state.isPristine(record)) {
      // Nothing to keep (express-session's saveUninitialized: false): no entry, no cookie.
      this.#locks.release(tracked.heldUid!);
      tracked.heldUid = null;
      return;
    }
    const payload = encodeRecord(record);
    const routedPayloads = this.#routing.encode(state, routes);
    const slack = this.store.inProcess ? 0 : this.resolution;
    const expires = state.lastAccessed + (state.timeout + slack) * 1000;
    const fresh = tracked.payload === undefined || retired.length > 0;
    const touchDue = this.store.inProcess || now - tracked.written >= this.resolution * 1000;
    const uid = state.uid;

    const leased = this.#locks.leases;
    if (fresh || forced || payload !== tracked.payload) {
      const expected = fresh ? 0 : tracked.version;
      if (this.#clientSide) tracked.cookie = this.#clientSide.seal(uid, payload, expected + 1, expires);
      // On a shared store, the write gives the lease back in the same store call.
      const version = leased ? await this.store.commit(uid, this.#locks.owner, payload, expires, expected) : await this.store.set(uid, payload, expires, expected);
      if (version === undefined) throw new SessionConflictError(uid, expected, this.store.name);
      if (leased) this.#locks.settled(uid);
      tracked.version = version;
      tracked.payload = payload;
      if (!this.store.inProcess) tracked.written = now; // in process every commit touches: not needed (and a heap number less per session)
    } else if (leased) {
      // Nothing changed: only the lease goes back (with the last-access time when it is due).
      await this.store.release(uid, this.#locks.owner, touchDue ? expires : undefined);
      this.#locks.settled(uid);
      if (touchDue) tracked.written = now;
    } else if (touchDue) {
      if (this.#clientSide) tracked.cookie = this.#clientSide.seal(uid, payload, tracked.version, expires);
      await this.store.touch(uid, expires);
      tracked.written = now;
    }

    if (routes.size > 0) await this.#routing.write(uid, routes, routedPayloads, (tracked.routed ??= new Map()), fresh, touchDue, expires);

    if (retired.length > 0) {
      for (const old of retired) {
        this.#signer.forget(old);
        this.#live.delete(old);
        await this.store.delete(old);
        for (const [name, store] of routes) await store.delete(old + ROUTED + name);
      }
      this.#locks.rename(tracked.heldUid!, uid);
      tracked.heldUid = uid;
    }
    if (this.store.inProcess) this.#live.set(uid, state);
    // A full MemoryStore evicted a session to make room: end it now (ISessionExpired), so that
    // its live state goes too and memory stays bounded between sweeps.
    if (fresh && this.store instanceof MemoryStore && this.store.hasClaimed) await this.#endClaimed(now);
    if (state.isNew) {
      state.isNew = false;
      state.pristine = null;
      this.#notify(new SessionCreated(state.handle!), 'an ISessionCreated handler');
    }
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
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (!session[kIsOpen] || !tracked || tracked.heldUid === null) return;
    session[kClose]('aborted', this.#clock());
    this.#rollback(state, tracked);
    this.#release(tracked);
  }

  #rollback(state: SessionState, tracked: Tracked): void {
    const retired = state.takeRetiredUids();
    if (retired.length > 0) state.uid = retired[0]!;
    state.takeForced();
    if (tracked.ended) return;
    state.expired = false;
    if (tracked.payload === undefined) {
      this.#live.delete(state.uid);
      return;
    }
    // Only a live session outlives the request; it goes back to what the store has.
    if (this.#live.get(state.uid) === state) {
      const record = decode(tracked.payload) as SessionRecord;
      state.applyRecord({ ...record, lastAccessed: state.lastAccessed }, this.#reg);
      if (tracked.routed !== null) for (const [name, { payload }] of tracked.routed) state.applyNamespace(name, decode(payload) as Record<string, unknown>);
    }
  }

  #release(tracked: Tracked): void {
    if (tracked.heldUid !== null) this.#locks.release(tracked.heldUid);
    tracked.heldUid = null;
  }

  /** The time now by this manager's clock (milliseconds since the epoch). */
  now(): number {
    return this.#clock();
  }

  /**
   * Ends a session once: deletes it (unless a sweep already removed it), runs its callbacks,
   * disposes its components, notifies `ISessionExpired`.
   */
  async #end(state: SessionState, alreadyRemoved: boolean): Promise<void> {
    let tracked = state.ledger as Tracked | null;
    if (!tracked) {
      tracked = untracked();
      state.ledger = tracked;
    }
    if (tracked.ended) return;
    tracked.ended = true;
    state.expired = true;
    const uid = state.uid;
    if (this.#live.get(uid) === state) this.#live.delete(uid);
    this.#signer.forget(uid);
    if (!alreadyRemoved && tracked.payload !== undefined) await this.store.delete(uid);
    for (const [name, store] of this.#routes()) {
      if (tracked.routed?.has(name) || alreadyRemoved) await store.delete(uid + ROUTED + name);
    }
    for (const error of state.runExpiryCallbacks()) this.#onError(error, 'a notifyOnExpire callback or dispose');
    // Handlers read the session's last state through a handle of their own, which cannot change it.
    const ended = new this.#SessionClass({ [kState]: state, clock: this.#clock });
    ended[kClose]('ended', this.#clock());
    this.#notify(new SessionExpired(ended), 'an ISessionExpired handler');
  }

  #notify(event: SessionCreated | SessionExpired, what: string): void {
    try {
      this.#reg.notify(event);
    } catch (e) {
      this.#onError(e, what);
    }
  }

  /**
   * Ends every session whose time is up: each is claimed from the store once (also with other
   * processes sweeping the same store), its last data readable by `ISessionExpired` handlers.
   * Runs by itself every `sweepInterval` seconds.
   *
   * @returns how many sessions ended.
   * @example
   * ```ts
   * await sessions.sweep();
   * ```
   */
  async sweep(): Promise<number> {
    const now = this.#clock();
    const ended = await this.#endClaimed(now);
    for (const store of new Set(this.#routes().values())) await store.sweep(now, 10_000);
    return ended;
  }

  /** Claims the ended sessions from the store, batch by batch, and ends each; returns how many. */
  async #endClaimed(now: number): Promise<number> {
    let ended = 0;
    for (;;) {
      const batch = await this.store.sweep(now, 1000);
      for (const { id, payload } of batch) {
        if (id.includes(ROUTED)) continue;
        const live = this.#live.get(id);
        if (live && this.#locks.isHeld(id)) {
          // A request holds it right now: it stays, and is written back at commit.
          ledger(live).payload = undefined;
          continue;
        }
        const state = live ?? this.#decode(id, { payload, version: 1, expires: now }); // (the version of an ended session is never used)
        if (!state) continue;
        await this.#end(state, true);
        ended++;
      }
      if (batch.length < 1000) break;
    }
    return ended;
  }

  /** Stops the sweep timer and closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#locks.close();
    await this.store.close();
  }
}
