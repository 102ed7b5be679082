/** Cohort commands: create an organisation, create a cohort (copying a programme template), add members. */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { cohortMembers, cohortStages, cohorts, memberships, organisations, programmeTemplates, templateStages, users, type CohortRole, type CohortSettings, type Role } from '../db/tables';
import { audit } from '../audit';
import { ValidationError } from '../errors';
import { accessReduced, rolesChanged, type AuthorityContext } from '../auth/authority';

/** What membership commands need: the database, and the authority helpers that act after commit. */
type MembersContext = AuthorityContext & { db: Db };

/** Creates a client organisation (or the provider). */
export async function createOrganisation(db: Db, actorId: string, input: { name: string; kind: 'provider' | 'client'; sector?: string; staffCount?: number }) {
  return db.transaction(async (tx) => {
    const [org] = await tx.insert(organisations).values(input).returning();
    await audit(tx, { actorId, action: 'organisation.created', subjectType: 'organisation', subjectId: org.id, after: input });
    return org;
  });
}

/** Adds days to an ISO date. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Copies a template's stages into a cohort (inside the caller's transaction), dating them from `startsOn`. */
export async function copyTemplateStages(tx: Db, cohortId: string, templateId: string, startsOn: string | null) {
  const stages = await tx.select().from(templateStages).where(eq(templateStages.templateId, templateId)).orderBy(asc(templateStages.position));
  if (!stages.length) return [];
  return tx
    .insert(cohortStages)
    .values(
      stages.map((s) => ({
        cohortId,
        position: s.position,
        moduleKey: s.moduleKey,
        title: s.title,
        summary: s.summary,
        config: s.config,
        openRequirements: s.openRequirements,
        completeRequirements: s.completeRequirements,
        startsOn: startsOn && s.startDay !== null ? addDays(startsOn, s.startDay) : null,
        endsOn: startsOn && s.endDay !== null ? addDays(startsOn, s.endDay) : null,
      })),
    )
    .returning();
}

/** What a new cohort needs. */
export type NewCohort = {
  organisationId: string;
  name: string;
  programmeTemplateId?: string;
  startsOn?: string;
  endsOn?: string;
  settings?: Partial<CohortSettings>;
};

/** Creates a cohort for a client organisation; with a template, the cohort gets its own copy of the stages. */
export async function createCohort(db: Db, actorId: string, input: NewCohort) {
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(organisations).where(eq(organisations.id, input.organisationId));
    if (!org) throw new ValidationError('That organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]);
    let template: typeof programmeTemplates.$inferSelect | undefined;
    if (input.programmeTemplateId) {
      [template] = await tx.select().from(programmeTemplates).where(eq(programmeTemplates.id, input.programmeTemplateId));
      if (!template) throw new ValidationError('That programme does not exist.', [{ field: 'programmeTemplateId', message: 'no such programme' }]);
    }
    if (input.startsOn && input.endsOn && input.endsOn < input.startsOn) {
      throw new ValidationError('The cohort must end after it starts.', [{ field: 'endsOn', message: 'must be on or after the start date' }]);
    }
    const [cohort] = await tx
      .insert(cohorts)
      .values({
        organisationId: org.id,
        name: input.name,
        programmeTemplateId: template?.id,
        templateVersion: template?.version,
        frameworkId: template?.frameworkId,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        settings: { stalledAfterDays: 14, leadMayObserveLive: true, ...input.settings },
      })
      .returning();
    if (template) await copyTemplateStages(tx, cohort.id, template.id, input.startsOn ?? null);
    await audit(tx, { actorId, action: 'cohort.created', subjectType: 'cohort', subjectId: cohort.id, after: input });
    return cohort;
  });
}

