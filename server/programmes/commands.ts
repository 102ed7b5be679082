/** Programme template commands: create, replace stages, and apply a template's current stages to a cohort. */
import { and, asc, eq, gte, lt, max } from 'drizzle-orm';
import { audit } from '../audit';
import { addDays } from '../cohorts/commands';
import type { Db } from '../db';
import { cohortStages, cohorts, programmeTemplates, templateStages } from '../db/tables';
import { NotFoundError } from '../errors';
import { id as uuidSchema } from '../http/validate';
import { RETIRED_POSITION } from '../progression/registry';
import type { AppRegistry } from '../modules/registry';

/** What template commands read with: the database and the app's modules and requirement kinds. */
export type TemplateContext = { db: Db; registry: Pick<AppRegistry, 'modules' | 'requirementKinds'> };
import { checkReferences } from './references';
import { checkStages, type StageInput } from './schemas';

/** Loads a template with its stages in order, or 404. */
export async function getTemplate(db: Db, templateId: string) {
  if (!uuidSchema.safeParse(templateId).success) throw new NotFoundError('That programme');
  const [template] = await db.select().from(programmeTemplates).where(eq(programmeTemplates.id, templateId));
  if (!template) throw new NotFoundError('That programme');
  const stages = await db.select().from(templateStages).where(eq(templateStages.templateId, templateId)).orderBy(asc(templateStages.position));
  return { ...template, stages };
}

/** A template's stages as inputs (for editing one and saving the whole list). */
export function stagesAsInput(stages: (typeof templateStages.$inferSelect)[]): StageInput[] {
  return stages.map((s) => ({ moduleKey: s.moduleKey, title: s.title, summary: s.summary, config: s.config, open: s.openRequirements, complete: s.completeRequirements, startDay: s.startDay, endDay: s.endDay }));
}

/** A new stage from a module's defaults. */
export function defaultStage(registry: Pick<AppRegistry, 'modules'>, moduleKey: string): StageInput {
  const m = registry.modules.find((x) => x.key === moduleKey);
  if (!m) return { moduleKey, title: moduleKey, summary: null, config: {}, open: [], complete: [], startDay: null, endDay: null };
  return { moduleKey, title: m.title, summary: m.summary, config: m.defaults.config, open: m.defaults.open, complete: m.defaults.complete, startDay: null, endDay: null };
}

/** Creates a template (with stages, each validated). */
export async function createTemplate(ctx: TemplateContext, actorId: string, input: { name: string; description?: string | null; stages?: StageInput[] }) {
  const { db } = ctx;
  const stages = checkStages(ctx.registry, input.stages ?? []);
  await checkReferences(ctx, stages, { id: null, frameworkId: null });
  return db.transaction(async (tx) => {
    const [template] = await tx.insert(programmeTemplates).values({ name: input.name, description: input.description ?? null }).returning();
    if (stages.length) await tx.insert(templateStages).values(stages.map((s, i) => row(template.id, i + 1, s)));
    await audit(tx, { actorId, action: 'programme.created', subjectType: 'programme_template', subjectId: template.id, after: { name: input.name, stages: stages.map((s) => s.moduleKey) } });
    return template;
  });
}

function row(templateId: string, position: number, s: StageInput) {
  return { templateId, position, moduleKey: s.moduleKey, title: s.title, summary: s.summary ?? null, config: s.config, openRequirements: s.open, completeRequirements: s.complete, startDay: s.startDay ?? null, endDay: s.endDay ?? null };
}

/** Replaces a template's name, description and (when given) its whole ordered stage list; the version goes up. */
export async function updateTemplate(ctx: TemplateContext, actorId: string, templateId: string, input: { name?: string; description?: string | null; stages?: StageInput[] }) {
  const { db } = ctx;
  const before = await getTemplate(db, templateId);
  const stages = input.stages ? checkStages(ctx.registry, input.stages) : undefined;
  if (stages) await checkReferences(ctx, stages, { id: templateId, frameworkId: before.frameworkId });
  return db.transaction(async (tx) => {
    const [template] = await tx
      .update(programmeTemplates)
      .set({ name: input.name ?? before.name, description: input.description === undefined ? before.description : input.description, version: before.version + 1, updatedAt: new Date() })
      .where(eq(programmeTemplates.id, templateId))
      .returning();
    if (stages) {
      await tx.delete(templateStages).where(eq(templateStages.templateId, templateId));
      if (stages.length) await tx.insert(templateStages).values(stages.map((s, i) => row(templateId, i + 1, s)));
    }
    await audit(tx, { actorId, action: 'programme.updated', subjectType: 'programme_template', subjectId: templateId, before: { version: before.version, stages: stagesAsInput(before.stages) }, after: { version: template.version, stages } });
    return template;
  });
}

/** What applying a template did to a cohort's stages. */
export type ApplyResult = { kept: number; added: number; retired: number; version: number };

/**
 * Replaces a cohort's stage copy with the template's current stages. A stage keeps its id when the position and
 * module match, so waivers and module data keep pointing at it; stages that no longer fit are retired (moved to
 * position ≥ RETIRED_POSITION, kept for the record). Gates recompute at once: status is computed on read.
 */
export async function applyTemplateToCohort(db: Db, actorId: string, cohortId: string, templateId: string): Promise<ApplyResult> {
  const template = await getTemplate(db, templateId);
  return db.transaction(async (tx) => {
    const [cohort] = await tx.select().from(cohorts).where(eq(cohorts.id, cohortId)).for('update');
    if (!cohort) throw new NotFoundError('That cohort');
    const old = await tx.select().from(cohortStages).where(and(eq(cohortStages.cohortId, cohortId), lt(cohortStages.position, RETIRED_POSITION))).orderBy(asc(cohortStages.position));
    const [{ highest }] = await tx.select({ highest: max(cohortStages.position) }).from(cohortStages).where(and(eq(cohortStages.cohortId, cohortId), gte(cohortStages.position, RETIRED_POSITION)));
    let parking = Math.max(RETIRED_POSITION - 1, highest ?? 0) + 1;
    // Park every current stage among the retired first: the (cohort, position) index is unique.
    for (const s of old) await tx.update(cohortStages).set({ position: parking++ }).where(eq(cohortStages.id, s.id));
    const keptIds = new Set<string>();
    let added = 0;
    for (const t of template.stages) {
      const values = {
        position: t.position,
        moduleKey: t.moduleKey,
        title: t.title,
        summary: t.summary,
        config: t.config,
        openRequirements: t.openRequirements,
        completeRequirements: t.completeRequirements,
        startsOn: cohort.startsOn && t.startDay !== null ? addDays(cohort.startsOn, t.startDay) : null,
        endsOn: cohort.startsOn && t.endDay !== null ? addDays(cohort.startsOn, t.endDay) : null,
      };
      const match = old.find((s) => s.position === t.position && s.moduleKey === t.moduleKey);
      if (match) {
        await tx.update(cohortStages).set(values).where(eq(cohortStages.id, match.id));
        keptIds.add(match.id);
      } else {
        await tx.insert(cohortStages).values({ ...values, cohortId });
        added += 1;
      }
    }
    await tx.update(cohorts).set({ programmeTemplateId: template.id, templateVersion: template.version }).where(eq(cohorts.id, cohortId));
    const result = { kept: keptIds.size, added, retired: old.length - keptIds.size, version: template.version };
    await audit(tx, { actorId, action: 'programme.applied', subjectType: 'cohort', subjectId: cohortId, before: { templateVersion: cohort.templateVersion, stages: old.map((s) => s.moduleKey) }, after: { templateId, ...result } });
    return result;
  });
}
