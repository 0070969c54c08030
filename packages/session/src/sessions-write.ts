/**
 * How a commit's write is carried out once the committer has decided what to write (a `Plan`):
 * the store call (a compare-and-set, or only the expiry or the lease when nothing changed), a
 * refused compare as a `SessionConflictError`, then the routed namespaces, the ids given up and a
 * full MemoryStore's evictions; or, for early lock release, the write staged for the chain and the
 * lease handed on at once. Synchronous as long as the store calls are (see sessions-commit.ts).
 */
import { SessionCreated } from './contracts.js';
import { SessionConflictError } from './errors.js';
import { isThenable, then } from './maybe-sync.js';
import { MemoryStore } from './memory-store.js';
import { ROUTED } from './session-routes.js';
import { setTwin } from './sessions-context.js';
import { carry } from './sessions-loading.js';
import { StagedWrite } from './staged-write.js';
import type { MaybePromise } from './maybe-sync.js';
import type { RecordTwin } from './record-twin.js';
import type { RoutedWrite } from './session-routes.js';
import type { SessionState } from './session-state.js';
import type { ManagerContext, Tracked } from './sessions-context.js';
import type { SessionEnder } from './sessions-ending.js';
import type { Carried, SessionLoader } from './sessions-loading.js';
import type { Staged } from './staged-write.js';
import type { SessionStore } from './store.js';

/**
 * What a write leaves to do: hand the lease on with the entry now stored (`handed`) and the
 * chain's commits not yet written (`staged`), and wait for a staged write to be durable.
 */
export interface Written {
  readonly handed?: Carried;
  readonly staged?: StagedWrite;
  readonly durable?: Promise<void>;
}

/** What a write that leaves nothing to do gives: one object for all. */
export const NOTHING: Written = {};

/** One write, as the committer decided it: what to store and what to do once it is stored. */
export interface Plan extends RoutedWrite {
  readonly state: SessionState;
  readonly tracked: Tracked;
  readonly now: number;
  readonly payload: string;
  /** Where the payload's components begin (0: not known). */
  readonly headLength: number;
  /** The payload decoded, when kept for the next request (record-twin.ts). */
  readonly twin: RecordTwin | null;
  readonly retired: readonly string[];
  readonly forced: boolean;
  readonly leased: boolean;
  readonly handOff: boolean;
  /** The version the write leaves for the next request of this process (lock handoff), once stored. */
  handedVersion?: number;
}

/** Takes the chain's staged commits for this request to write (or end) with its own state; the version is then current. */
export async function takeStaged(tracked: Tracked): Promise<Staged | null> {
  const staged = tracked.staged;
  if (staged === null) return null;
  tracked.staged = null;
  const taken = await staged.take();
  tracked.version = staged.version;
  return taken;
}

/** Carries out the writes of one manager's commits. */
export class SessionWriter {
  constructor(
    readonly ctx: ManagerContext,
    readonly loader: SessionLoader,
    readonly ender: SessionEnder,
  ) {}

  /** Writes `plan` to the store now, and with it anything the chain staged. */
  store(plan: Plan): MaybePromise<Written> {
    return plan.tracked.staged === null ? this.#store(plan, null) : this.#storeWithStaged(plan);
  }

