/**
 * How the manager ends a request's hold on a session: commit (encode, write only what changed,
 * give the lock back) or abort (the session goes back to its last committed state).
 *
 * A commit runs synchronously as long as every store call it makes answers with a plain value
 * (MemoryStore, SqliteStore): it then returns no promise at all, and the web layer answers the
 * request in the same turn. The first store call that answers with a promise (RedisStore, a
 * routed namespace on one) makes the rest of it asynchronous; the steps are the same.
 */
import { decode } from './codec.js';
import { changedSinceCommit, commitPayload } from './commit-payload.js';
import { SessionClosedError } from './errors.js';
import { kClose, kIsOpen, kState } from './internal-symbols.js';
import { isThenable } from './maybe-sync.js';
import { NOTHING, SessionWriter, takeStaged } from './sessions-write.js';
import { releaseAfter } from './staged-write.js';
import type { MaybePromise } from './maybe-sync.js';
import type { StoredRecord } from './session-record.js';
import type { SessionState } from './session-state.js';
import type { Session } from './session.js';
import type { ManagerContext, Tracked } from './sessions-context.js';
import type { SessionEnder } from './sessions-ending.js';
import type { SessionLoader } from './sessions-loading.js';
import type { Plan, Written } from './sessions-write.js';

/** Commits and aborts for one manager. */
export class SessionCommitter {
  readonly #writer: SessionWriter;

  constructor(
    readonly ctx: ManagerContext,
    readonly loader: SessionLoader,
    readonly ender: SessionEnder,
    /** Opens the store when it is not open yet (the cookie is signed with the store's secret). */
    readonly ready: () => Promise<void> | undefined,
  ) {
    this.#writer = new SessionWriter(ctx, loader, ender);
  }

  /**
   * See `Sessions#commit`. Returns undefined when the commit is complete (it ran synchronously),
   * else a promise of its end; throws (or rejects) as `Sessions#commit` rejects.
   */
  commit(session: Session): Promise<void> | undefined {
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (!session[kIsOpen]) {
      if (tracked !== null && changedSinceCommit(state, tracked, this.ctx.reg(), this.ctx.routes())) throw new SessionClosedError('commit it (it was changed after its commit)', state.uid);
      return undefined;
    }
    if (!tracked || tracked.heldUid === null) return undefined;
    session[kClose]('committed', this.ctx.clock());
    const opening = this.ready();
    if (opening !== undefined || state.expired) return this.#commitLater(state, tracked, opening);
    let written: MaybePromise<Written>;
    try {
      written = this.#write(state, tracked);
    } catch (e) {
      this.#fail(state, tracked);
      throw e;
    }
    if (isThenable(written)) {
      return written.then(
        (done) => this.#handOn(tracked, done),
        (e: unknown) => {
          this.#fail(state, tracked);
          throw e;
        },
      );
    }
    const durable = this.#handOn(tracked, written);
    return durable?.catch((e: unknown) => {
      this.#fail(state, tracked);
      throw e;
    });
  }

