/** The launch flow after verification: record where the launch points, resolve the person, and hand out a one-time
 * entry token (its SHA-256 stored) that the tab exchanges for a first-party session — no third-party cookie needed. */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { AppContext } from '../context';
import { ltiLaunches, ltiLoginStates, ltiRegistrations, type LaunchRecord } from '../db/tables';
import { CLAIM } from './claims';
import { recordPlacement } from './links';
import { launchName, resolvePerson } from './people';
import { platformOrigins } from './registrations';
import { digest, LtiRefusal, verifyLaunch, type PlatformKeys } from './verify';

/** How long the entry token of a launch (or of a connect step) works. */
export const ENTRY_TOKEN_MS = 5 * 60_000;

function origin(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}

/** A launch ready to enter: its id, the one-time token, who it is, and whether they must connect an account first. */
export type AcceptedLaunch = { launchId: string; token: string; name: string; needsConnect: boolean; connectReason?: string; frameOrigins: string[]; registrationId: string; cohortId: string | null; learner: boolean };

/** Verifies a launch POST and prepares its entry (throws LtiRefusal with the reason). */
export async function acceptLaunch(ctx: AppContext, keys: PlatformKeys, body: { id_token?: unknown; state?: unknown }): Promise<AcceptedLaunch> {
  const { registration: reg, deploymentId, claims } = await verifyLaunch(ctx.db, keys, { idToken: body.id_token, state: body.state });
  const settings = claims[CLAIM.deepLinkingSettings];
  if (settings && !settings.accept_types.includes('ltiResourceLink')) {
    throw new LtiRefusal('The LMS asked for content Cadre cannot give: it does not accept LTI resource links in this place.', 'deep_link_types', 400);
  }
  const { link, contextRowId } = await recordPlacement(ctx, reg, deploymentId, claims);
  const name = launchName(claims);
  const person = await resolvePerson(ctx, reg, { sub: claims.sub, name, email: claims.email, emailVerified: claims.email_verified, roles: claims[CLAIM.roles] }, link?.cohortId ?? null);
  const returnUrl = claims[CLAIM.launchPresentation]?.return_url;
  const frameOrigins = [...new Set([...platformOrigins(reg), ...origin(returnUrl), ...origin(settings?.deep_link_return_url)])];
  const record: LaunchRecord = {
    messageType: claims[CLAIM.messageType],
    roles: claims[CLAIM.roles],
    name,
    email: claims.email,
    frameOrigins,
    returnUrl,
    deepLink: settings ? { returnUrl: settings.deep_link_return_url, data: settings.data, acceptTypes: settings.accept_types, acceptLineItem: settings.accept_lineitem !== false } : undefined,
  };
  const token = randomBytes(32).toString('base64url');
  const [launch] = await ctx.db
    .insert(ltiLaunches)
    .values({ registrationId: reg.id, deploymentId, sub: claims.sub, userId: person.userId, resourceLinkRowId: link?.id ?? null, contextRowId, record, entryTokenHash: digest(token), entryExpiresAt: new Date(Date.now() + ENTRY_TOKEN_MS) })
    .returning({ id: ltiLaunches.id });
  return { launchId: launch.id, token, name, needsConnect: !person.userId, connectReason: person.connectReason, frameOrigins, registrationId: reg.id, cohortId: link?.cohortId ?? null, learner: person.facts.learner };
}

/** Uses up an entry token: the launch with its registration, or a refusal when it is unknown, used or expired. */
export async function useEntryToken(ctx: AppContext, token: unknown) {
  if (typeof token !== 'string' || token.length < 20 || token.length > 200) throw new LtiRefusal('This sign-in link is incomplete. Launch Cadre again from your course.', 'no_entry_token');
  const [launch] = await ctx.db
    .update(ltiLaunches)
    .set({ enteredAt: new Date() })
    .where(and(eq(ltiLaunches.entryTokenHash, digest(token)), isNull(ltiLaunches.enteredAt), gt(ltiLaunches.entryExpiresAt, new Date())))
    .returning();
  if (!launch) throw new LtiRefusal('This sign-in link has been used already or has expired (it works once, for five minutes). Launch Cadre again from your course.', 'entry_used', 400);
  const [reg] = await ctx.db.select().from(ltiRegistrations).where(eq(ltiRegistrations.id, launch.registrationId));
  return { launch, reg };
}

/** Gives a launch that needs an account connected a fresh one-time token for the connect step (in a new window). */
export async function connectToken(ctx: AppContext, launchId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await ctx.db.update(ltiLaunches).set({ entryTokenHash: digest(token), entryExpiresAt: new Date(Date.now() + 3 * ENTRY_TOKEN_MS), enteredAt: null }).where(eq(ltiLaunches.id, launchId));
  return token;
}

/** Deletes login states and launches older than a day (a launch's session lives at most twelve hours). */
export async function pruneLaunches(ctx: AppContext): Promise<void> {
  const dayAgo = new Date(Date.now() - 24 * 3600_000);
  await ctx.db.delete(ltiLoginStates).where(lt(ltiLoginStates.expiresAt, dayAgo));
  await ctx.db.delete(ltiLaunches).where(lt(ltiLaunches.createdAt, new Date(Date.now() - 2 * 24 * 3600_000)));
}

/** One launch by id (the session's own). */
export async function getLaunch(ctx: AppContext, launchId: string) {
  const [launch] = await ctx.db.select().from(ltiLaunches).where(eq(ltiLaunches.id, launchId));
  return launch ?? null;
}
