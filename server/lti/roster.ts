/** Roster (NRPS 2.0): reads the course's members from the membership address a launch gave and brings the learners
 * into the linked cohort — people Cadre knows join, new people are invited, and candidates no longer in the course
 * are listed for a mentor's or lead's decision. Nobody is removed by the sync itself. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { rolesChanged } from '../auth/authority';
import type { AppContext } from '../context';
import { cohortMembers, ltiContexts, ltiIdentities, ltiRegistrations, ltiRosterSyncs, memberships, users, type RosterSummary } from '../db/tables';
import { audit } from '../audit';
import { findUserByEmail, inviteUser } from '../accounts/commands';
import { ConflictError } from '../errors';
import { MEDIA, readRoles, SCOPE } from './claims';
import { joinCohort, launchName } from './people';
import { PlatformError, type PlatformServices } from './services';

const member = z.object({
  user_id: z.string().min(1).max(255),
  status: z.string().optional(),
  name: z.string().max(300).optional(),
  given_name: z.string().max(200).optional(),
  family_name: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  roles: z.array(z.string()).default([]),
});
const container = z.object({ members: z.array(z.unknown()).default([]) });

/** One course member as NRPS gives them. */
export type RosterMember = z.output<typeof member>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return null;
}

/** Every member of the course, following `Link: rel="next"` pages (at most 50). */
export async function fetchMembers(services: PlatformServices, reg: typeof ltiRegistrations.$inferSelect, url: string): Promise<RosterMember[]> {
  const out: RosterMember[] = [];
  let next: string | null = url;
  for (let page = 0; next && page < 50; page++) {
    const { text, headers } = await services.call(reg, [SCOPE.memberships], next, { accept: MEDIA.memberships });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PlatformError('The platform’s membership answer is not JSON.', 502, text);
    }
    for (const m of container.catch({ members: [] }).parse(parsed).members) {
      const one = member.safeParse(m);
      if (one.success) out.push(one.data);
    }
    next = nextLink(headers.get('link'));
  }
  return out;
}

/** Syncs the course roster into the link's cohort and records the outcome (the sync is a mentor's or lead's action). */
export async function syncRoster(ctx: AppContext, services: PlatformServices, actor: Actor, link: { id: string; cohortId: string | null; contextRowId: string | null; registrationId: string }): Promise<RosterSummary> {
  if (!link.cohortId) throw new ConflictError('This course link is not connected to a cohort yet.');
  const cohortId = link.cohortId;
  const [ctxRow] = link.contextRowId ? await ctx.db.select().from(ltiContexts).where(eq(ltiContexts.id, link.contextRowId)) : [];
  if (!ctxRow?.membershipsUrl) throw new ConflictError('The LMS has not offered its roster for this course (no Names and Role Provisioning address in its launches). Turn the service on for the tool in the LMS, then launch Cadre once from the course.');
  const [reg] = await ctx.db.select().from(ltiRegistrations).where(eq(ltiRegistrations.id, link.registrationId));
  const members = await fetchMembers(services, reg, ctxRow.membershipsUrl);
  const active = members.filter((m) => (m.status ?? 'Active') === 'Active');
  const learners = active.filter((m) => readRoles(m.roles).learner);
  const summary: RosterSummary = { joined: [], invited: [], noEmail: [], missing: [], staff: active.length - learners.length };
  const known = new Map(
    (learners.length ? await ctx.db.select().from(ltiIdentities).where(and(eq(ltiIdentities.registrationId, reg.id), inArray(ltiIdentities.sub, learners.map((l) => l.user_id)))) : []).map((i) => [i.sub, i.userId]),
  );
  const inCohort = new Set((await ctx.db.select({ userId: cohortMembers.userId }).from(cohortMembers).where(and(eq(cohortMembers.cohortId, cohortId), eq(cohortMembers.role, 'candidate')))).map((r) => r.userId));
  const changed = new Set<string>();
  for (const m of learners) {
    const name = launchName(m);
    let userId = known.get(m.user_id);
    const email = m.email && EMAIL.test(m.email) ? m.email.toLowerCase() : undefined;
    if (!userId && email) {
      const existing = await findUserByEmail(ctx.db, email);
      const ours = existing && (await ctx.db.select({ organisationId: memberships.organisationId }).from(memberships).where(eq(memberships.userId, existing.id))).every((r) => r.organisationId === reg.organisationId);
      if (existing && ours && existing.status === 'active' && reg.learnersJoin && reg.trustEmail) {
        userId = existing.id;
        await ctx.db.insert(ltiIdentities).values({ registrationId: reg.id, sub: m.user_id, userId, linkedBy: 'roster' }).onConflictDoNothing();
      } else {
        // New to Cadre (or an account that must say yes itself): an invitation, as an admin or lead would send.
        await inviteUser(ctx, actor.id, { email, name, organisationId: reg.organisationId, role: 'candidate', cohortId });
        const invitee = await findUserByEmail(ctx.db, email);
        if (invitee && (!existing || ours)) await ctx.db.insert(ltiIdentities).values({ registrationId: reg.id, sub: m.user_id, userId: invitee.id, linkedBy: 'roster' }).onConflictDoNothing();
        summary.invited.push({ userId: invitee?.id ?? '', name });
        continue;
      }
    }
    if (!userId) {
      summary.noEmail.push({ name });
      continue;
    }
    if (inCohort.has(userId)) continue;
    const [person] = await ctx.db.select({ status: users.status }).from(users).where(eq(users.id, userId));
    if (person?.status !== 'active' || !reg.learnersJoin) {
      summary.invited.push({ userId, name });
      continue;
    }
    await ctx.db.transaction(async (tx) => {
      await tx.insert(memberships).values({ userId: userId as string, organisationId: reg.organisationId, role: 'candidate' }).onConflictDoNothing();
      await joinCohort(tx, cohortId, userId as string);
    });
    changed.add(userId);
    summary.joined.push({ userId, name });
  }
  // Candidates this platform knows who are no longer active learners of the course: listed, never removed here.
  const present = new Set(learners.map((l) => l.user_id));
  const ours = inCohort.size ? await ctx.db.select({ userId: ltiIdentities.userId, sub: ltiIdentities.sub, name: users.name }).from(ltiIdentities).innerJoin(users, eq(users.id, ltiIdentities.userId)).where(and(eq(ltiIdentities.registrationId, reg.id), inArray(ltiIdentities.userId, [...inCohort]))) : [];
  summary.missing = ours.filter((o) => !present.has(o.sub)).map((o) => ({ userId: o.userId, name: o.name }));
  await ctx.db.transaction(async (tx) => {
    await tx.insert(ltiRosterSyncs).values({ resourceLinkRowId: link.id, cohortId, syncedBy: actor.id, summary });
    await audit(tx, { actorId: actor.id, action: 'lti.roster_synced', subjectType: 'cohort', subjectId: cohortId, after: { joined: summary.joined.length, invited: summary.invited.length, missing: summary.missing.length } });
  });
  for (const id of changed) rolesChanged(ctx, id);
  return summary;
}

/** The latest sync of a link, or null. */
export async function latestSync(ctx: AppContext, linkId: string) {
  const [row] = await ctx.db.select().from(ltiRosterSyncs).where(eq(ltiRosterSyncs.resourceLinkRowId, linkId)).orderBy(desc(ltiRosterSyncs.createdAt)).limit(1);
  return row ?? null;
}
