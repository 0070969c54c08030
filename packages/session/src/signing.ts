/**
 * Signed session ids: the cookie value is `<id>.<HMAC-SHA256(id) base64url>`. The first secret
 * signs, every secret verifies (rotation), comparison is constant-time.
 *
 * Verifying costs an HMAC (2–4 µs), a noticeable part of a request's budget, so the values signed
 * or verified lately are remembered (value → id): a new session's second request, and every
 * request of a session seen lately, verifies without one, and its commit gets the value back
 * from `sign(id, presented)` without one either. Remembering saves something only for a session
 * that comes back while it is remembered, and costs about 0.3 KB of heap an entry however long
 * it is kept: so the cache keeps the sessions of the last few thousand distinct requests
 * (`REMEMBER` to twice that, in two generations: recent-map.ts), enough for every session a
 * process serves at once — not a table that grows with every session a long-running process has
 * ever seen. An ended session's value ages out like any other: it is still a value this signer
 * made, and its id is then found in no store.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SessionStoreConfigError } from './errors.js';
import { RecentMap } from './recent-map.js';

const ID = /^[A-Za-z0-9_-]{22,128}$/;
const MAC_LENGTH = 43; // 32 bytes, base64url, unpadded
const MAC = /^[A-Za-z0-9_-]+$/;
/** Entries per generation of the cache (see above). */
const REMEMBER = 4096;
/** The shortest secret accepted, in bytes (UTF-8 for a string): as long as the HMAC-SHA256 key it becomes. */
export const MIN_SECRET_BYTES = 32;

/**
 * Refuses an empty or short secret with one line that says how to make a good one.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`).
 */
export function checkSecret(secret: unknown, where: string, otherwise = 'Use a longer one'): void {
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : Buffer.isBuffer(secret) ? secret.length : -1;
  if (bytes >= MIN_SECRET_BYTES) return;
  throw new SessionStoreConfigError(
    'Sessions',
    bytes < 0
      ? `${where} is ${typeof secret}, not a string or Buffer`
      : `${where} is ${bytes === 0 ? 'empty' : `${bytes} bytes long`}; a secret must be at least ${MIN_SECRET_BYTES} bytes`,
    bytes < 0
      ? `Pass a string of at least ${MIN_SECRET_BYTES} bytes (when it is read from an environment variable, check that the variable is set): make one with \`openssl rand -base64 32\`.`
      : `${otherwise}: make one with \`openssl rand -base64 32\`.`,
  );
}

/** Signs and verifies session ids. */
export class IdSigner {
  #keys: Buffer[];
  /** Cookie value → its id, for the values signed lately, or verified lately with the newest secret: what `sign()` makes. */
  readonly #current = new RecentMap<string, string>(REMEMBER);
  /** The same for the values verified lately with an older secret (empty unless secrets rotate): a commit signs their ids anew. */
  readonly #older = new RecentMap<string, string>(REMEMBER);
  /** True when no secret was configured and a random one is used (ids die with the process). */
  get ephemeral(): boolean {
    return this.#ephemeral;
  }
  #ephemeral: boolean;

  constructor(secrets: readonly (string | Buffer)[] | undefined) {
    if (secrets !== undefined && (!Array.isArray(secrets) || secrets.length === 0)) {
      throw new SessionStoreConfigError('Sessions', 'option secrets is not a non-empty array', 'Pass secrets as an array of strings or Buffers, newest first.');
    }
    secrets?.forEach((s, i) => checkSecret(s, `secrets[${i}]`));
    this.#ephemeral = secrets === undefined;
    this.#keys = (secrets ?? [randomBytes(32)]).map((s) => (Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8')));
  }

  /**
   * Replaces the random per-process key with the secret kept by the store (only while no
   * secrets were configured: configured ones always win).
   *
   * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) for an empty or short secret.
   */
  adopt(secret: string, where: string): void {
    if (!this.#ephemeral) return;
    checkSecret(secret, where);
    this.#keys = [Buffer.from(secret, 'utf8')];
    this.#ephemeral = false;
    this.#current.clear();
    this.#older.clear();
  }

  #mac(key: Buffer, id: string): string {
    return createHmac('sha256', key).update(id).digest('base64url');
  }

  /**
   * The cookie value for `id`, signed with the newest secret. `presented`, the value the request
   * came with, is returned when it is that value — found by the lookup its request just made,
   * without an HMAC. The value made is remembered: the session's next request verifies it
   * without an HMAC, and gets back this very `id` string (a live MemoryStore session keeps no
   * second copy of its id).
   */
  sign(id: string, presented?: string): string {
    if (presented !== undefined && this.#current.get(presented) === id) return presented;
    const signed = `${id}.${this.#mac(this.#keys[0]!, id)}`;
    this.#current.set(signed, id);
    return signed;
  }

  /** The id in a cookie value, or `undefined` when the value is malformed or forged. */
  verify(value: string): string | undefined {
    const known = this.#current.get(value) ?? this.#older.get(value);
    if (known !== undefined) return known;
    if (typeof value !== 'string' || value.length > 256) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const mac = value.slice(dot + 1);
    if (mac.length !== MAC_LENGTH || !MAC.test(mac) || !ID.test(id)) return undefined;
    // Compare the text, not the decoded bytes: the last base64url character carries two
    // unused bits, so four spellings decode to one MAC; only the one we issue is accepted.
    // The same bytes give the copies remembered below: a cookie value is a slice of its
    // request's Cookie header, and would keep all of it alive.
    const own = Buffer.from(value, 'latin1');
    const given = own.subarray(dot + 1);
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) {
      if (timingSafeEqual(given, Buffer.from(this.#mac(keys[i]!, id), 'latin1'))) {
        // What is remembered, and the id a live session keeps, are strings of their own.
        const ownId = own.toString('latin1', 0, dot);
        (i === 0 ? this.#current : this.#older).set(own.toString('latin1'), ownId);
        return ownId;
      }
    }
    return undefined;
  }

  /** How many cookie values are remembered now (at most `4 × REMEMBER`; `2 × REMEMBER` while one secret signs and verifies). */
  get remembered(): number {
    return this.#current.size + this.#older.size;
  }
}
