/** Secrets never reach the logs: invitation and reset tokens in a path, and secret-looking query values, are
 * replaced by `[redacted]` before a URL is logged. */

const REDACTED = '[redacted]';
// Paths whose next segment is a one-time secret (invitation and reset links).
const SECRET_AFTER = new Set(['invite', 'reset', 'token', 'tokens']);
// Query parameters whose value is a secret.
const SECRET_QUERY = /^(_csrf|csrf|token|access_token|refresh_token|code|secret|signature|sig|password|key|api_key|apikey|ticket)$/i;
// A long random-looking segment (base64url, 32+ characters) that is not a UUID is treated as a secret too.
const TOKEN_LIKE = /^[A-Za-z0-9_-]{32,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `url` (a path with an optional query) with its secrets replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const segments = path.split('/');
  const safePath = segments
    .map((seg, i) => (i > 0 && SECRET_AFTER.has(segments[i - 1].toLowerCase()) && seg) || (TOKEN_LIKE.test(seg) && !UUID.test(seg)) ? REDACTED : seg)
    .join('/');
  if (!query) return safePath;
  const safeQuery = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      return SECRET_QUERY.test(name) || TOKEN_LIKE.test(value) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${safePath}?${safeQuery}`;
}

/** `text` with every link in it redacted (e-mails logged instead of sent carry invitation and reset links). */
export function redactLinks(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s/]+(\/[^\s]*)?/g, (link, path: string | undefined) => (path ? link.slice(0, link.length - path.length) + redactUrl(path) : link));
}
