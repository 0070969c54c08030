/**
 * `MemoryStore`: sessions kept in this process's memory (the default store).
 *
 * @module
 */
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionStoreConfigError, SessionStoreError } from './errors.js';
import { FrontedMap } from './fronted-map.js';
import { LeaseTable, commitWithLeases, listPage } from './leases.js';
import type { Acquired, ExpiredEntry, ListPage, SessionStore, StoredEntry } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most entries kept at once. When full, `set` of a new id first claims entries that have
   * already expired (they are handed out by the next `sweep`, so no expiry goes unreported); if
   * all are live it throws `SessionStoreError` instead of dropping a live session.
   * Pass `Infinity` for no bound.
   * @default 1_000_000
   */
  readonly maxSessions?: number;
  /**
   * What a full store does with a new session when none has expired: `'refuse'` throws
   * `SessionStoreError` (the web layer answers 503; nothing is dropped), `'evict'` makes room by
   * removing the session closest to its expiry — with one timeout for every session, the least
   * recently used one (to the second) — which the next `sweep` hands out as ended, so
   * `ISessionExpired` is notified for it (the manager sweeps at once after a write that evicted).
   * @default 'refuse'
   */
  readonly whenFull?: 'refuse' | 'evict';
  /**
   * The clock `set` uses to tell whether an existing entry has expired (`set` takes no `now`).
   * @default Date.now
   */
  readonly clock?: () => number;
}

/**
 * Width of one expiry bucket, in ms.
 *
 * The expiry index is a set of time buckets (bucket start → ids expiring in
 * `[start, start + width)`) plus a min-heap of bucket starts. Chosen over a heap of entries with
 * lazy deletion because `touch` (every `resolution` seconds per active session) then moves one
 * id between two Sets in O(1) and leaves no garbage behind, where a lazy heap grows by one stale
 * node per touch until that node's time comes. `sweep` pops buckets whose start is due and claims
 * their expired ids: O(expired + the ids of one partly due bucket), never a scan of all entries.
 * One second keeps the partly due bucket small and, with a 15-minute timeout, ~900 buckets.
 */
const BUCKET_MS = 1000;
/** How many expired entries `set` claims at once when the store is full. */
const CLAIM_BATCH = 1024;

/**
 * One entry. `set` changes an entry used lately in place (a new object would be a second lookup
 * in a table of up to a million entries), `touch` any entry's expiry; so `get` hands out a copy,
 * which a later write leaves as it was.
 */
interface Entry extends StoredEntry {
  payload: string;
  version: number;
  expires: number;
}

const bucketOf = (expires: number): number => Math.floor(expires / BUCKET_MS) * BUCKET_MS;

/**
 * Sessions kept in this process's memory: the fastest store and the default one, lost when the
 * process ends. Per entry: one `Map` entry holding a three-field record, plus one `Set` slot in
 * its expiry bucket; the entries used lately are found again through a small table in front.
 *
 * Leases (`acquire`/`commit`/`release`) are kept in a table of their own that is empty while
 * nothing is leased: the manager serialises requests of one session itself and does not use
 * them; they are there for tools and tests that drive the store directly.
 *
 * @example
 * ```ts
 * const sessions = new Sessions({ store: new MemoryStore({ maxSessions: 100_000 }) });
 * ```
 */
@implementer(ISessionDataContainer)
export class MemoryStore implements SessionStore {
  readonly name = 'memory';
  readonly inProcess = true;
  readonly #entries = new FrontedMap<string, Entry>();
  readonly #buckets = new Map<number, Set<string>>();
  /** Min-heap of the keys of `#buckets` (each start present exactly once). */
  readonly #starts: number[] = [];
  /** Expired entries claimed by a full `set`, handed out first by the next `sweep`. */
  #claimed: ExpiredEntry[] = [];
  readonly #max: number;
  readonly #evict: boolean;
  readonly #clock: () => number;
  readonly #leases: LeaseTable;

