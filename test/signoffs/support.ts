/** Shared set-up for sign-off, rubric and evidence tests: a two-tenant world with the seeded framework and rubrics. */
import { eq, inArray } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { cohorts, competencies } from '../../server/db/tables';
import { seedFrameworkAndRubrics } from '../../seed/framework';
import type { TestApp } from '../support/app';
import { addToCohort, buildUser, buildWorld, type World } from '../support/factories';

/** A world whose cohorts use the seeded framework, with a second mentor in tenant A. */
export type SignoffWorld = World & { mentor2: Awaited<ReturnType<typeof buildUser>>; frameworkId: string; code: Record<string, string> };

/** Builds the world; call after truncateAll. */
export async function buildSignoffWorld(t: TestApp): Promise<SignoffWorld> {
  const db = t.database.db;
  const { frameworkId } = await seedFrameworkAndRubrics(db);
  const world = await buildWorld(db);
  await db.update(cohorts).set({ frameworkId }).where(inArray(cohorts.id, [world.a.cohort.id, world.b.cohort.id]));
  world.a.cohort.frameworkId = frameworkId;
  world.b.cohort.frameworkId = frameworkId;
  const mentor2 = await buildUser(db, { name: 'Mentor A2', organisationId: world.provider.id, role: 'mentor' });
  await addToCohort(db, world.a.cohort.id, mentor2.id, 'mentor');
  const rows = await db.select({ id: competencies.id, code: competencies.code }).from(competencies).where(eq(competencies.frameworkId, frameworkId!));
  return { ...world, mentor2, frameworkId: frameworkId!, code: Object.fromEntries(rows.map((r) => [r.code, r.id])) };
}

/** A minimal valid PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A reflection long enough to pass validation. */
export const REFLECTION = 'I delivered this in transfer week; the group practised and I adapted the pace for two learners.';

/** Requests sign-off through the JSON API with a live-note reference as evidence. */
export async function requestJson(agent: TestAgent, world: SignoffWorld, code: string, candidateId = world.a.candidate.id) {
  return agent
    .post(`/api/v1/cohorts/${world.a.cohort.id}/candidates/${candidateId}/signoffs`)
    .send({ competencyId: world.code[code], reflection: REFLECTION, references: [{ refType: 'live_note', refId: 'note-1' }] });
}

/** Posts a decision through the JSON API. */
export async function decide(agent: TestAgent, world: SignoffWorld, requestId: string, body: Record<string, unknown>, cohortId = world.a.cohort.id) {
  return agent.post(`/api/v1/cohorts/${cohortId}/signoffs/${requestId}/decisions`).send(body);
}
