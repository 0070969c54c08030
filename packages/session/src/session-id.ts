/** Session ids. */
import { randomBytes } from 'node:crypto';

const ID_BYTES = 32;
/** The id's first bytes: its creation time in milliseconds, big-endian (good until the year 10889). */
const TIME_BYTES = 6;
/** Random bytes fetched at once: one call into the CSPRNG per 128 ids instead of one per id (new visitors). */
const POOL_BYTES = ID_BYTES * 128;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A fresh session id: 32 bytes as 43 base64url characters — the creation time `now` in
 * milliseconds (6 bytes), then 26 random bytes (208 bits, from `crypto.randomBytes`).
 *
 * The time comes first so that ids made close together sort close together. SQLite keeps its
 * index of ids as a B-tree: a random id lands each new session on a random page of it, which the
 * commit writes to the WAL whole (4 KB for an entry of about 50 bytes), while ids made in the same few
 * milliseconds share a page, written once for all of them. The cost is that an id tells whoever
 * holds it when its session was made; the unguessable part is the 208 random bits.
 */
export function newSessionId(now: number = Date.now()): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const ms = Math.floor(now);
  pool.writeUIntBE(ms >= 0 && ms < 2 ** (8 * TIME_BYTES) ? ms : 0, offset, TIME_BYTES);
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  // Used bytes are wiped: an id never stays in the pool after it is handed out.
  pool.fill(0, offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
