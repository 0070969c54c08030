/**
 * What the in-process stores share. Leases kept in this process's memory, for the stores whose entries live here (MemoryStore,
 * CookieStore's view) or that no other process can open (an exclusive SqliteStore): the same
 * lease rules as the shared stores, so one conformance suite holds for all four. The manager does not use them for those stores (its own per-session queue is the
 * lock there); tools and tests that drive a store directly do.
 */
import { then } from './maybe-sync.js';
import { WAIT_TURN_MS } from './store.js';
import type { MaybePromise } from './maybe-sync.js';
import type { Acquired, ListPage, ListedEntry, StoredEntry } from './store.js';

interface Lease {
  readonly owner: string;
  until: number;
}

const ABSENT: Acquired = { state: 'absent' };
const BUSY: Acquired = { state: 'busy' };

/** The leases of one in-process store; empty (no memory) while nothing is leased or waited for. */
export class LeaseTable {
  readonly #leases = new Map<string, Lease>();
  /** Who has the next turn on a session, until when (see `SessionStore#acquire`). */
  readonly #turns = new Map<string, Lease>();
  /** For each owner, the ids of its leases that another owner found busy (see `SessionStore#wanted`). */
  readonly #wants = new Map<string, Set<string>>();

  constructor(readonly clock: () => number) {}

  /** True when someone other than `owner` holds a live lease on `id`. */
  blocked(id: string, owner: string): boolean {
    const l = this.#leases.get(id);
    return l !== undefined && l.owner !== owner && l.until > this.clock();
  }

  /** Lock-and-load over `get`: see `SessionStore#acquire`. */
  acquire(entry: StoredEntry | undefined, id: string, owner: string, leaseMs: number): Acquired {
    if (entry === undefined) return ABSENT;
    const now = this.clock();
    const l = this.#leases.get(id);
    const turn = this.#turns.get(id);
    const othersTurn = turn !== undefined && turn.owner !== owner && turn.until > now;
    if ((l !== undefined && l.until > now) || othersTurn) {
      if (!othersTurn) this.#turns.set(id, { owner, until: now + WAIT_TURN_MS });
      this.#tellHolder(id, owner, now);
      return BUSY;
    }
    this.#turns.delete(id);
    this.#leases.set(id, { owner, until: now + leaseMs });
    return { state: 'held', entry };
  }

  /** See `SessionStore#wanted`. */
  wanted(owner: string): string[] {
    const ids = this.#wants.get(owner);
    if (ids === undefined) return [];
    this.#wants.delete(owner);
    return [...ids];
  }

  /** Release on demand: the holder of a live lease on `id`, when it is not `owner`, is told that it is wanted. */
  #tellHolder(id: string, owner: string | undefined, now: number): void {
    const l = this.#leases.get(id);
    if (l === undefined || l.owner === owner || l.until <= now) return;
    const ids = this.#wants.get(l.owner);
    if (ids === undefined) this.#wants.set(l.owner, new Set([id]));
    else ids.add(id);
  }

  /** Gives `owner` the lease on `id` for `leaseMs` from now (the caller checked it may). */
  hold(id: string, owner: string, leaseMs: number): void {
    this.#leases.set(id, { owner, until: this.clock() + leaseMs });
  }

  /** Drops `owner`'s lease on `id`; with no `owner` (the entry is gone), any lease and turn on it. */
  release(id: string, owner?: string): void {
    const l = this.#leases.get(id);
    if (l !== undefined && (owner === undefined || l.owner === owner)) this.#leases.delete(id);
    if (owner === undefined) this.#turns.delete(id);
  }

  /** The entry is deleted: its lease and turn go, and a live lease of another owner than `by` is reported to its holder (see `SessionStore#delete`). */
  deleted(id: string, by?: string): void {
    this.#tellHolder(id, by, this.clock());
    this.release(id);
  }

  /** See `SessionStore#renew`; `exists` tells whether the entry is still kept. */
  renew(ids: readonly string[], owner: string, leaseMs: number, exists: (id: string) => boolean): string[] {
    const now = this.clock();
    const lost: string[] = [];
    for (const id of ids) {
      const l = this.#leases.get(id);
      if (l === undefined || l.owner !== owner || l.until <= now || !exists(id)) lost.push(id);
      else this.#leases.set(id, { owner, until: now + leaseMs });
    }
    return lost;
  }

  /** Forgets every lease and turn. */
  clear(): void {
    this.#leases.clear();
    this.#turns.clear();
    this.#wants.clear();
  }
}

/**
 * `commit` for a store whose leases are in `leases`: refused while another owner's lease is live,
 * else `set` and, when it wrote, the lease released (or, with `keepMs`, kept that long) — once
 * the write is done, and synchronously when `set` answers synchronously (its type is the result's).
 */
export function commitWithLeases<V extends MaybePromise<number | undefined>>(
  store: { set(id: string, payload: string, expires: number, expectedVersion: number): V },
  leases: LeaseTable,
  id: string,
  owner: string,
  payload: string,
  expires: number,
  expectedVersion: number,
  keepMs?: number,
): V {
  if (leases.blocked(id, owner)) return undefined as V;
  const written: MaybePromise<number | undefined> = store.set(id, payload, expires, expectedVersion);
  return then(written, (version) => {
    if (version !== undefined) {
      if (keepMs === undefined) leases.release(id, owner);
      else leases.hold(id, owner, keepMs);
    }
    return version;
  }) as V;
}

/**
 * `list` over entries kept in insertion order (a Map's): the cursor is a position in that order,
 * so an entry removed before it while paging shifts the rest (a best effort, as the contract allows).
 */
export function listPage(entries: Iterable<[string, StoredEntry]>, cursor: string | undefined, limit: number): ListPage {
  const start = cursor === undefined ? 0 : Number(cursor);
  const page: ListedEntry[] = [];
  let i = 0;
  for (const [id, e] of entries) {
    if (i++ < start) continue;
    if (page.length >= limit) return { entries: page, cursor: String(start + page.length) };
    page.push({ id, version: e.version, expires: e.expires });
  }
  return { entries: page, cursor: undefined };
}
