/** Zoom webhook verification: `x-zm-signature` = `v0=` + HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`), within a replay window. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a signed request may be. */
export const REPLAY_WINDOW_MS = 5 * 60_000;
/** How far ahead of our clock a request's timestamp may be (clock skew): a request "from the future" is refused. */
export const MAX_FUTURE_SKEW_MS = 30_000;

/** The signature Zoom would send for this timestamp and body. */
export function zoomSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** `ok`, `stale` (older than the replay window), `future` (ahead of the allowed skew) or `bad` (missing or wrong signature). */
export function verifyZoomRequest(secret: string, headers: { timestamp?: string; signature?: string }, rawBody: Buffer | undefined, now = Date.now()): 'ok' | 'bad' | 'stale' | 'future' {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !rawBody || !/^\d{1,13}$/.test(timestamp)) return 'bad';
  const expected = Buffer.from(zoomSignature(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad';
  // Zoom sends seconds; accept milliseconds too.
  const ms = timestamp.length > 11 ? Number(timestamp) : Number(timestamp) * 1000;
  if (ms - now > MAX_FUTURE_SKEW_MS) return 'future';
  return now - ms > REPLAY_WINDOW_MS ? 'stale' : 'ok';
}

/** The answer to Zoom's `endpoint.url_validation` challenge. */
export function challengeResponse(secret: string, plainToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
}
