/**
 * Signed session ids: the cookie value is `<id>.<HMAC-SHA256(id) base64url>`. The first secret
 * signs, every secret verifies (rotation), comparison is constant-time.
 *
 * Verifying costs an HMAC (2–4 µs), a noticeable part of a request's budget, so values verified
 * lately are remembered, and so are the values signed lately (every commit asks for one).
 * Remembering saves something only for a session that comes back while it is remembered, and
 * costs about 0.3 KB of heap an entry however long it is kept: so each cache keeps the sessions
 * of the last few thousand distinct requests (`REMEMBER` to twice that, in two generations:
 * recent-map.ts), enough for every session a process serves at once, and about 5 MB at most — not a
 * table that grows with every session a long-running process has ever seen. An id is also
 * forgotten when its session ends here.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SessionStoreConfigError } from './errors.js';
import { RecentMap } from './recent-map.js';

const ID = /^[A-Za-z0-9_-]{22,128}$/;
const MAC_LENGTH = 43; // 32 bytes, base64url, unpadded
const MAC = /^[A-Za-z0-9_-]+$/;
/** Entries per generation of each cache (see above). */
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
  /** Cookie value → its id, for the values verified lately. */
  readonly #verified = new RecentMap<string, string>(REMEMBER);
  /** id → its signed value: `cookieValue()` asks on every commit, an HMAC each time otherwise. */
  readonly #signed = new RecentMap<string, string>(REMEMBER);
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
    this.#signed.clear();
    this.#verified.clear();
  }

  #mac(key: Buffer, id: string): string {
    return createHmac('sha256', key).update(id).digest('base64url');
  }

  /**
   * The cookie value for `id`, signed with the newest secret. `presented`, the value the request
   * came with, is returned when it is that value: with one secret, a value verified lately as
   * `id`'s is the one — found by the lookup its request just made, where the lookup by id would
   * reach for memory no request touched lately, on a site with many sessions.
   */
  sign(id: string, presented?: string): string {
    if (presented !== undefined && this.#keys.length === 1 && this.#verified.get(presented) === id) return presented;
    let signed = this.#signed.get(id);
    if (signed === undefined) {
      signed = `${id}.${this.#mac(this.#keys[0]!, id)}`;
      this.#signed.set(id, signed);
    }
    return signed;
  }

  /** The id in a cookie value, or `undefined` when the value is malformed or forged. */
  verify(value: string): string | undefined {
    const known = this.#verified.get(value);
    if (known !== undefined) return known;
    if (typeof value !== 'string' || value.length > 256) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const mac = value.slice(dot + 1);
    if (mac.length !== MAC_LENGTH || !MAC.test(mac) || !ID.test(id)) return undefined;
    // Compare the text, not the decoded bytes: the last base64url character carries two
    // unused bits, so four spellings decode to one MAC; only the one we issue is accepted.
    const given = Buffer.from(mac, 'latin1');
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) {
      if (timingSafeEqual(given, Buffer.from(this.#mac(keys[i]!, id), 'latin1'))) {
        this.#verified.set(value, id);
        // Signed with the newest secret, the value is what sign(id) would make: the commit that
        // follows asks for it, and gets it without a second HMAC.
        if (i === 0) this.#signed.set(id, value);
        return id;
      }
    }
    return undefined;
  }

  /**
   * Forgets `id` and the cookie value this process signed for it (its session ended or changed
   * id) — without an HMAC: a sweep ends thousands at once. A value signed with an older secret
   * (verified only) is left to age out of the cache.
   */
  forget(id: string): void {
    const signed = this.#signed.delete(id);
    if (signed !== undefined) this.#verified.delete(signed);
  }

  /** How many signed and verified values are remembered now (at most `4 × REMEMBER`). */
  get remembered(): number {
    return this.#signed.size + this.#verified.size;
  }
}
