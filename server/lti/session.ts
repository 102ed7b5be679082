/** An LTI session: the launch it came from, scoped to the registration's organisation, framable by its platform, and
 * (over HTTPS) carried by `SameSite=None; Secure` cookies so it works inside the LMS's iframe where cookies are allowed. */
import type { Request, RequestHandler, Response } from 'express';

/** What the session keeps of the launch that signed it in. */
export type LtiSession = { launchId: string; registrationId: string; organisationId: string; frameOrigins: string[] };

/** The organisation an LTI session's actor is confined to (see `confineActor`); undefined for any other session. */
export const ltiConfinement = (session: { lti?: LtiSession } | undefined): string | undefined => session?.lti?.organisationId;

declare module 'express-session' {
  interface SessionData {
    lti?: LtiSession;
  }
}

/** Lets the given origins frame this response (CSP frame-ancestors; X-Frame-Options removed) and, optionally, lets its
 * forms post to `formTargets` (a deep-linking response goes back to the platform). */
export function allowFraming(res: Response, origins: string[], formTargets: string[] = []): void {
  const safe = (list: string[]) => list.filter((o) => /^https?:\/\/[^\s;,'"]+$/.test(o));
  const ancestors = safe(origins);
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') {
    let next = csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors.length ? ancestors.join(' ') : "'none'"}`);
    if (formTargets.length) next = next.replace(/form-action ([^;]*)/, (_m, list: string) => `form-action ${list} ${safe(formTargets).join(' ')}`);
    res.setHeader('Content-Security-Policy', next);
  }
  res.removeHeader('X-Frame-Options');
}

/** True when the request reached Cadre over HTTPS (directly or through a trusted proxy). */
export function overHttps(req: Request): boolean {
  return req.secure;
}

/**
 * For requests of an LTI session: frame-ancestors are the session's platform origins, and cookies Cadre sets (the
 * session's and the CSRF one) are `SameSite=None; Secure` over HTTPS, so the LMS's iframe keeps sending them.
 */
export const ltiSessionFraming: RequestHandler = (req, res, next) => {
  const lti = req.session?.lti;
  if (!lti || !req.user) return next();
  allowFraming(res, lti.frameOrigins);
  if (overHttps(req)) {
    const set = res.cookie.bind(res);
    res.cookie = ((name: string, value: unknown, options: Record<string, unknown> = {}) => set(name, value as string, { ...options, sameSite: 'none', secure: true })) as typeof res.cookie;
  }
  next();
};
