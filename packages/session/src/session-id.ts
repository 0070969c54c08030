/** Session ids. */
import { randomBytes } from 'node:crypto';

/** A fresh session id: 32 random bytes, base64url (256 bits). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}
