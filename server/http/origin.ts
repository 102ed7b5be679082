/** The same-origin rule for socket handshakes: a browser page on another site may not open a socket with our cookie. */
import type { IncomingMessage } from 'node:http';

/**
 * True when the handshake carries no Origin (not a browser, or a same-origin polling request) or its Origin is this
 * app's: PUBLIC_URL's origin, or the host the request was addressed to (which a page elsewhere cannot change).
 */
export function socketOriginAllowed(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let given: URL;
  try {
    given = new URL(origin);
  } catch {
    return false;
  }
  if (given.origin === new URL(publicUrl).origin) return true;
  return (given.protocol === 'http:' || given.protocol === 'https:') && given.host === req.headers.host;
}
