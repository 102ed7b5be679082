/** People from a launch: (registration, sub) → a Cadre account, and LTI roles → Cadre roles, never more than the
 * registration allows and never outside its organisation. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { cohortMembers, cohorts, ltiIdentities, ltiRegistrations, memberships, users, type Role } from '../db/tables';
import { audit } from '../audit';
import { rolesChanged } from '../auth/authority';
import { readRoles, type RoleFacts } from './claims';
import { digest, LtiRefusal } from './verify';

type Registration = typeof ltiRegistrations.$inferSelect;

/** Who launched, as the platform describes them. */
export type LaunchPerson = { sub: string; name: string; email?: string; emailVerified?: boolean; roles: string[] };

/** The account a launch resolved to (null: they must sign in once to connect it), and what their roles say. */
export type PersonOutcome = { userId: string | null; facts: RoleFacts; connectReason?: 'staff-account' | 'not-known' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The display name a launch gives (name, else given + family name, else a neutral label). */
export function launchName(claims: { name?: string; given_name?: string; family_name?: string }): string {
  const joined = [claims.given_name, claims.family_name].filter(Boolean).join(' ').trim();
  return (claims.name?.trim() || joined || 'Course participant').slice(0, 200);
}

/** True when every role the account holds is inside `organisationId` (so the platform may vouch for it). */
async function confinedTo(tx: Db, userId: string, organisationId: string): Promise<boolean> {
  const [outside] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), sql`${memberships.organisationId} <> ${organisationId}`));
  const [elsewhere] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(cohortMembers)
    .innerJoin(cohorts, eq(cohorts.id, cohortMembers.cohortId))
    .where(and(eq(cohortMembers.userId, userId), sql`${cohorts.organisationId} <> ${organisationId}`));
  return outside.n === 0 && elsewhere.n === 0;
}

async function grantOrgRole(tx: Db, userId: string, organisationId: string, role: Role): Promise<boolean> {
  const added = await tx.insert(memberships).values({ userId, organisationId, role }).onConflictDoNothing().returning();
  if (added.length) await audit(tx, { actorId: null, action: 'lti.role_granted', subjectType: 'user', subjectId: userId, after: { organisationId, role } });
  return added.length > 0;
}

/**
 * Finds or makes the account behind a launch and grants what the registration allows: a Learner joins the linked
 * cohort as a candidate (`learnersJoin`), an institution Administrator becomes a lead (`adminsLead`). Teaching staff
 * are never made mentors: an Instructor is a mentor in Cadre only if the provider made them one. An account that
 * holds roles outside the registration's organisation (provider staff) is never linked by e-mail: its owner signs
 * in once to connect it.
 */