/** Adds an existing user to a cohort in a role; mentors must belong to the provider, others to the cohort's organisation. */
export async function addCohortMember(ctx: MembersContext, actorId: string, cohortId: string, userId: string, role: CohortRole) {
  const result = await ctx.db.transaction(async (tx) => {
    const [cohort] = await tx.select().from(cohorts).where(eq(cohorts.id, cohortId));
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user) throw new ValidationError('That person does not exist.', [{ field: 'userId', message: 'no such user' }]);
    const roles = await tx
      .select({ organisationId: memberships.organisationId, role: memberships.role, kind: organisations.kind })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(eq(memberships.userId, userId));
    const fits =
      role === 'mentor'
        ? roles.some((r) => r.kind === 'provider' && r.role === 'mentor')
        : role === 'observer'
          ? roles.length > 0
          : roles.some((r) => r.organisationId === cohort.organisationId && r.role === role);
    if (!fits) {
      const where = role === 'mentor' ? 'a mentor of the training provider' : `a ${role} of this cohort's organisation`;
      throw new ValidationError(`${user.name} is not ${where}. Invite them in that role first.`, [{ field: 'userId', message: `must be ${where}` }]);
    }
    const inserted = await tx.insert(cohortMembers).values({ cohortId, userId, role }).onConflictDoNothing().returning();
    if (inserted.length) await audit(tx, { actorId, action: 'cohort.member_added', subjectType: 'cohort', subjectId: cohortId, after: { userId, role } });
    return { added: inserted.length > 0 };
  });
  if (result.added) rolesChanged(ctx, userId);
  return result;
}

/**
 * Removes a member's role from a cohort. Their records stay; their access ends at once: the next page or socket
 * write is authorised on fresh roles, and their open sockets are disconnected on every node.
 */
export async function removeCohortMember(ctx: MembersContext, actorId: string, cohortId: string, userId: string, role: CohortRole) {
  const result = await ctx.db.transaction(async (tx) => {
    const removed = await tx
      .delete(cohortMembers)
      .where(and(eq(cohortMembers.cohortId, cohortId), eq(cohortMembers.userId, userId), eq(cohortMembers.role, role)))
      .returning();
    if (removed.length) await audit(tx, { actorId, action: 'cohort.member_removed', subjectType: 'cohort', subjectId: cohortId, before: { userId, role } });
    return { removed: removed.length > 0 };
  });
  if (result.removed) accessReduced(ctx, userId);
  return result;
}

/** Removes a person's role in an organisation (their records stay); access ends at once, as for a cohort. */
export async function removeOrganisationMember(ctx: MembersContext, actorId: string, organisationId: string, userId: string, role: Role) {
  const result = await ctx.db.transaction(async (tx) => {
    const removed = await tx
      .delete(memberships)
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId), eq(memberships.role, role)))
      .returning();
    if (removed.length) await audit(tx, { actorId, action: 'membership.removed', subjectType: 'user', subjectId: userId, before: { organisationId, role } });
    return { removed: removed.length > 0 };
  });
  if (result.removed) accessReduced(ctx, userId);
  return result;
}

/** Disables (or re-enables) a person's account: a disabled account cannot log in, and its sessions and sockets end. */
export async function setUserDisabled(ctx: MembersContext & { database: { query: (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> } }, actorId: string, userId: string, disabled: boolean) {
  if (disabled && actorId === userId) throw new ValidationError('You cannot disable your own account.', [{ field: 'userId', message: 'must be someone else' }]);
  const changed = await ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user) throw new ValidationError('That person does not exist.', [{ field: 'userId', message: 'no such user' }]);
    const status = disabled ? 'disabled' : user.passwordHash ? 'active' : 'invited';
    if (user.status === status) return false;
    await tx.update(users).set({ status }).where(eq(users.id, userId));
    await audit(tx, { actorId, action: disabled ? 'user.disabled' : 'user.enabled', subjectType: 'user', subjectId: userId, before: { status: user.status }, after: { status } });
    return true;
  });
  if (changed && disabled) {
    await ctx.database.query(`delete from session where sess->'passport'->>'user' = $1`, [userId]);
    accessReduced(ctx, userId);
  } else if (changed) rolesChanged(ctx, userId);
  return { changed };
}
