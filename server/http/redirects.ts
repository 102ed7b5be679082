/** The one rule for `next` / `back` values: resolved as URLs and kept only when they stay on this site. */
import { z } from 'zod';

// Any origin will do: a value is kept only when resolving it against this base leaves the origin unchanged.
const BASE = 'http://cadre.local';

/** Control characters and backslashes have no place in a path we would send someone to. */
function hasControlOrBackslash(s: string): boolean {
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f || ch === '\\') return true;
  }
  return false;
}

/** A same-origin path (`/a/b?c#d`) for `value`, or `fallback` when it would leave the site, is not text, or is
 * outside `within` (a path prefix). Repeated parameters (arrays) use their first value. */
export function sameOriginPath(value: unknown, fallback: string, within?: string): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > 2000 || hasControlOrBackslash(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (within && !(url.pathname === within.replace(/\/$/, '') || url.pathname.startsWith(within.endsWith('/') ? within : `${within}/`))) return fallback;
  return path;
}

/** A schema field for a `next` / `back` value: any text in, a same-origin path (or the fallback) out. */
export function redirectField(fallback: string) {
  return z.unknown().optional().transform((v) => sameOriginPath(v, fallback));
}
