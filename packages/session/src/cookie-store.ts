/**
 * `CookieStore`: the whole session in an encrypted, authenticated cookie.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { implementer } from '@dovetail/interfaces';
import { ISessionDataContainer } from './contracts.js';
import { SessionDataError, SessionStoreConfigError } from './errors.js';
import { LeaseTable, commitWithLeases, listPage } from './leases.js';
import type { Acquired, ClientSideStore, ExpiredEntry, ListPage, StoredEntry } from './store.js';

/** Options of {@link CookieStore}. */
export interface CookieStoreOptions {
  /**
   * Secrets the encryption keys are derived from, newest first, each at least 32 bytes (a string
   * counts its UTF-8 bytes). The first seals; every one opens, so a rotated-out secret keeps
   * its cookies readable while it stays in the list.
   */
  readonly secrets: readonly (string | Uint8Array)[];
  /**
   * The largest cookie value `seal` may produce, in bytes. Browsers cap a cookie (name, value and
   * attributes) near 4096 bytes: leave room for the name and attributes.
   * @default 4096
   */
  readonly maxCookieBytes?: number;
  /**
   * How many recent commits this process remembers (its view; see the class comment). The
   * oldest-written is forgotten first.
   * @default 10000
   */
  readonly maxEntries?: number;
  /** The clock `set` uses to tell whether a remembered entry has expired. @default Date.now */
  readonly clock?: () => number;
}

/** Format of a sealed value: `[format][key id][12-byte IV][ciphertext][16-byte GCM tag]`, base64url. */
const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 2;
const OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;
const MIN_SECRET_BYTES = 32;
const HKDF_INFO = 'dovetail cookie store';

interface Key {
  readonly id: number;
  readonly key: Buffer;
}

interface ViewEntry {
  readonly payload: string;
  readonly version: number;
  readonly expires: number;
}

function deriveKey(secret: string | Uint8Array, index: number): Key {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new SessionStoreConfigError(
      'CookieStore',
      `secrets[${index}] is ${bytes.length} bytes long; at least ${MIN_SECRET_BYTES} are needed`,
      "Use a long random secret, e.g. crypto.randomBytes(32).toString('base64url').",
    );
  }
  const key = Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), HKDF_INFO, 32));
  // A one-byte key id (derived from the key, so it does not shift when secrets rotate) picks the
  // key to try first; a collision only costs one more decryption attempt.
  const id = createHmac('sha256', key).update('key id').digest()[0]!;
  return { id, key };
}

/** Length of the base64url (unpadded) text of `n` bytes. */
const base64urlLength = (n: number): number => Math.ceil((n * 4) / 3);

/**
 * Keeps the whole session in the client's cookie, sealed with AES-256-GCM (a key derived per
 * secret with HKDF-SHA256, a random 12-byte IV, base64url): nothing is stored on the server, so a
 * restart or another process reads the session from the cookie alone.
 *
 * `get`/`set`/`touch`/`delete`/`sweep` work on this process's bounded view of recent commits:
 * within one process, concurrent requests that carry an older cookie see the newer commit
 * (`open` returns the newer entry) and a stale compare-and-set is refused, so they do not lose
 * each other's updates; a deleted session's old cookie no longer opens here.
 *
 * What it cannot guarantee, by design of client-side sessions:
 * - across processes, or after this process forgot an id (`maxEntries`), a request carrying an
 *   older cookie can overwrite a newer commit (last writer wins), and a cookie of a deleted or
 *   expired-then-swept session opens again until its own `expires` passes (the client may replay
 *   any cookie it once got until then: keep `timeout` short, and keep no server-side truth, such
 *   as a balance, in it);
 * - `sweep` reports only the sessions this process committed and remembers; other sessions just
 *   stop opening when they expire, without an `ISessionExpired`.
 *
 * @example
 * ```ts
 * const store = new CookieStore({ secrets: [process.env.COOKIE_SECRET!, process.env.OLD_COOKIE_SECRET!] });
 * const sessions = new Sessions({ store });
 * ```
 */
@implementer(ISessionDataContainer)
export class CookieStore implements ClientSideStore {
  readonly name = 'cookie';
  readonly inProcess = false;
  readonly clientSide = true as const;
  readonly #keys: readonly Key[];
  readonly #maxCookieBytes: number;
  readonly #maxEntries: number;
  readonly #clock: () => number;
  /** Recent commits, in write order (re-inserted on every write). */
  readonly #view = new Map<string, ViewEntry>();
  /** Ids deleted in this process, in deletion order; bounded like the view. */
  readonly #deleted = new Set<string>();
  readonly #leases: LeaseTable;