  /** Anything the chain staged is written now, with this state, which contains it. */
  async #storeWithStaged(plan: Plan): Promise<Written> {
    return this.#store(plan, await takeStaged(plan.tracked));
  }

  /** Early lock release: the next request gets the lease and this state now; the write is staged for the chain. */
  stage(plan: Plan): Written {
    const { store, locks } = this.ctx;
    const { tracked, uid, payload, expires } = plan;
    const staged = tracked.staged ?? new StagedWrite(tracked.version, (p, e, v) => locks.commitKeeping(uid, p, e, v), (v) => new SessionConflictError(uid, v, store.name));
    tracked.staged = null;
    tracked.payload = payload;
    tracked.headLength = plan.headLength;
    setTwin(tracked, plan.twin);
    if (plan.touchDue) tracked.written = plan.now;
    const durable = staged.stage(payload, expires);
    return { handed: carry(tracked, plan.routes, payload, staged.version, expires), staged, durable };
  }

  /** The store call of `plan` (and the writes that follow it); `taken`: the chain's staged commits it writes too. */
  #store(plan: Plan, taken: Staged | null): MaybePromise<Written> {
    let stored: MaybePromise<void>;
    try {
      stored = this.#storeCall(plan, taken !== null);
    } catch (e) {
      taken?.reject(e);
      throw e;
    }
    if (taken === null) return isThenable(stored) ? stored.then(() => this.#afterStore(plan)) : this.#afterStore(plan);
    return Promise.resolve(stored).then(
      () => {
        taken.resolve();
        return this.#afterStore(plan);
      },
      (e: unknown) => {
        taken.reject(e);
        throw e;
      },
    );
  }

  /** Writes the session (or only moves its expiry, or only gives its lease back) as `plan` says. */
  #storeCall(plan: Plan, takenStaged: boolean): MaybePromise<void> {
    const { store, locks, clientSide } = this.ctx;
    const { tracked, uid, payload, expires, leased, handOff } = plan;
    if (takenStaged || plan.fresh || plan.forced || payload !== tracked.payload) {
      const expected = plan.fresh ? 0 : tracked.version;
      if (clientSide) tracked.cookie = clientSide.seal(uid, payload, expected + 1, expires);
      // On a shared store, the write gives the lease back (or keeps it) in the same store call.
      const got = !leased ? store.set(uid, payload, expires, expected) : handOff ? locks.commitKeeping(uid, payload, expires, expected) : store.commit(uid, locks.owner, payload, expires, expected);
      // A store that answers at once (in process) gets no closure: garbage is what a request among many live sessions pays most for.
      if (!isThenable(got)) return this.#stored(plan, expected, got);
      return got.then((version) => this.#stored(plan, expected, version));
    }
    return this.#storeUnchanged(plan);
  }

  /** The session did not change: the lease stays for the next request, or goes back; the expiry moves when due. */
  #storeUnchanged(plan: Plan): MaybePromise<void> {
    const { store, locks, clientSide } = this.ctx;
    const { tracked, uid, payload, expires, now, leased, handOff, touchDue } = plan;
    // Nothing changed and the next request takes over: the lease stays, the expiry moves when due.
    if (handOff) plan.handedVersion = tracked.version;
    else if (leased) {
      // Nothing changed: only the lease goes back (with the last-access time when it is due).
      return then(store.release(uid, locks.owner, touchDue ? expires : undefined), () => {
        locks.settled(uid);
        if (touchDue) tracked.written = now;
      });
    }
    if (!touchDue) return;
    // (A cookie store holds no leases: it never hands off.)
    if (clientSide) tracked.cookie = clientSide.seal(uid, payload, tracked.version, expires);
    return then(store.touch(uid, expires), () => void (tracked.written = now));
  }

  /** The store took `plan`'s write (as `version`) or refused it (undefined: another writer got there first). */
  #stored(plan: Plan, expected: number, version: number | undefined): void {
    const { store, locks } = this.ctx;
    const { tracked, uid, payload, now, leased, handOff, touchDue } = plan;
    if (version === undefined) throw new SessionConflictError(uid, expected, store.name);
    if (leased && !handOff) locks.settled(uid);
    tracked.version = version;
    tracked.payload = payload;
    tracked.headLength = plan.headLength;
    setTwin(tracked, plan.twin);
    if (touchDue && !store.inProcess) tracked.written = now; // in process every commit touches: not needed (and a heap number less per session)
    if (handOff) plan.handedVersion = version;
  }

  /** What follows the session's own write: its routed namespaces, the ids it gave up, a full MemoryStore's evictions. */
  #afterStore(plan: Plan): MaybePromise<Written> {
    const { store, routing } = this.ctx;
    const { tracked, routes } = plan;
    const routed = routes.size > 0 ? routing.write(plan, tracked) : undefined;
    // A full MemoryStore evicted a session to make room: end it now (ISessionExpired), so that
    // its live state goes too and memory stays bounded between sweeps.
    const evicted = plan.fresh && store instanceof MemoryStore && store.hasClaimed;
    if (routed !== undefined || plan.retired.length > 0 || evicted) return this.#afterStoreLater(plan, routed, evicted);
    return this.#written(plan);
  }

  async #afterStoreLater(plan: Plan, routed: Promise<void> | undefined, evicted: boolean): Promise<Written> {
    const ctx = this.ctx;
    const { store } = ctx;
    const { tracked, uid, routes } = plan;
    if (routed !== undefined) await routed;
    if (plan.retired.length > 0) {
      for (const old of plan.retired) {
        ctx.live.delete(old);
        await store.delete(old, ctx.locks.owner);
        for (const [name, routedStore] of routes) await routedStore.delete(old + ROUTED + name);
      }
      ctx.locks.rename(tracked.heldUid!, uid);
      tracked.heldUid = uid;
    }
    if (evicted) {
      if (keptLive(store, plan.state)) ctx.live.set(uid, plan.state);
      await this.ender.endClaimed(plan.now, (id, entry) => this.loader.decode(id, entry));
    }
    return this.#written(plan);
  }

  /** The write is done: the live state is kept (see keptLive), a new session is announced, and the lease handed on when kept. */
  #written(plan: Plan): Written {
    const { state, uid, routes, tracked, handedVersion } = plan;
    if (keptLive(this.ctx.store, state)) this.ctx.live.set(uid, state);
    if (state.isNew) {
      state.isNew = false;
      state.pristine = null;
      this.ender.notify(new SessionCreated(state.handle!), 'an ISessionCreated handler');
    }
    if (handedVersion === undefined) return NOTHING;
    return { handed: carry(tracked, routes, plan.payload, handedVersion, plan.expires) };
  }
}

/**
 * Whether a session stays live after its write: its state kept between requests by an in-process
 * store, so that the next one is loaded without decoding. A new session becomes live when it
 * comes back, not at its first commit: most sessions a site makes are never seen again (crawlers,
 * one-page visits), and a live state costs memory its stored entry does not, and garbage
 * collection on every new visitor (the state survives the young generation). One with expiry
 * callbacks stays live at once: they are kept nowhere else.
 */
function keptLive(store: SessionStore, state: SessionState): boolean {
  return store.inProcess && (!state.isNew || state.callbacks !== null);
}
