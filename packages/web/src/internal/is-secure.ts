/**
 * Whether a request came over HTTPS: the one rule the Site and the Express middleware share.
 * Internal: never re-exported.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * True on a TLS connection, or — only with `trustProxy` — when the first `X-Forwarded-Proto`
 * value is `https` (the proxy nearest the client writes the first one).
 */
export function isSecure(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as TLSSocket | null)?.encrypted === true) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  if (typeof proto !== 'string') return false;
  const comma = proto.indexOf(',');
  return (comma === -1 ? proto : proto.slice(0, comma)).trim().toLowerCase() === 'https';
}