  /**
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when `maxSessions` is not a
   *   positive integer or `Infinity`.
   */
  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxSessions ?? 1_000_000;
    if (!(max === Infinity || (Number.isInteger(max) && max > 0))) {
      throw new SessionStoreConfigError(
        'MemoryStore',
        `maxSessions must be a positive integer or Infinity, but was ${String(max)}`,
        'Pass for example { maxSessions: 100_000 }.',
      );
    }
    this.#max = max;
    const whenFull = options.whenFull ?? 'refuse';
    if (whenFull !== 'refuse' && whenFull !== 'evict') {
      throw new SessionStoreConfigError('MemoryStore', `whenFull must be 'refuse' or 'evict', but was ${String(whenFull)}`, "Pass { whenFull: 'evict' } to drop the least recently used session, or leave it out to refuse new ones.");
    }
    this.#evict = whenFull === 'evict';
    this.#clock = options.clock ?? Date.now;
    this.#leases = new LeaseTable(this.#clock);
  }

  /** See {@link SessionStore.wanted}. */
  wanted(owner: string): string[] {
    return this.#leases.wanted(owner);
  }

  /** How many entries are kept, live or expired but not yet swept. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `id`, or `undefined` when absent or expired at `now`. */
  get(id: string, now: number): StoredEntry | undefined {
    const e = this.#entries.peek(id);
    return e !== undefined && e.expires > now ? { payload: e.payload, version: e.version, expires: e.expires } : undefined;
  }

  /**
   * Compare-and-set; see {@link SessionStore.set}.
   *
   * @throws SessionStoreError (`DT_SESSION_STORE_UNAVAILABLE`) when `id` is new and the store
   *   holds `maxSessions` live entries.
   */
  set(id: string, payload: string, expires: number, expectedVersion: number): number | undefined {
    const near = this.#entries.near(id);
    const old = near ?? this.#entries.peek(id);
    let version: number;
    if (expectedVersion === 0) {
      if (old !== undefined && old.expires > this.#clock()) return undefined;
      version = 1;
    } else {
      if (old === undefined || old.version !== expectedVersion) return undefined;
      version = expectedVersion + 1;
    }
    if (old === undefined) {
      if (this.#entries.size >= this.#max) this.#makeRoom();
      this.#index(id, expires);
    } else this.#reindex(id, old.expires, expires);
    if (near !== undefined) {
      near.payload = payload;
      near.version = version;
      near.expires = expires;
      return version;
    }
    // Not used lately (or new): a new, young entry, which the next writes change in place while it
    // is in front — an existing one goes there now, a new session's only once it comes back.
    // Changing an old entry here would tie a young payload to a page of the old generation no
    // request touched lately, for the next scavenge to visit.
    this.#entries.set(id, { payload, version, expires }, old !== undefined);
    return version;
  }

  /** Lock-and-load; see {@link SessionStore.acquire}. */
  acquire(id: string, owner: string, leaseMs: number, now: number): Acquired {
    return this.#leases.acquire(this.get(id, now), id, owner, leaseMs);
  }

  /** Write-and-release; see {@link SessionStore.commit}. @throws SessionStoreError as `set`. */
  commit(id: string, owner: string, payload: string, expires: number, expectedVersion: number, keepMs?: number): number | undefined {
    return commitWithLeases(this, this.#leases, id, owner, payload, expires, expectedVersion, keepMs);
  }

  /** Releases `owner`'s lease, moving the expiry when `expires` is given. */
  release(id: string, owner: string, expires?: number): void {
    this.#leases.release(id, owner);
    if (expires !== undefined) this.touch(id, expires);
  }

  /** See {@link SessionStore.renew}. */
  renew(ids: readonly string[], owner: string, leaseMs: number): string[] {
    return this.#leases.renew(ids, owner, leaseMs, (id) => this.#entries.has(id));
  }

  /** How many entries are kept (as `size`). */
  count(): number {
    return this.#entries.size;
  }

  /** One page of entries, in insertion order; the cursor is a position in that order. */
  list(cursor: string | undefined, limit: number): ListPage {
    return listPage(this.#entries, cursor, limit);
  }

  /** Moves the expiry of an entry that has not been swept yet; no-op when absent. */
  touch(id: string, expires: number): void {
    const old = this.#entries.peek(id);
    if (old === undefined) return;
    this.#reindex(id, old.expires, expires);
    old.expires = expires;
  }

  /** Removes the entry without reporting an expiry; true when there was one. */
  delete(id: string, owner?: string): boolean {
    this.#leases.deleted(id, owner);
    const old = this.#entries.peek(id);
    if (old === undefined) return false;
    this.#entries.delete(id);
    this.#unindex(id, old.expires);
    return true;
  }

  /** Removes and returns up to `limit` entries with `expires <= now`, in O(expired). */
  sweep(now: number, limit: number): ExpiredEntry[] {
    let out: ExpiredEntry[];
    if (this.#claimed.length === 0) out = [];
    else if (this.#claimed.length <= limit) {
      out = this.#claimed;
      this.#claimed = [];
    } else {
      out = this.#claimed.splice(0, limit);
    }
    this.#claimExpired(now, limit, out);
    return out;
  }

  /** Drops every entry. Idempotent; the store stays usable (it holds no timers or handles). */
  close(): void {
    this.#entries.clear();
    this.#leases.clear();
    this.#buckets.clear();
    this.#starts.length = 0;
    this.#claimed = [];
  }

  #claimExpired(now: number, limit: number, out: ExpiredEntry[]): void {
    const starts = this.#starts;
    while (out.length < limit && starts.length > 0 && starts[0]! <= now) {
      const start = starts[0]!;
      const bucket = this.#buckets.get(start)!;
      for (const id of bucket) {
        if (out.length >= limit) return;
        const e = this.#entries.peek(id)!;
        if (e.expires <= now) {
          this.#entries.delete(id);
          bucket.delete(id);
          out.push({ id, payload: e.payload });
        }
      }
      if (bucket.size !== 0) return; // the partly due bucket: every later one starts after now
      this.#buckets.delete(start);
      heapPop(starts);
    }
  }

  /** True when entries were claimed (expired or evicted by a full `set`) that the next `sweep` hands out. */
  get hasClaimed(): boolean {
    return this.#claimed.length > 0;
  }

  #makeRoom(): void {
    const claimed: ExpiredEntry[] = [];
    this.#claimExpired(this.#clock(), CLAIM_BATCH, claimed);
    for (const c of claimed) this.#claimed.push(c);
    if (claimed.length === 0 && this.#evict) {
      this.#evictOne();
      return;
    }
    if (claimed.length === 0) {
      throw new SessionStoreError(
        this.name,
        'store a new session',
        `the store is full: it holds maxSessions = ${this.#max} live sessions`,
        'Raise maxSessions, shorten the session timeout, or use a server-side store such as ' +
          'SqliteStore or RedisStore; no live session was dropped.',
      );
    }
  }

  /** Removes the entry closest to its expiry (the first of the earliest bucket) and claims it as ended. */
  #evictOne(): void {
    const starts = this.#starts;
    while (starts.length > 0) {
      const start = starts[0]!;
      const bucket = this.#buckets.get(start)!;
      for (const id of bucket) {
        const e = this.#entries.peek(id)!;
        this.#entries.delete(id);
        bucket.delete(id);
        this.#claimed.push({ id, payload: e.payload });
        return;
      }
      // An emptied bucket left behind by unindex: drop it and look at the next.
      this.#buckets.delete(start);
      heapPop(starts);
    }
  }

  #index(id: string, expires: number): void {
    const start = bucketOf(expires);
    let bucket = this.#buckets.get(start);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(start, bucket);
      heapPush(this.#starts, start);
    }
    bucket.add(id);
  }

  // A session touched again within the same bucket stays where it is: the common case of a
  // busy session costs no Set delete and add.
  #reindex(id: string, from: number, to: number): void {
    if (bucketOf(from) === bucketOf(to)) return;
    this.#unindex(id, from);
    this.#index(id, to);
  }

  #unindex(id: string, expires: number): void {
    // An emptied bucket stays (with its heap slot) until sweep reaches it: no heap removal needed.
    this.#buckets.get(bucketOf(expires))?.delete(id);
  }
}

function heapPush(h: number[], v: number): void {
  let i = h.push(v) - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): void {
  const last = h.pop()!;
  if (h.length === 0) return;
  let i = 0;
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && h[r]! < h[l]! ? r : l;
    if (h[c]! >= last) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
}
