/**
 * `Session`: one request's handle on one client's session, with three views of its data —
 * components (Twisted, Nevow), a dictionary (Pyramid) and package data (Zope) — all persisted
 * the same way.
 *
 * The manager (`Sessions`) hands each request its own handle, open until the request's commit
 * starts (or its changes are dropped). The session itself — its data and components — is the
 * `SessionState` behind the handle, which MemoryStore keeps between requests. A change through a
 * closed handle throws `SessionClosedError`: it would reach no store, and on MemoryStore it would
 * leak into another request. How components are stored and restored is in session-record.ts.
 */
import { conform, implementer } from '@dovetail/interfaces';
import { Componentized, getCurrentRegistry } from '@dovetail/registry';
import { ISession } from './contracts.js';
import { SessionClosedError, shortId } from './errors.js';
import { flash, getCsrfToken, newCsrfToken, peekFlash, popFlash } from './flash-and-csrf.js';
import { kBind, kCheckOpen, kClose, kIsOpen, kState } from './internal-symbols.js';
import { SessionData } from './session-data.js';
import { newSessionId } from './session-id.js';
import { SessionState, TOUCHED_COMPONENTS, TOUCHED_DATA } from './session-state.js';
import { checkCookieMaxAge } from './sessions-options.js';
import type { SessionContract } from './contracts.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/** Options of a free-standing `Session`; `Sessions` makes the sessions it stores itself. */
export interface SessionOptions {
  /** The id. @default a fresh id: its creation time, then 208 random bits (see {@link newSessionId}) */
  readonly uid?: string;
  /** Creation time, epoch ms. @default now */
  readonly created?: number;
  /** Seconds of inactivity after which it ends. @default 900 */
  readonly timeout?: number;
  /** Handed out over HTTPS. @default false */
  readonly secure?: boolean;
  /** Never stored yet. @default true */
  readonly isNew?: boolean;
  /** Where time comes from, epoch ms. @default Date.now */
  readonly clock?: () => number;
  /** @internal The state a manager opens this handle on. */
  readonly [kState]?: SessionState;
}

/** Open: the request holds the handle. Ended: given to expiry handlers (read and adapt only). */
const OPEN = 0;
const ENDED = 1;
const COMMITTED = 2;
const ABORTED = 3;
const WHY = ['committed', 'ended', 'committed', 'aborted'] as const;
/** Added to the mode (once per nested adaptation) while an adapter is built and kept: not a change by the user; `mode & 3` is the state. */
const ADAPTING = 4;
/** The key of the dictionary view among a handle's views (no package id is a symbol). */
const DICT: unique symbol = Symbol('dictionary');

/** The state of a session made by hand, its id starting with its creation time. */
function newState(options: SessionOptions, clock: () => number): SessionState {
  const created = options.created ?? clock();
  return new SessionState(options.uid ?? newSessionId(created), created, options.timeout ?? 900, options.secure ?? false, options.isNew ?? true);
}

/**
 * One client's session, as one request sees it.
 *
 * Every change — `set`, `delete`, `clear`, writes through `namespace(…)`, `setComponent`,
 * `regenerate`, `expire`, `touch`, `changed`, flash messages, CSRF tokens, and adapting it
 * (`ICounter(session)`) — throws `SessionClosedError` once the request's commit has started.
 *
 * @example
 * ```ts
 * const session = await request.getSession();
 * ICounter(session).value += 1;       // components
 * session.set('visits', 3);           // dictionary
 * session.namespace('products.foo').set('color', 'red'); // package data
 * ```
 * @see docs/guide/sessions.md
 */
@implementer(ISession)
export class Session extends Componentized implements SessionContract {
  readonly #state: SessionState;
  readonly #clock: () => number;
  #mode = OPEN;
  #closedAt: number | undefined = undefined;
  /** The dictionary view (under {@link DICT}) and the namespace views this handle gave out. */
  #views: Map<string | typeof DICT, SessionData> | null = null;

  /** A free-standing session (stored by no manager); `sessions.create()` gives one the manager stores. */
  constructor(options: SessionOptions = {}) {
    const clock = options.clock ?? Date.now;
    const state = options[kState] ?? newState(options, clock);
    super(state.components);
    this.#state = state;
    this.#clock = clock;
    state.handle ??= this;
  }

