/**
 * What the parts of the `Sessions` manager share: its store, locks and live states (the
 * context each part is built with), and the ledger the manager keeps on each state it made. The
 * manager is split by phase: loading and handing out (sessions-loading.ts), committing and
 * rolling back (sessions-commit.ts, which decides what to write, and sessions-write.ts, which
 * writes it), ending sessions (sessions-ending.ts); sessions.ts is the public face that wires them. Internal: never re-exported from index.ts.
 */
import type { FrontedMap } from './fronted-map.js';
import type { SessionLocks } from './lock.js';
import type { RecordTwin } from './record-twin.js';
import type { NamespaceRoutes, RoutedState } from './session-routes.js';
import type { SessionState } from './session-state.js';
import type { SessionsOptions } from './sessions-options.js';
import type { StagedWrite } from './staged-write.js';
import type { ClientSideStore, SessionStore } from './store.js';
import type { Registry } from '@dovetail/registry';

/** What the manager remembers about a session's stored state between load and commit (and between requests, for live ones). */
export interface Tracked {
  /** The id the lock was taken under; null while no request holds the session. */
  heldUid: string | null;
  /** The version and payload last committed (undefined payload: never stored). */
  version: number;
  payload: string | undefined;
  /** How long the payload's part before its components is, when this manager encoded it (0: not known). */
  headLength: number;
  /**
   * The payload decoded, when the commit that wrote it kept a copy (record-twin.ts); null or
   * absent: decode it. Absent on the ledger of a store that never hands a lease on (in process):
   * a field less on every live session.
   */
  twin?: RecordTwin | null;
  /** When the last-access time was last written, epoch ms. */
  written: number;
  /** Routed namespaces: what was last committed for each (null: none). */
  routed: RoutedState | null;
  /** Client-side stores: the cookie value of the last commit. */
  cookie: string | undefined;
  ended: boolean;
  /** Commits of this session's handoff chain not yet written (early lock release), handed over with the lock; null when none. */
  staged: StagedWrite | null;
}

/** A ledger for a state the store has never seen. */
export const untracked = (): Tracked => ({ heldUid: null, version: 0, payload: undefined, headLength: 0, written: 0, routed: null, cookie: undefined, ended: false, staged: null });

/** Sets the ledger's twin, leaving a ledger that never had one without the field. */
export function setTwin(tracked: Tracked, twin: RecordTwin | null): void {
  if (twin !== null || tracked.twin !== undefined) tracked.twin = twin;
}

/** The manager's record of a state it made (kept on the state itself: no WeakMap entry per session). */
export const ledger = (state: SessionState): Tracked => state.ledger as Tracked;

/** The parts of one manager that its loading, commit and ending code share. */
export interface ManagerContext {
  readonly store: SessionStore;
  /** The store when it keeps sessions in the cookie, else null. */
  readonly clientSide: ClientSideStore | null;
  readonly locks: SessionLocks;
  /** In-process stores: the state of each stored session, kept between requests (the busy ones in front). */
  readonly live: FrontedMap<string, SessionState>;
  readonly routing: NamespaceRoutes;
  readonly SessionClass: NonNullable<SessionsOptions['sessionClass']>;
  /** Last-access write resolution, seconds. */
  readonly resolution: number;
  readonly clock: () => number;
  readonly onError: (error: unknown, context: string) => void;
  /** The registry in effect: the manager's own, else the current one. */
  reg(): Registry;
  /** Named `ISessionDataContainer` utilities: package id → its store. */
  routes(): Map<string, SessionStore>;
}
