/** Where a launch lands: courses (contexts) and resource links as the platform names them, each bound to a cohort or
 * one stage of it — by an instructor's first launch (the picker), or by a deep-linked item's signed binding. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { cohortStages, cohorts, ltiContexts, ltiRegistrations, ltiResourceLinks } from '../db/tables';
import { audit } from '../audit';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { can } from '../policies';
import { RETIRED_POSITION } from '../progression/registry';
import { CLAIM, type LaunchClaims } from './claims';

/** A resource link row. */
export type LinkRow = typeof ltiResourceLinks.$inferSelect;

/** Signs a binding (cohort, stage or the whole programme) so a deep-linked item's custom parameter cannot be edited
 * into another cohort. */
export function bindingToken(secret: string, registrationId: string, cohortId: string, stageId: string | null): string {
  const scope = stageId ?? 'programme';
  const mac = createHmac('sha256', secret).update(`lti-binding|${registrationId}|${cohortId}|${scope}`).digest('base64url').slice(0, 32);
  return `${cohortId}.${scope}.${mac}`;
}

function readBinding(secret: string, registrationId: string, value: unknown): { cohortId: string; stageId: string | null } | null {
  if (typeof value !== 'string') return null;
  const [cohortId, scope] = value.split('.');
  if (!cohortId || !scope) return null;
  const expected = bindingToken(secret, registrationId, cohortId, scope === 'programme' ? null : scope);
  const a = Buffer.from(value);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? { cohortId, stageId: scope === 'programme' ? null : scope } : null;
}

/** Records the course and resource link a launch names (their titles and service addresses), binding the link from a
 * signed deep-linking parameter when it has none yet. */
export async function recordPlacement(ctx: AppContext, reg: typeof ltiRegistrations.$inferSelect, deploymentId: string, claims: LaunchClaims): Promise<{ link: LinkRow | null; contextRowId: string | null }> {
  const context = claims[CLAIM.context];
  const nrps = claims[CLAIM.nrps];
  const ags = claims[CLAIM.ags];
  return ctx.db.transaction(async (tx) => {
    let contextRowId: string | null = null;
    if (context) {
      const values = { title: context.title ?? context.label ?? null, membershipsUrl: nrps?.context_memberships_url ?? null, lineItemsUrl: ags?.lineitems ?? null, updatedAt: new Date() };
      const [row] = await tx
        .insert(ltiContexts)
        .values({ registrationId: reg.id, contextId: context.id, ...values })
        .onConflictDoUpdate({ target: [ltiContexts.registrationId, ltiContexts.contextId], set: values })
        .returning({ id: ltiContexts.id });
      contextRowId = row.id;
    }
    const resource = claims[CLAIM.resourceLink];
    if (!resource) return { link: null, contextRowId };
    const set = { title: resource.title ?? null, contextRowId, ...(ags?.lineitem ? { lineItemUrl: ags.lineitem } : {}) };
    const [link] = await tx
      .insert(ltiResourceLinks)
      .values({ registrationId: reg.id, deploymentId, resourceLinkId: resource.id, ...set })
      .onConflictDoUpdate({ target: [ltiResourceLinks.registrationId, ltiResourceLinks.deploymentId, ltiResourceLinks.resourceLinkId], set })
      .returning();
    const binding = !link.cohortId ? readBinding(ctx.config.sessionSecret, reg.id, claims[CLAIM.custom]?.cadre_binding) : null;
    if (binding) {
      const target = await bindable(tx, reg.organisationId, binding.cohortId, binding.stageId);
      const [bound] = await tx
        .update(ltiResourceLinks)
        .set({ cohortId: target.cohortId, cohortStageId: target.stageId, boundAt: new Date() })
        .where(and(eq(ltiResourceLinks.id, link.id), isNull(ltiResourceLinks.cohortId)))
        .returning();
      if (bound) {
        await audit(tx, { actorId: null, action: 'lti.link_bound', subjectType: 'lti_resource_link', subjectId: link.id, after: { cohortId: target.cohortId, stageId: target.stageId, by: 'deep-link' } });
        return { link: bound, contextRowId };
      }
    }
    return { link, contextRowId };
  });
}

