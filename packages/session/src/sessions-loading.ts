/**
 * How the manager loads a session and hands it to a request: take its lock (and, on a shared
 * store, its lease together with its entry), decode it, give the request a handle of its own.
 */
import { decode } from './codec.js';
import { shortId } from './errors.js';
import { kIsOpen, kState } from './internal-symbols.js';
import { isThenable, then } from './maybe-sync.js';
import { recordOf, twinOf } from './record-twin.js';
import { recordProblem } from './session-record.js';
import { ledger, setTwin, untracked } from './sessions-context.js';
import { releaseAfter } from './staged-write.js';
import type { Handoff } from './lock.js';
import type { MaybePromise } from './maybe-sync.js';
import type { RecordTwin } from './record-twin.js';
import type { StoredRecord } from './session-record.js';
import type { RoutedState } from './session-routes.js';
import type { SessionState } from './session-state.js';
import type { Session } from './session.js';
import type { ManagerContext, Tracked } from './sessions-context.js';
import type { SessionEnder } from './sessions-ending.js';
import type { StagedWrite } from './staged-write.js';
import type { Acquired, SessionStore, StoredEntry } from './store.js';

/**
 * The entry a commit hands on with the lease, and what it carries for the manager in the same
 * object: where the components begin in its payload (so the next commit encodes only what its
 * request used, as on a state kept live), the payload decoded when the commit kept a copy (no
 * decode), and the routed namespaces as the request before wrote them, under the routes it used
 * (none: null).
 */
export interface Carried extends StoredEntry {
  readonly headLength: number;
  readonly twin: RecordTwin | null;
  readonly routes: Map<string, SessionStore> | null;
  readonly routed: RoutedState | null;
}

/** The entry a commit that hands the lease on gives the next request: `payload` as `version`, and what the manager carries with it. */
export function carry(tracked: Tracked, routes: Map<string, SessionStore>, payload: string, version: number, expires: number): Carried {
  const headLength = tracked.headLength;
  const twin = tracked.twin ?? null;
  return routes.size > 0
    ? { payload, version, expires, headLength, twin, routes, routed: tracked.routed }
    : { payload, version, expires, headLength, twin, routes: null, routed: null };
}

/** The chain's unwritten commits that came with `acquired`, if it was handed over. */
const stagedIn = (acquired: Acquired | Handoff | undefined): StagedWrite | null => (acquired?.state === 'handed' ? acquired.staged : null);

/** Gives a handed-over state the routed namespaces the request before it wrote (no store call: the lease never left this process). */
function handOverRouted(state: SessionState, routed: RoutedState | null): void {
  if (routed === null || routed.size === 0) return;
  const own: RoutedState = (ledger(state).routed = new Map());
  for (const [name, last] of routed) {
    state.applyNamespace(name, decode(last.payload) as Record<string, unknown>);
    own.set(name, { version: last.version, payload: last.payload });
  }
}

/** Loads sessions for one manager. */
export class SessionLoader {
  readonly #reportedCorrupt = new Set<string>();

  constructor(
    readonly ctx: ManagerContext,
    readonly ender: SessionEnder,
  ) {}

  /**
   * Takes the lock of `uid`, loads it and hands it out (or releases the lock and gives nothing):
   * the session itself when nothing is left to wait for — on a shared store, when this process's
   * last request of it kept the lease (parked), which carries the entry it committed.
   */
  load(uid: string, opened: (StoredEntry & { readonly id: string }) | undefined, secure: boolean, now: number): MaybePromise<Session | undefined> {
    const handed = this.ctx.locks.takeParked(uid, now);
    if (handed !== undefined) return this.#loadHeld(uid, opened, secure, now, handed);
    return this.ctx.locks.acquire(uid, now).then((acquired) => this.#loadHeld(uid, opened, secure, now, acquired));
  }

  /**
   * `load` once the lock of `uid` is held, with what taking it found (`acquire`'s answer, or a
   * parked lease's handoff): the session itself when no store call is left to wait for.
   */
  #loadHeld(uid: string, opened: StoredEntry | undefined, secure: boolean, now: number, acquired: Acquired | Handoff | undefined): MaybePromise<Session | undefined> {
    const release = (): void => releaseAfter(stagedIn(acquired), () => this.ctx.locks.release(uid));
    const fail = (e: unknown): never => {
      release();
      throw e;
    };
    const give = (state: SessionState | undefined): Session | undefined => {
      if (state === undefined) {
        release();
        return undefined;
      }
      try {
        return this.handOut(state, uid, secure, now);
      } catch (e) {
        return fail(e);
      }
    };
    let found: MaybePromise<SessionState | undefined>;
    try {
      found = this.#find(uid, opened, now, acquired);
    } catch (e) {
      return fail(e);
    }
    return isThenable(found) ? found.then(give, fail) : give(found);
  }