  /** The session id. Changes with `regenerate()`. Reading it makes a new session worth storing (a page may show it). */
  get uid(): string {
    const state = this.#state;
    state.shown = true;
    return state.uid;
  }

  /** When the session was created, epoch milliseconds. */
  get created(): number {
    return this.#state.created;
  }

  /** When it was last accessed, epoch milliseconds. */
  get lastAccessed(): number {
    return this.#state.lastAccessed;
  }

  /** Seconds of inactivity after which it ends. */
  get timeout(): number {
    return this.#state.timeout;
  }

  set timeout(seconds: number) {
    this[kCheckOpen]('set its timeout');
    this.#state.touched |= TOUCHED_DATA;
    this.#state.timeout = seconds;
  }

  /**
   * This session's own cookie lifetime, in seconds (Set-Cookie's `Max-Age`; express-session's
   * `req.session.cookie.maxAge` counts milliseconds): `undefined` (the default) uses the
   * manager's `cookie.maxAge`, `null` makes this session's cookie a browser-session cookie, a
   * number from 1 to 34,560,000 (400 days) sets it. Kept with the session; changing it sends the
   * cookie again with this response. The session itself still ends after `timeout` seconds of
   * inactivity: for a "remember me" login, set both.
   *
   * @throws CookieMaxAgeError (`DT_SESSION_COOKIE_MAX_AGE`) for another value (one over 400 days
   *   is named as the milliseconds it likely is).
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) when set once the request's commit has started.
   * @example
   * ```ts
   * session.cookieMaxAge = 30 * 24 * 3600; // this login is remembered for 30 days
   * session.timeout = 30 * 24 * 3600;
   * ```
   */
  get cookieMaxAge(): number | null | undefined {
    return this.#state.cookieMaxAge;
  }

  /** Sets this session's own cookie lifetime in seconds (`null`: a browser-session cookie; `undefined`: the manager's). */
  set cookieMaxAge(seconds: number | null | undefined) {
    const value = seconds === undefined || seconds === null ? seconds : checkCookieMaxAge('session.cookieMaxAge', seconds);
    this[kCheckOpen]('set its cookieMaxAge');
    this.#state.touched |= TOUCHED_DATA;
    this.#state.cookieMaxAge = value;
  }

  /** True until the session has been stored once. */
  get isNew(): boolean {
    return this.#state.isNew;
  }

  /** True for a session handed out over HTTPS: never given to a plain-HTTP request. */
  get secure(): boolean {
    return this.#state.secure;
  }

  /** True once `expire()`/`invalidate()` was called or the session timed out. */
  get expired(): boolean {
    return this.#state.expired;
  }

  // ------------------------------------------------------------------------------ lifecycle

  /** Records an access now (Twisted's `touch`); the manager persists it at most once per `resolution`. */
  touch(): void {
    this[kCheckOpen]('touch()');
    this.#state.lastAccessed = this.#clock();
  }