/** Checks a cohort (and stage) may be bound for this organisation; 400 naming the field otherwise. */
async function bindable(db: Db, organisationId: string, cohortId: string, stageId: string | null): Promise<{ cohortId: string; stageId: string | null }> {
  const [cohort] = await db.select({ id: cohorts.id, organisationId: cohorts.organisationId }).from(cohorts).where(eq(cohorts.id, cohortId));
  if (!cohort || cohort.organisationId !== organisationId) throw new ValidationError('Choose a cohort of this organisation.', [{ field: 'cohortId', message: 'must be a cohort of the organisation the platform is registered for' }]);
  if (stageId) {
    const [stage] = await db.select({ id: cohortStages.id }).from(cohortStages).where(and(eq(cohortStages.id, stageId), eq(cohortStages.cohortId, cohortId), gt(cohortStages.position, 0), lt(cohortStages.position, RETIRED_POSITION)));
    if (!stage) throw new ValidationError('Choose a stage of that cohort.', [{ field: 'stageId', message: 'must be a stage of the chosen cohort' }]);
  }
  return { cohortId, stageId };
}

/** Binds an unbound link to a cohort or one of its stages (the instructor's first launch). */
export async function bindLink(ctx: AppContext, actor: Actor, link: LinkRow, organisationId: string, cohortId: string, stageId: string | null): Promise<LinkRow> {
  const target = await bindable(ctx.db, organisationId, cohortId, stageId);
  const [cohort] = await ctx.db.select().from(cohorts).where(eq(cohorts.id, target.cohortId));
  if (!can(actor, 'cohort:view-progress', { type: 'cohort', cohort })) throw new ValidationError('Choose a cohort you mentor or lead.', [{ field: 'cohortId', message: 'must be a cohort you mentor or lead' }]);
  return ctx.db.transaction(async (tx) => {
    const [bound] = await tx
      .update(ltiResourceLinks)
      .set({ cohortId: target.cohortId, cohortStageId: target.stageId, boundBy: actor.id, boundAt: new Date() })
      .where(and(eq(ltiResourceLinks.id, link.id), isNull(ltiResourceLinks.cohortId)))
      .returning();
    if (!bound) throw new ConflictError('This course link is already connected to a cohort.');
    await audit(tx, { actorId: actor.id, action: 'lti.link_bound', subjectType: 'lti_resource_link', subjectId: link.id, after: { cohortId: target.cohortId, stageId: target.stageId } });
    return bound;
  });
}

/** One resource link (404 "That course link"). */
export async function getLink(db: Db, linkId: string): Promise<LinkRow & { organisationId: string; registrationName: string }> {
  const [row] = await db
    .select({ link: ltiResourceLinks, organisationId: ltiRegistrations.organisationId, registrationName: ltiRegistrations.name })
    .from(ltiResourceLinks)
    .innerJoin(ltiRegistrations, eq(ltiRegistrations.id, ltiResourceLinks.registrationId))
    .where(eq(ltiResourceLinks.id, linkId));
  if (!row) throw new NotFoundError('That course link');
  return { ...row.link, organisationId: row.organisationId, registrationName: row.registrationName };
}

/** The cohorts of an organisation the actor may bind a link to (mentors and leads), each with its live stages. */
export async function bindChoices(db: Db, actor: Actor, organisationId: string) {
  const rows = await db.select().from(cohorts).where(eq(cohorts.organisationId, organisationId)).orderBy(asc(cohorts.name));
  const mine = rows.filter((c) => can(actor, 'cohort:view-progress', { type: 'cohort', cohort: c }));
  if (!mine.length) return [];
  const stages = await db
    .select({ id: cohortStages.id, cohortId: cohortStages.cohortId, title: cohortStages.title, position: cohortStages.position })
    .from(cohortStages)
    .where(and(inArray(cohortStages.cohortId, mine.map((c) => c.id)), gt(cohortStages.position, 0), lt(cohortStages.position, RETIRED_POSITION)))
    .orderBy(asc(cohortStages.position));
  return mine.map((c) => ({ id: c.id, name: c.name, stages: stages.filter((s) => s.cohortId === c.id) }));
}

/** Where a bound link takes this actor: the stage page, their own timeline (candidates) or the cohort (staff). */
export async function destination(db: Db, actor: Actor, link: LinkRow): Promise<string | null> {
  if (!link.cohortId) return null;
  const [cohort] = await db.select().from(cohorts).where(eq(cohorts.id, link.cohortId));
  const subject = { type: 'cohort' as const, cohort };
  if (!can(actor, 'cohort:view', subject)) return null;
  if (link.cohortStageId) {
    const [stage] = await db.select({ moduleKey: cohortStages.moduleKey }).from(cohortStages).where(eq(cohortStages.id, link.cohortStageId));
    if (stage) return `/cohorts/${cohort.id}/stages/${stage.moduleKey}`;
  }
  if (can(actor, 'cohort:view-progress', subject)) return `/cohorts/${cohort.id}`;
  return `/cohorts/${cohort.id}/candidates/${actor.id}`;
}