export async function resolvePerson(ctx: AppContext, reg: Registration, person: LaunchPerson, cohortId: string | null): Promise<PersonOutcome> {
  const facts = readRoles(person.roles);
  const email = person.email && EMAIL.test(person.email) ? person.email.toLowerCase() : undefined;
  const outcome = await ctx.db.transaction(async (tx) => {
    const [known] = await tx
      .select({ userId: ltiIdentities.userId, status: users.status })
      .from(ltiIdentities)
      .innerJoin(users, eq(users.id, ltiIdentities.userId))
      .where(and(eq(ltiIdentities.registrationId, reg.id), eq(ltiIdentities.sub, person.sub)));
    let userId = known?.userId ?? null;
    let status = known?.status;
    if (!userId) {
      const [byEmail] = email ? await tx.select().from(users).where(eq(sql`lower(${users.email})`, email)) : [];
      const mayLink = !!byEmail && (reg.trustEmail || person.emailVerified === true) && (await confinedTo(tx, byEmail.id, reg.organisationId));
      if (byEmail && !mayLink) return { userId: null, connectReason: 'staff-account' as const, changed: false };
      if (byEmail) {
        userId = byEmail.id;
        status = byEmail.status;
        await tx.insert(ltiIdentities).values({ registrationId: reg.id, sub: person.sub, userId, linkedBy: 'email' });
      } else {
        const allowed = (facts.learner && reg.learnersJoin) || (facts.institutionAdmin && reg.adminsLead);
        if (!allowed) return { userId: null, connectReason: 'not-known' as const, changed: false };
        const address = email ?? `${digest(`${reg.id}|${person.sub}`).slice(0, 24)}@lti.invalid`;
        const [created] = await tx.insert(users).values({ email: address, name: person.name, status: 'active' }).returning();
        userId = created.id;
        status = created.status;
        await tx.insert(ltiIdentities).values({ registrationId: reg.id, sub: person.sub, userId, linkedBy: 'created' });
        await audit(tx, { actorId: null, action: 'lti.account_created', subjectType: 'user', subjectId: userId, after: { registrationId: reg.id, name: person.name } });
      }
    }
    if (status === 'disabled') throw new LtiRefusal('Your Cadre account has been disabled. Ask the training provider if you think this is a mistake.', 'account_disabled', 403);
    let changed = false;
    if (status === 'invited') {
      // The platform has just authenticated them: an account made for them (a roster sync) becomes usable here.
      await tx.update(users).set({ status: 'active' }).where(eq(users.id, userId));
      changed = true;
    }
    await tx.update(ltiIdentities).set({ lastLaunchAt: new Date() }).where(and(eq(ltiIdentities.registrationId, reg.id), eq(ltiIdentities.sub, person.sub)));
    if (facts.learner && reg.learnersJoin) {
      changed = (await grantOrgRole(tx, userId, reg.organisationId, 'candidate')) || changed;
      if (cohortId) changed = (await joinCohort(tx, cohortId, userId)) || changed;
    }
    if (facts.institutionAdmin && reg.adminsLead) changed = (await grantOrgRole(tx, userId, reg.organisationId, 'lead')) || changed;
    return { userId, changed };
  });
  if (outcome.userId && outcome.changed) rolesChanged(ctx, outcome.userId);
  return { userId: outcome.userId, facts, connectReason: 'connectReason' in outcome ? outcome.connectReason : undefined };
}

/** Adds a candidate to a cohort (inside the caller's transaction); true when they were not in it yet. */
export async function joinCohort(tx: Db, cohortId: string, userId: string): Promise<boolean> {
  const added = await tx.insert(cohortMembers).values({ cohortId, userId, role: 'candidate' }).onConflictDoNothing().returning();
  if (added.length) await audit(tx, { actorId: null, action: 'cohort.member_added', subjectType: 'cohort', subjectId: cohortId, after: { userId, role: 'candidate', by: 'lti' } });
  return added.length > 0;
}

/** Links the platform identity to an account its owner has just signed in to (the "connect" step). */
export async function connectIdentity(ctx: AppContext, registrationId: string, sub: string, userId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(ltiIdentities)
      .values({ registrationId, sub, userId, linkedBy: 'sign-in', lastLaunchAt: new Date() })
      .onConflictDoUpdate({ target: [ltiIdentities.registrationId, ltiIdentities.sub], set: { userId, linkedBy: 'sign-in', lastLaunchAt: new Date() } });
    await audit(tx, { actorId: userId, action: 'lti.identity_connected', subjectType: 'user', subjectId: userId, after: { registrationId } });
  });
}

/** The LMS identities (sub) of candidates on one registration: user id → sub. */
export async function subsFor(db: Db, registrationId: string, userIds: string[]): Promise<Map<string, string>> {
  if (!userIds.length) return new Map();
  const rows = await db
    .select({ userId: ltiIdentities.userId, sub: ltiIdentities.sub })
    .from(ltiIdentities)
    .where(and(eq(ltiIdentities.registrationId, registrationId), inArray(ltiIdentities.userId, userIds)));
  return new Map(rows.map((r) => [r.userId, r.sub]));
}