  /**
   * Ends the session at the commit: its `notifyOnExpire` callbacks run (each even if another
   * throws), it is deleted from the store, and a later `getSession()` in the same request gives a
   * fresh session. Idempotent. To end a session outside its request, load it and expire that.
   *
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) once the request's commit has started.
   * @example
   * ```ts
   * request.getSession().then((s) => s.expire());
   * ```
   */
  expire(): void {
    if (this.#state.expired) return;
    this[kCheckOpen]('expire()');
    this.#state.expired = true;
  }

  /** Pyramid's name for {@link Session.expire}: drop the session and everything in it. */
  invalidate(): void {
    this.expire();
  }

  /**
   * Gives the session a new id and keeps its data; the old id stops working at commit. Call it
   * at login, against session fixation.
   *
   * @example
   * ```ts
   * session.regenerate(); session.set('user', name);
   * ```
   */
  regenerate(): void {
    this[kCheckOpen]('regenerate()');
    const state = this.#state;
    (state.retired ??= []).push(state.uid);
    state.uid = newSessionId(this.#clock());
    state.forced = true;
  }

  /**
   * Calls `callback` when the session ends. Callbacks live with the session's state: they run
   * for sessions that end while this process has them (always with MemoryStore); the
   * `ISessionExpired` event reaches every ended session in every store.
   *
   * @example
   * ```ts
   * session.notifyOnExpire(() => manager.close());
   * ```
   */
  notifyOnExpire(callback: () => unknown): void {
    this[kCheckOpen]('notifyOnExpire()');
    (this.#state.callbacks ??= []).push(callback);
  }

  /** Marks the session as changed, so that the next commit writes it even if its data looks the same. */
  changed(): void {
    this[kCheckOpen]('changed()');
    this.#state.forced = true;
  }

  // ------------------------------------------------------------------------------ dictionary view

  /** The dictionary view: a `SessionData` over the session's own keys (the request has used the data: its commit encodes it). */
  #data(): SessionData {
    this.#state.touched |= TOUCHED_DATA;
    const views = (this.#views ??= new Map());
    let dict = views.get(DICT);
    if (dict === undefined) views.set(DICT, (dict = SessionData[kBind]('', (this.#state.data ??= new Map()), this)));
    return dict;
  }

  /** The value under `key`, or `fallback` (Pyramid's `session.get`). */
  get<T = unknown>(key: string, fallback?: T): T | undefined {
    return this.#data().get(key, fallback);
  }

  /** Sets `key` (Pyramid's `session[key] = value`); checked by the codec at commit. Returns this. */
  set(key: string, value: unknown): this {
    this.#data().set(key, value);
    return this;
  }

  /** True when `key` is set. */
  has(key: string): boolean {
    return this.#data().has(key);
  }

  /** Removes `key`; true when it was set. */
  delete(key: string): boolean {
    return this.#data().delete(key);
  }

  /** The keys of the dictionary view. */
  keys(): IterableIterator<string> {
    return this.#data().keys();
  }

  /** The `[key, value]` pairs of the dictionary view. */
  entries(): IterableIterator<[string, unknown]> {
    return this.#data().entries();
  }

  /** How many keys the dictionary view has. */
  get size(): number {
    return this.#data().size;
  }

  /** Removes every key of the dictionary view (components and package data stay). */
  clear(): void {
    this.#data().clear();
  }

  // ------------------------------------------------------------------------------ package data

  /**
   * The data of package `pkgId` (Zope's `ISession(request)[pkg_id]`), created on first use.
   * Stored with the session, or in the `ISessionDataContainer` utility named `pkgId` if one is
   * registered.
   *
   * @example
   * ```ts
   * session.namespace('products.foo').set('color', 'red');
   * ```
   */
  namespace(pkgId: string): SessionData {
    this.#state.touched |= TOUCHED_DATA;
    let view = this.#views?.get(pkgId);
    if (view === undefined) {
      const all = (this.#state.namespaces ??= new Map());
      let values = all.get(pkgId);
      if (values === undefined) all.set(pkgId, (values = new Map()));
      view = SessionData[kBind](pkgId, values, this);
      (this.#views ??= new Map()).set(pkgId, view);
    }
    return view;
  }

  /** The package ids that have data. */
  namespaces(): string[] {
    const ids: string[] = [];
    for (const [id, values] of this.#state.namespaces ?? []) if (values.size > 0) ids.push(id);
    return ids;
  }

  // ------------------------------------------------------------------------------ Pyramid extras

  /**
   * Adds a flash message to `queue` (not twice when `allowDuplicate` is false).
   *
   * @example
   * ```ts
   * session.flash('Your item was added.');
   * ```
   */
  flash(message: unknown, queue = '', allowDuplicate = true): void {
    this[kCheckOpen]('flash()');
    flash(this.#data(), message, queue, allowDuplicate);
  }

  /** Removes and returns the messages of `queue` (each shown once). */
  popFlash(queue = ''): unknown[] {
    return popFlash(this.#data(), queue);
  }

  /** Returns the messages of `queue` without removing them. */
  peekFlash(queue = ''): unknown[] {
    return peekFlash(this.#data(), queue);
  }

  /** Makes, keeps and returns a new CSRF token (40 hex characters, as Pyramid). */
  newCsrfToken(): string {
    return newCsrfToken(this.#data());
  }

  /** The CSRF token, made on first use. */
  getCsrfToken(): string {
    return getCsrfToken(this.#data());
  }

  /** @returns `<Session …abc123>`: the id's last characters, never the whole id. */
  override toString(): string {
    return `<Session ${shortId(this.#state.uid)}>`;
  }

  // ------------------------------------------------------------------------------ components

  /**
   * The component for `iface`: the kept one, else an adapter built now and kept (see
   * `Componentized`), else `fallback`.
   *
   * @throws SessionClosedError (`DT_SESSION_CLOSED`) once the request's commit has started.
   */
  override getComponent<T>(iface: InterfaceSpec<T>): T | undefined;
  override getComponent<T, F>(iface: InterfaceSpec<T>, fallback: F): T | F;
  override getComponent<T>(iface: InterfaceSpec<T>, fallback?: unknown): unknown {
    if ((this.#mode & 3) > ENDED) this.#closed(`adapt it to ${(iface as { name?: string } | null)?.name ?? String(iface)}`);
    const state = this.#state;
    // A component got may be changed in place: the commit encodes the components again.
    state.touched |= TOUCHED_COMPONENTS;
    const key = iface as InterfaceSpec<unknown>;
    const kept = state.components.get(key);
    if (kept !== undefined) return kept;
    this.#mode += ADAPTING;
    let component: unknown;
    try {
      component = super.getComponent(iface, fallback);
    } finally {
      this.#mode -= ADAPTING;
    }
    if (state.isNew && component !== undefined && state.components.get(key) === component) state.rememberPristine(key, component, getCurrentRegistry());
    return component;
  }

  /** The kept components with their interfaces (they may be changed in place: the commit encodes them again). */
  override componentEntries(): IterableIterator<[InterfaceSpec<unknown>, unknown]> {
    this.#state.touched |= TOUCHED_COMPONENTS;
    return super.componentEntries();
  }

  /** Every change of the components comes here: refused on a closed handle. */
  protected override keepComponent(iface: InterfaceSpec<unknown>, component: unknown): void {
    this.#state.touched |= TOUCHED_COMPONENTS;
    if (this.#mode < ADAPTING) {
      this[kCheckOpen](`setComponent(${iface.name})`);
      this.#state.pristine?.delete(iface);
    }
    super.keepComponent(iface, component);
  }

  /** Every removal of a component comes here: refused on a closed handle. */
  protected override dropComponent(iface: InterfaceSpec<unknown>): void {
    this[kCheckOpen](`unsetComponent(${iface.name})`);
    this.#state.touched |= TOUCHED_COMPONENTS;
    super.dropComponent(iface);
  }

  /** `I(session)`: the kept component, refused once the request's commit has started. */
  override [conform](iface: InterfaceSpec<unknown>): unknown {
    if ((this.#mode & 3) > ENDED) this.#closed(`adapt it to ${iface.name}`);
    this.#state.touched |= TOUCHED_COMPONENTS;
    return super[conform](iface);
  }

  // ------------------------------------------------------------------------------ for the manager

  /** @internal The state behind this handle. */
  get [kState](): SessionState {
    return this.#state;
  }

  /** @internal True while a request holds this handle. */
  get [kIsOpen](): boolean {
    return (this.#mode & 3) === OPEN;
  }

  /** @internal Closes the handle: its commit started (`committed`), its changes were dropped (`aborted`), or it shows an ended session (`ended`). */
  [kClose](why: 'committed' | 'aborted' | 'ended', at: number): void {
    this.#mode = why === 'ended' ? ENDED : why === 'aborted' ? ABORTED : COMMITTED;
    this.#closedAt = at;
  }

  /** @internal Throws `SessionClosedError` unless the handle may change the session. */
  [kCheckOpen](action: string): void {
    if ((this.#mode & 3) !== OPEN) this.#closed(action);
  }

  #closed(action: string): never {
    throw new SessionClosedError(action, this.#state.uid, this.#closedAt, WHY[this.#mode & 3]);
  }
}
