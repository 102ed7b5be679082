/** An LTI session: the launch it came from, scoped to the registration's organisation, framable by its platform, and
 * (over HTTPS) carried by `SameSite=None; Secure` cookies so it works inside the LMS's iframe where cookies are allowed. */
import type { Request, RequestHandler, Response } from 'express';
import { and, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { Db } from '../db';
import { cohorts } from '../db/tables';

/** What the session keeps of the launch that signed it in. */
export type LtiSession = { launchId: string; registrationId: string; organisationId: string; frameOrigins: string[] };

declare module 'express-session' {
  interface SessionData {
    lti?: LtiSession;
  }
}

/**
 * The actor as an LTI session sees them: only roles inside the registration's organisation (and the provider's mentor
 * role, which works only through cohorts of that organisation), never the provider's administration. A platform can
 * therefore never reach another client's data, whatever account it signs in.
 */
export async function scopeActor(db: Db, actor: Actor, organisationId: string): Promise<Actor> {
  const ids = actor.cohortRoles.map((c) => c.cohortId);
  const inside = ids.length
    ? new Set((await db.select({ id: cohorts.id }).from(cohorts).where(and(inArray(cohorts.id, ids), eq(cohorts.organisationId, organisationId)))).map((c) => c.id))
    : new Set<string>();
  return {
    ...actor,
    isAdmin: false,
    orgRoles: actor.orgRoles.filter((m) => m.organisationId === organisationId || (m.kind === 'provider' && m.role === 'mentor')),
    cohortRoles: actor.cohortRoles.filter((c) => inside.has(c.cohortId)),
  };
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