  /**
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when `secrets` is empty or one is
   *   shorter than 32 bytes, or a size option is not a positive integer.
   */
  constructor(options: CookieStoreOptions) {
    const secrets = (options as Partial<CookieStoreOptions> | undefined)?.secrets;
    if (!Array.isArray(secrets) || secrets.length === 0) {
      throw new SessionStoreConfigError(
        'CookieStore',
        'no secrets were given',
        'Pass { secrets: [newest, ...older] }, each at least 32 random bytes.',
      );
    }
    this.#keys = (secrets as readonly (string | Uint8Array)[]).map(deriveKey);
    this.#clock = options.clock ?? Date.now;
    this.#leases = new LeaseTable(this.#clock);
    const maxCookieBytes = options.maxCookieBytes ?? 4096;
    const maxEntries = options.maxEntries ?? 10_000;
    for (const [name, v, min] of [
      ['maxCookieBytes', maxCookieBytes, base64urlLength(OVERHEAD + 2)],
      ['maxEntries', maxEntries, 1],
    ] as const) {
      if (!Number.isInteger(v) || v < min) {
        throw new SessionStoreConfigError('CookieStore', `${name} must be an integer >= ${min}, but was ${v}`, `Leave ${name} out for the default.`);
      }
    }
    this.#maxCookieBytes = maxCookieBytes;
    this.#maxEntries = maxEntries;
  }

