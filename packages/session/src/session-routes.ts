/**
 * Namespace routing: a session's `namespace(pkg)` data kept in the store a named
 * `ISessionDataContainer` utility gives for `pkg`, under the key `uid + '/' + pkg`, instead of in
 * the session's own record. Which packages are routed (cached per registry generation), and how
 * their data is loaded, encoded and written alongside the session.
 */
import { decode, encode } from './codec.js';
import { ISessionDataContainer } from './contracts.js';
import { SessionConflictError, shortId } from './errors.js';
import type { SessionState } from './session-state.js';
import type { SessionStore } from './store.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { Registry } from '@dovetail/registry';

/** Between the session's uid and the package id in a routed key; no session id contains it. */
export const ROUTED = '/';

/** The routed payloads of a session none of whose routed namespaces has data (shared: nothing writes to it). */
const NO_PAYLOADS: ReadonlyMap<string, string> = new Map();

/** Routed namespaces of one session: what was last committed for each. */
export type RoutedState = Map<string, { version: number; payload: string }>;

/**
 * Where a session's {@link RoutedState} is kept: null until a namespace is loaded or written.
 * Most sessions have none, and what a request leaves here outlives it (a lease kept for the
 * session's next request carries it): an empty map made at every request was about a quarter of
 * what a request on a shared store left for the garbage collector to copy.
 */
export interface RoutedHolder {
  routed: RoutedState | null;
}

/** What a commit writes of a session's routed namespaces. */
export interface RoutedWrite {
  readonly uid: string;
  /** Package id → the store its namespace is kept in. */
  readonly routes: Map<string, SessionStore>;
  /** Package id → the namespace's encoded data; a namespace without data is not in it. */
  readonly routedPayloads: ReadonlyMap<string, string>;
  /** A new session (or a new id): every namespace is written, expecting none. */
  readonly fresh: boolean;
  /** The expiry moves: unchanged namespaces are touched. */
  readonly touchDue: boolean;
  readonly expires: number;
}

/** The routed namespaces of one `Sessions`, whose own store is `main`. */
export class NamespaceRoutes {
  readonly #main: SessionStore;
  readonly #onError: (error: unknown, context: string) => void;
  #cache: { registry: Registry; generation: number; routes: Map<string, SessionStore> } | null = null;

  constructor(main: SessionStore, onError: (error: unknown, context: string) => void) {
    this.#main = main;
    this.#onError = onError;
  }

  /** Named `ISessionDataContainer` utilities of `registry`: package id → its store. */
  routes(registry: Registry): Map<string, SessionStore> {
    const cached = this.#cache;
    if (cached && cached.registry === registry && cached.generation === registry.utilitiesGeneration) return cached.routes;
    const routes = new Map<string, SessionStore>();
    for (const [name, store] of registry.getUtilitiesFor(ISessionDataContainer as InterfaceSpec<SessionStore>)) {
      if (name !== '' && store !== this.#main) routes.set(name, store);
    }
    this.#cache = { registry, generation: registry.utilitiesGeneration, routes };
    return routes;
  }

  /** Loads `session`'s routed namespaces into it, noting them in `holder`; a corrupt one is dropped (and reported). */
  async load(session: SessionState, routes: Map<string, SessionStore>, holder: RoutedHolder, now: number): Promise<void> {
    holder.routed = null;
    for (const [name, store] of routes) {
      const entry = await store.get(session.uid + ROUTED + name, now);
      if (!entry) continue;
      try {
        session.applyNamespace(name, decode(entry.payload) as Record<string, unknown>);
        (holder.routed ??= new Map()).set(name, { version: entry.version, payload: entry.payload });
      } catch (e) {
        this.#onError(e, `namespace ${name} of session ${shortId(session.uid)} is corrupt and is dropped`);
      }
    }
  }

  /** Encodes the routed namespaces of `session` that have data, before anything is written. */
  encode(session: SessionState, routes: Map<string, SessionStore>): ReadonlyMap<string, string> {
    // Most sites route none, and most sessions of those that do have no data there: no map made at every commit.
    if (routes.size === 0) return NO_PAYLOADS;
    let payloads: Map<string, string> | null = null;
    for (const name of routes.keys()) {
      const data = session.namespaceRecord(name);
      if (data !== undefined) (payloads ??= new Map()).set(name, encode(data, `namespaces['${name}']`));
    }
    return payloads ?? NO_PAYLOADS;
  }

  /**
   * True when `write` would write nothing but touches: the routed namespaces with data are as last
   * written (`routed`, null: never), and none written before has lost its data.
   */
  unchanged(payloads: ReadonlyMap<string, string>, routed: RoutedState | null): boolean {
    if (payloads.size !== (routed?.size ?? 0)) return false;
    if (payloads.size === 0) return true;
    for (const [name, next] of payloads) if (next !== routed!.get(name)?.payload) return false;
    return true;
  }

  /**
   * Writes what changed in the routed namespaces of session `write.uid` (all of them when `fresh`),
   * deletes emptied ones, and touches the rest when `touchDue`, noting what it wrote in
   * `holder`. Returns undefined, having written nothing, when no namespace needs a store call
   * (none has data, nor had).
   *
   * @throws SessionConflictError (`DT_SESSION_CONFLICT`) when another writer got there first.
   */
  write(write: RoutedWrite, holder: RoutedHolder): Promise<void> | undefined {
    // A namespace with data (the payloads hold only those), or one written before: to delete or touch.
    if (write.routedPayloads.size > 0) return this.#write(write, (holder.routed ??= new Map()));
    const routed = holder.routed;
    if (routed !== null) for (const name of routed.keys()) if (write.routes.has(name)) return this.#write(write, routed);
    return undefined;
  }

  async #write({ uid, routes, routedPayloads, fresh, touchDue, expires }: RoutedWrite, routed: RoutedState): Promise<void> {
    for (const [name, store] of routes) {
      const key = uid + ROUTED + name;
      const next = routedPayloads.get(name);
      const last = routed.get(name);
      if (next === undefined) {
        if (last) await store.delete(key);
        routed.delete(name);
      } else if (fresh || !last || last.payload !== next) {
        const expected = fresh ? 0 : (last?.version ?? 0);
        const version = await store.set(key, next, expires, expected);
        if (version === undefined) throw new SessionConflictError(key, expected, store.name);
        routed.set(name, { version, payload: next });
      } else if (touchDue) await store.touch(key, expires);
    }
  }
}
