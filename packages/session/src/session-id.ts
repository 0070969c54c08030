/** Session ids. */
import { randomBytes } from 'node:crypto';

const ID_BYTES = 32;
/** Random bytes fetched at once: one call into the CSPRNG per 128 ids instead of one per id (new visitors). */
const POOL_BYTES = ID_BYTES * 128;
let pool = Buffer.alloc(0);
let offset = 0;

/** A fresh session id: 32 random bytes, base64url (256 bits). */
export function newSessionId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  // Used bytes are wiped: an id never stays in the pool after it is handed out.
  pool.fill(0, offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