  /** A commit that waits for the store to open, or ends the session. */
  async #commitLater(state: SessionState, tracked: Tracked, opening: Promise<void> | undefined): Promise<void> {
    try {
      if (opening !== undefined) await opening;
      if (state.expired) {
        // Ending the session supersedes what the chain staged before: those requests are answered.
        const taken = await takeStaged(tracked);
        await this.ender.end(state, false).catch((e: unknown) => {
          taken?.reject(e);
          throw e;
        });
        taken?.resolve();
        this.#release(tracked);
        return;
      }
      await this.#handOn(tracked, await this.#write(state, tracked));
    } catch (e) {
      this.#fail(state, tracked);
      throw e;
    }
  }

  /**
   * After the write: the next request of this process for the session (waiting now, or coming in
   * this turn or the next) gets it with the lease, decoding what this one committed (its own
   * state and handle: a component this request kept cannot reach it); else the lock goes back.
   * Returns the staged write's durability, which this request answers after (and fails with).
   */
  #handOn(tracked: Tracked, { handed, staged, durable }: Written): Promise<void> | undefined {
    if (handed !== undefined && this.ctx.locks.pass(tracked.heldUid!, handed, staged ?? null)) tracked.heldUid = null;
    else this.#release(tracked);
    return durable;
  }

  /** A failed commit: the session goes back to its last committed state, and the lock back. */
  #fail(state: SessionState, tracked: Tracked): void {
    this.#rollback(state, tracked);
    this.#release(tracked);
  }

  /** See `Sessions#abort`. */
  abort(session: Session): void {
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (!session[kIsOpen] || !tracked || tracked.heldUid === null) return;
    session[kClose]('aborted', this.ctx.clock());
    this.#rollback(state, tracked);
    this.#release(tracked);
  }

  /** See `Sessions#save`: `#write` that keeps the session held, and leaves a failed write for the commit to retry. */
  async save(session: Session): Promise<void> {
    const state = session[kState];
    const tracked = this.#held(session, 'save()');
    const opening = this.ready();
    if (opening !== undefined) await opening;
    if (state.expired) return;
    const retired = state.retired;
    const forced = state.forced;
    try {
      await this.#write(state, tracked, true);
    } catch (e) {
      // Nothing was written: the commit must still retire the old ids and honour changed().
      state.retired = retired;
      state.forced ||= forced;
      throw e;
    }
  }

  /** See `Sessions#reload`: the state goes back to what was last written; the session stays held. */
  reload(session: Session): void {
    const state = session[kState];
    const tracked = this.#held(session, 'reload()');
    undoRequest(state);
    state.expired = false;
    if (tracked.payload !== undefined) this.#restore(state, tracked, tracked.payload);
    else {
      this.#restore(state, tracked, { created: state.created, timeout: state.timeout, secure: state.secure, data: {}, namespaces: {}, components: {} });
      state.pristine = null;
    }
  }

  /** Puts the committed record (`committed`: its payload) and routed namespaces back into `state`, keeping its last access. */
  #restore(state: SessionState, tracked: Tracked, committed: string | StoredRecord): void {
    const record = typeof committed === 'string' ? (decode(committed) as StoredRecord) : committed;
    state.applyRecord(record, state.lastAccessed, this.ctx.reg());
    if (tracked.routed !== null) for (const [name, { payload }] of tracked.routed) state.applyNamespace(name, decode(payload) as Record<string, unknown>);
  }

  /** The manager's record of a handle its request still holds. @throws SessionClosedError otherwise. */
  #held(session: Session, action: string): Tracked {
    const state = session[kState];
    const tracked = state.ledger as Tracked | null;
    if (!session[kIsOpen] || tracked === null || tracked.heldUid === null) throw new SessionClosedError(action, state.uid);
    return tracked;
  }

  /**
   * Writes what changed; `keepHeld` (save()) keeps the session's lock and lease for the rest of the
   * request. Returns what to hand to the next waiter when the lease was kept for it, and, when
   * the write was staged for the chain (early lock release), the promise of its durability.
   * Synchronous as long as the store calls are (see the module comment).
   */
  #write(state: SessionState, tracked: Tracked, keepHeld = false): MaybePromise<Written> {
    const ctx = this.ctx;
    const { store, locks } = ctx;
    const now = ctx.clock();
    const retired = state.takeRetiredUids();
    const forced = state.takeForced();
    const routes = ctx.routes();
    const fresh = tracked.payload === undefined || retired.length > 0;
    // save() writes with a plain compare-and-set, which leaves the lease held (the version check still refuses a lost race).
    const leased = locks.leases && !keepHeld;
    const encoded = commitPayload(state, tracked, forced || retired.length > 0, ctx.reg(), routes, leased && !fresh);
    if (encoded === null) {
      // Nothing to keep (express-session's saveUninitialized: false): no entry, no cookie.
      if (!keepHeld) {
        locks.release(tracked.heldUid!);
        tracked.heldUid = null;
      }
      return NOTHING;
    }
    const { payload, headLength, twin } = encoded;
    const routedPayloads = ctx.routing.encode(state, routes);
    const slack = store.inProcess ? 0 : ctx.resolution;
    const touchDue = store.inProcess || fresh || now - tracked.written >= ctx.resolution * 1000;
    // Write avoidance covers the expiry too: between two touches a changed session is written
    // with the expiry it has (an unchanged index entry is free in SQLite), so it still ends
    // between `timeout` and `timeout + resolution` after its last access.
    const expires = (touchDue ? state.lastAccessed : tracked.written) + (state.timeout + slack) * 1000;
    const uid = state.uid;

    // Keep the lease for a request of this process that waits for the session (lock handoff);
    // not across a new id. Routed namespaces go along as last written: while this process holds
    // the session's lease, no one else writes them.
    const keep = leased && !fresh && locks.keepLease(uid);
    const handOff = keep !== false;
    const unwritten = tracked.staged?.unwritten === true;
    const routedAsWritten = routes.size === 0 || (!touchDue && ctx.routing.unchanged(routedPayloads, tracked.routed));
    const plan: Plan = { state, tracked, uid, now, payload, headLength, twin, expires, routes, routedPayloads, retired, forced, fresh, touchDue, leased, handOff };
    if (handOff && (keep === 'now' || unwritten) && routedAsWritten && (unwritten || forced || touchDue || payload !== tracked.payload)) return this.#writer.stage(plan);
    return this.#writer.store(plan);
  }

  #rollback(state: SessionState, tracked: Tracked): void {
    undoRequest(state);
    if (tracked.ended) return;
    state.expired = false;
    if (tracked.payload === undefined) this.ctx.live.delete(state.uid);
    // Only a live session outlives the request; it goes back to what the store has.
    else if (this.ctx.live.get(state.uid) === state) this.#restore(state, tracked, tracked.payload);
  }

  /** Releases the session's lock — once what its chain staged is written (the requests that staged it wait for that). */
  #release(tracked: Tracked): void {
    const uid = tracked.heldUid;
    const staged = tracked.staged;
    tracked.heldUid = null;
    tracked.staged = null;
    if (uid === null) return;
    // Bound rather than a closure: a closure over `uid` would give every release a context object.
    if (staged === null) this.ctx.locks.release(uid);
    else releaseAfter(staged, this.ctx.locks.release.bind(this.ctx.locks, uid));
  }
}

/** Takes back what the request asked of the store: a new id (the old one stays) and a forced write. */
function undoRequest(state: SessionState): void {
  const retired = state.takeRetiredUids();
  if (retired.length > 0) state.uid = retired[0]!;
  state.takeForced();
}