  /**
   * Seals a session into a cookie value with the newest secret.
   *
   * @throws SessionDataError (`DT_SESSION_DATA`) when the value would be longer than
   *   `maxCookieBytes`; nothing is written then.
   * @example
   * ```ts
   * res.setHeader('Set-Cookie', `sid=${store.seal(id, payload, 1, Date.now() + 900_000)}; HttpOnly`);
   * ```
   */
  seal(id: string, payload: string, version: number, expires: number): string {
    const plain = Buffer.from(JSON.stringify([id, version, expires, payload]), 'utf8');
    const size = base64urlLength(OVERHEAD + plain.length);
    if (size > this.#maxCookieBytes) {
      throw new SessionDataError(
        '',
        `the sealed session cookie would be ${size} bytes, over maxCookieBytes (${this.#maxCookieBytes}); ` +
          `browsers drop cookies that large`,
        'Keep less data in the session, or use a server-side store such as SqliteStore or RedisStore.',
      );
    }
    const { id: keyId, key } = this.#keys[0]!;
    const header = Buffer.from([FORMAT, keyId]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([header, iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Verifies and decrypts a cookie value; `undefined` for anything forged, truncated, sealed with
   * an unknown secret, expired at `now`, or deleted in this process. Never throws. When this
   * process has committed a newer version of the same session, that version is returned.
   *
   * @example
   * ```ts
   * const entry = store.open(cookies.sid ?? '', Date.now()); // { id, payload, version, expires } | undefined
   * ```
   */
  open(cookieValue: string, now: number): (StoredEntry & {
    /** The session id the cookie carries. */
    readonly id: string;
  }) | undefined {
    try {
      if (typeof cookieValue !== 'string' || cookieValue.length > this.#maxCookieBytes) return undefined;
      const raw = Buffer.from(cookieValue, 'base64url');
      if (raw.length < OVERHEAD + 2 || raw[0] !== FORMAT) return undefined;
      const plain = this.#decrypt(raw);
      if (plain === undefined) return undefined;
      const parsed: unknown = JSON.parse(plain);
      if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
      const [id, version, expires, payload] = parsed as unknown[];
      if (typeof id !== 'string' || typeof payload !== 'string' || typeof version !== 'number' || typeof expires !== 'number') {
        return undefined;
      }
      if (expires <= now || this.#deleted.has(id)) return undefined;
      const newer = this.#view.get(id);
      if (newer !== undefined && newer.version > version) {
        return newer.expires > now ? { id, payload: newer.payload, version: newer.version, expires: newer.expires } : undefined;
      }
      return { id, payload, version, expires };
    } catch {
      return undefined;
    }
  }

  /** This process's latest commit of `id`, when it remembers one that is live at `now`. */
  get(id: string, now: number): StoredEntry | undefined {
    const e = this.#view.get(id);
    return e !== undefined && e.expires > now ? e : undefined;
  }

  /**
   * Records a commit in this process's view (the cookie itself comes from `seal`). Refused
   * (`undefined`) when this process knows a different current version, or deleted the session.
   * An id it does not remember is accepted at `expectedVersion + 1`: the cookie is the truth.
   */
  set(id: string, payload: string, expires: number, expectedVersion: number): number | undefined {
    const cur = this.#view.get(id);
    if (expectedVersion === 0) {
      if (cur !== undefined && cur.expires > this.#clock()) return undefined;
      this.#deleted.delete(id);
    } else if (this.#deleted.has(id) || (cur !== undefined && cur.version !== expectedVersion)) {
      return undefined;
    }
    const version = expectedVersion + 1;
    this.#remember(id, { payload, version, expires });
    return version;
  }

  /** Lock-and-load on this process's view (see {@link SessionStore.acquire}): `absent` for a session it does not remember. */
  acquire(id: string, owner: string, leaseMs: number, now: number): Acquired {
    return this.#leases.acquire(this.get(id, now), id, owner, leaseMs);
  }

  /** Write-and-release on this process's view; see {@link SessionStore.commit}. */
  commit(id: string, owner: string, payload: string, expires: number, expectedVersion: number, keepMs?: number): number | undefined {
    return commitWithLeases(this, this.#leases, id, owner, payload, expires, expectedVersion, keepMs);
  }

  /** Releases `owner`'s lease, moving the remembered expiry when `expires` is given. */
  release(id: string, owner: string, expires?: number): void {
    this.#leases.release(id, owner);
    if (expires !== undefined) this.touch(id, expires);
  }

  /** See {@link SessionStore.renew}, on this process's view. */
  renew(ids: readonly string[], owner: string, leaseMs: number): string[] {
    return this.#leases.renew(ids, owner, leaseMs, (id) => this.#view.has(id));
  }

  /** See {@link SessionStore.wanted}. */
  wanted(owner: string): string[] {
    return this.#leases.wanted(owner);
  }

  /** How many commits this process remembers (the sessions themselves live in cookies). */
  count(): number {
    return this.#view.size;
  }

  /** One page of the commits this process remembers, oldest-written first. */
  list(cursor: string | undefined, limit: number): ListPage {
    return listPage(this.#view, cursor, limit);
  }

  /** Moves the expiry of a remembered commit; the cookie carries its own (from `seal`). */
  touch(id: string, expires: number): void {
    const cur = this.#view.get(id);
    if (cur !== undefined) this.#remember(id, { payload: cur.payload, version: cur.version, expires });
  }

  /** Forgets `id` and refuses its cookies in this process from now on; true when it was remembered. */
  delete(id: string, owner?: string): boolean {
    this.#leases.deleted(id, owner);
    const had = this.#view.delete(id);
    this.#deleted.delete(id);
    this.#deleted.add(id);
    if (this.#deleted.size > this.#maxEntries) this.#deleted.delete(this.#deleted.values().next().value!);
    return had;
  }

  /**
   * Removes and returns the remembered commits expired at `now` (up to `limit`). Only this
   * process's view: see the class comment. Scans the view, which `maxEntries` bounds.
   */
  sweep(now: number, limit: number): ExpiredEntry[] {
    const out: ExpiredEntry[] = [];
    for (const [id, e] of this.#view) {
      if (out.length >= limit) break;
      if (e.expires <= now) {
        this.#view.delete(id);
        out.push({ id, payload: e.payload });
      }
    }
    return out;
  }

  /** Forgets the view. Idempotent. */
  close(): void {
    this.#view.clear();
    this.#deleted.clear();
    this.#leases.clear();
  }

  #remember(id: string, e: ViewEntry): void {
    this.#view.delete(id);
    this.#view.set(id, e);
    if (this.#view.size > this.#maxEntries) this.#view.delete(this.#view.keys().next().value!);
  }

  #decrypt(raw: Buffer): string | undefined {
    const header = raw.subarray(0, HEADER_BYTES);
    const iv = raw.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
    const body = raw.subarray(HEADER_BYTES + IV_BYTES, raw.length - TAG_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    // Keys whose id matches first, then (an id collision is possible) none of the others: the id
    // is authenticated as AAD, so a key with another id cannot have sealed this value.
    for (const k of this.#keys) {
      if (k.id !== raw[1]) continue;
      try {
        const d = createDecipheriv('aes-256-gcm', k.key, iv);
        d.setAAD(header);
        d.setAuthTag(tag);
        return Buffer.concat([d.update(body), d.final()]).toString('utf8');
      } catch {
        // wrong key (same one-byte id) or forged: try the next candidate
      }
    }
    return undefined;
  }
}
