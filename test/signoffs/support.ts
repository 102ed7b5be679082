/** Shared set-up for sign-off, rubric and evidence tests: a two-tenant world with the seeded framework and rubrics. */
import { eq, inArray } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { cohorts, cohortStages, competencies } from '../../server/db/tables';
import { transferWeekAttendance, transferWeekDays } from '../../modules/transfer-week/schema';
import { seedFrameworkAndRubrics } from '../../seed/framework';
import type { TestApp } from '../support/app';
import { liveNote } from '../support/evidence';
import { addToCohort, buildUser, buildWorld, type World } from '../support/factories';

/** A world whose cohorts use the seeded framework, with a second mentor in tenant A. */
export type SignoffWorld = World & { mentor2: Awaited<ReturnType<typeof buildUser>>; frameworkId: string; code: Record<string, string>; note: Record<string, string>; register: string };

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
  // A real live note on each candidate's record, so a request can cite evidence that exists and belongs.
  const note: Record<string, string> = {};
  for (const tenant of [world.a, world.b]) for (const c of [tenant.candidate, tenant.otherCandidate]) note[c.id] = await liveNote(db, tenant.cohort.id, tenant.mentor, c.id);
  // A transfer-week day in tenant A whose register marks both candidates present: what a bulk sign-off rests on.
  const [stage] = await db.insert(cohortStages).values({ cohortId: world.a.cohort.id, position: 90, moduleKey: 'transfer-week', title: 'Transfer week' }).returning();
  const [day] = await db.insert(transferWeekDays).values({ cohortStageId: stage.id, day: '2026-03-03', venue: 'Training room 2', createdBy: world.a.mentor.id }).returning();
  await db.insert(transferWeekAttendance).values([world.a.candidate, world.a.otherCandidate].map((c) => ({ dayId: day.id, candidateId: c.id, mark: 'present' as const, recordedBy: world.a.mentor.id })));
  return { ...world, mentor2, frameworkId: frameworkId!, code: Object.fromEntries(rows.map((r) => [r.code, r.id])), note, register: day.id };
}

/** A minimal valid PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A reflection long enough to pass validation. */
export const REFLECTION = 'I delivered this in transfer week; the group practised and I adapted the pace for two learners.';

/** Requests sign-off through the JSON API citing the candidate's live note as evidence. */
export async function requestJson(agent: TestAgent, world: SignoffWorld, code: string, candidateId = world.a.candidate.id) {
  return agent
    .post(`/api/v1/cohorts/${world.a.cohort.id}/candidates/${candidateId}/signoffs`)
    .send({ competencyId: world.code[code], reflection: REFLECTION, references: [{ refType: 'co-delivery:live-note', refId: world.note[candidateId] ?? world.note[world.a.candidate.id] }] });
}

/** Posts a decision through the JSON API. */
export async function decide(agent: TestAgent, world: SignoffWorld, requestId: string, body: Record<string, unknown>, cohortId = world.a.cohort.id) {
  return agent.post(`/api/v1/cohorts/${cohortId}/signoffs/${requestId}/decisions`).send(body);
}

/** The evidence a bulk sign-off in tenant A rests on: the transfer-week register with both candidates present. */
export function onRegister(world: SignoffWorld) {
  return [{ refType: 'transfer-week:register', refId: world.register }];
}
