/** Editing competency frameworks (admins): create a framework, add areas and competencies, change a competency. */
import { and, eq, max } from 'drizzle-orm';
import type { z } from 'zod';
import { audit } from '../audit';
import type { Db } from '../db';
import { competencies, competencyAreas, competencyFrameworks } from '../db/tables';
import { ConflictError, isPgError, NotFoundError, ValidationError } from '../errors';
import { id as uuidSchema } from '../http/validate';
import type { areaInput, competencyInput, competencyPatch, frameworkInput } from './schemas';

function isUniqueViolation(err: unknown): boolean {
  return isPgError(err, 'uniqueViolation');
}

/** Creates a framework with its areas and competencies in one transaction. */
export async function createFramework(db: Db, actorId: string, input: z.output<typeof frameworkInput>) {
  return db.transaction(async (tx) => {
    const [framework] = await tx.insert(competencyFrameworks).values({ name: input.name, description: input.description || null, ratingScale: input.ratingScale }).returning();
    let position = 0;
    for (const [i, area] of input.areas.entries()) {
      const [a] = await tx.insert(competencyAreas).values({ frameworkId: framework.id, position: i + 1, name: area.name, description: area.description ?? null }).returning();
      if (area.competencies.length) {
        await tx.insert(competencies).values(area.competencies.map((c) => ({ frameworkId: framework.id, areaId: a.id, code: c.code, name: c.name, description: c.description ?? null, safetyCritical: c.safetyCritical, position: ++position })));
      }
    }
    await audit(tx, { actorId, action: 'framework.created', subjectType: 'competency_framework', subjectId: framework.id, after: { name: framework.name, areas: input.areas.length } });
    return framework;
  });
}

async function framework(db: Db, frameworkId: string) {
  if (!uuidSchema.safeParse(frameworkId).success) throw new NotFoundError('That competency framework');
  const [f] = await db.select().from(competencyFrameworks).where(eq(competencyFrameworks.id, frameworkId));
  if (!f) throw new NotFoundError('That competency framework');
  return f;
}

/** Adds an area at the end of a framework. */
export async function addArea(db: Db, actorId: string, frameworkId: string, input: z.output<typeof areaInput>) {
  await framework(db, frameworkId);
  return db.transaction(async (tx) => {
    const [{ last }] = await tx.select({ last: max(competencyAreas.position) }).from(competencyAreas).where(eq(competencyAreas.frameworkId, frameworkId));
    const [area] = await tx.insert(competencyAreas).values({ frameworkId, position: (last ?? 0) + 1, name: input.name, description: input.description ?? null }).returning();
    await audit(tx, { actorId, action: 'framework.area_added', subjectType: 'competency_area', subjectId: area.id, after: input });
    return area;
  });
}

/** Adds a competency to an area of a framework; codes are unique within a framework (409). */
export async function addCompetency(db: Db, actorId: string, frameworkId: string, input: z.output<typeof competencyInput>) {
  await framework(db, frameworkId);
  if (!input.areaId) throw new ValidationError('Choose the area the competency belongs to.', [{ field: 'areaId', message: 'choose an area' }]);
  const [area] = await db.select().from(competencyAreas).where(and(eq(competencyAreas.id, input.areaId), eq(competencyAreas.frameworkId, frameworkId)));
  if (!area) throw new ValidationError('That area is not part of this framework.', [{ field: 'areaId', message: 'must be an area of this framework' }]);
  try {
    return await db.transaction(async (tx) => {
      const [{ last }] = await tx.select({ last: max(competencies.position) }).from(competencies).where(eq(competencies.frameworkId, frameworkId));
      const [row] = await tx
        .insert(competencies)
        .values({ frameworkId, areaId: area.id, code: input.code, name: input.name, description: input.description ?? null, safetyCritical: input.safetyCritical, position: (last ?? 0) + 1 })
        .returning();
      await audit(tx, { actorId, action: 'framework.competency_added', subjectType: 'competency', subjectId: row.id, after: input });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`This framework already has a competency with the code ${input.code}; choose another code.`);
    throw err;
  }
}

/** Changes a competency's name, description or safety-critical flag (the code never changes). */
export async function updateCompetency(db: Db, actorId: string, competencyId: string, patch: z.output<typeof competencyPatch>) {
  if (!uuidSchema.safeParse(competencyId).success) throw new NotFoundError('That competency');
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(competencies).where(eq(competencies.id, competencyId));
    if (!before) throw new NotFoundError('That competency');
    const [after] = await tx
      .update(competencies)
      .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.description !== undefined ? { description: patch.description || null } : {}), ...(patch.safetyCritical !== undefined ? { safetyCritical: patch.safetyCritical } : {}) })
      .where(eq(competencies.id, competencyId))
      .returning();
    await audit(tx, { actorId, action: 'framework.competency_changed', subjectType: 'competency', subjectId: competencyId, before: { name: before.name, description: before.description, safetyCritical: before.safetyCritical }, after: patch });
    return after;
  });
}