  /**
   * Gives a loaded session to the request holding its lock — through a new handle, unless the
   * state was just decoded for this request — or releases the lock and gives nothing.
   */
  handOut(state: SessionState | undefined, uid: string, secure: boolean, now: number): Session | undefined {
    const ctx = this.ctx;
    if (!state || state.secure !== secure) {
      releaseAfter(state ? ledger(state).staged : null, () => ctx.locks.release(uid));
      return undefined;
    }
    state.lastAccessed = now;
    ledger(state).heldUid = uid;
    const last = state.handle;
    if (last !== null && last[kIsOpen]) return last;
    const handle = new ctx.SessionClass({ [kState]: state, clock: ctx.clock });
    state.rebind(handle);
    state.touched = 0;
    return handle;
  }

  #find(uid: string, opened: StoredEntry | undefined, now: number, acquired: Acquired | Handoff | undefined): MaybePromise<SessionState | undefined> {
    const live = this.ctx.live.get(uid);
    if (live && !live.expired) {
      if (live.lastAccessed + live.timeout * 1000 > now) return live;
      return this.ender.end(live, true).then(() => undefined);
    }
    if (acquired === undefined) return then(this.ctx.store.get(uid, now), (entry) => this.#fromEntry(uid, entry, opened, now, undefined));
    return this.#fromEntry(uid, acquired.state === 'absent' || acquired.state === 'busy' ? undefined : acquired.entry, opened, now, acquired);
  }

  /** The state of `uid` from the entry found for it (or `opened`, the cookie's, when newer). */
  #fromEntry(uid: string, found: StoredEntry | undefined, opened: StoredEntry | undefined, now: number, acquired: Acquired | Handoff | undefined): MaybePromise<SessionState | undefined> {
    const ctx = this.ctx;
    const entry = opened && (!found || found.version < opened.version) ? opened : found;
    if (!entry) return undefined;
    const carried = acquired?.state === 'handed' && entry === acquired.entry ? (entry as Carried) : null;
    const state = this.decode(uid, entry, carried?.twin);
    if (!state) return undefined;
    const routes = ctx.routes();
    const tracked = ledger(state);
    tracked.staged = stagedIn(acquired);
    if (carried !== null) tracked.headLength = carried.headLength;
    const keep = (): SessionState => {
      if (ctx.store.inProcess) ctx.live.set(uid, state);
      return state;
    };
    if (carried !== null && carried.routes === routes) handOverRouted(state, carried.routed);
    else if (routes.size > 0) return ctx.routing.load(state, routes, tracked, now).then(keep);
    return keep();
  }

  /**
   * Builds a session's state (and the handle that will be handed out) from a stored entry, or
   * from `twin`, the entry's payload decoded by the commit that handed it over; a payload that
   * cannot be decoded counts as no session (logged).
   */
  decode(uid: string, entry: StoredEntry, twin?: RecordTwin | null): SessionState | undefined {
    const ctx = this.ctx;
    let record: StoredRecord;
    // A twin's objects are shared with the loads after this one: applyRecord copies what it keeps.
    let shared = false;
    if (twin?.payload === entry.payload) {
      record = recordOf(twin);
      shared = true;
    } else {
      try {
        record = decode(entry.payload) as StoredRecord;
        const problem = recordProblem(record, entry);
        if (problem !== undefined) throw new TypeError(problem);
      } catch (e) {
        this.#corrupt(uid, e);
        return undefined;
      }
      // On a shared store this process may keep the lease for the session's next request: its
      // commits keep twins from now on, spliced from this one (taken before the load can change it).
      twin = ctx.locks.leases ? twinOf(entry.payload, record) : null;
    }
    const slack = ctx.store.inProcess ? 0 : ctx.resolution;
    const state = new ctx.SessionClass({ uid, secure: record.secure, timeout: record.timeout, isNew: false, clock: ctx.clock })[kState];
    const lastAccessed = entry.expires - (record.timeout + slack) * 1000;
    const lost = state.applyRecord(record, lastAccessed, ctx.reg(), shared);
    for (const name of lost) ctx.onError(new Error(`component ${name} could not be restored`), `session ${shortId(uid)}`);
    const tracked = untracked();
    tracked.version = entry.version;
    tracked.payload = entry.payload;
    setTwin(tracked, twin);
    // In process every commit touches, so the time of the last one is not needed (a heap number less per live session).
    if (!ctx.store.inProcess) tracked.written = lastAccessed;
    state.ledger = tracked;
    return state;
  }

  /** Logs a corrupt stored session once (per id, while remembered): it is then treated like an unknown id. */
  #corrupt(uid: string, e: unknown): void {
    if (this.#reportedCorrupt.has(uid)) return;
    if (this.#reportedCorrupt.size >= 10_000) this.#reportedCorrupt.clear();
    this.#reportedCorrupt.add(uid);
    this.ctx.onError(e, `session ${shortId(uid)} in store '${this.ctx.store.name}' is corrupt and is treated as unknown (a new session is started)`);
  }
}
