/** Test data for impact: a two-tenant world whose cohorts run the built-in programme, with knowledge modules,
 * practical sessions and course outcomes named in their stages, and helpers to record courses and answers. */
import { and, eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { copyTemplateStages } from '../../server/cohorts/commands';
import type { Db } from '../../server/db';
import { cohortStages, impactCourses } from '../../server/db/tables';
import { seedProgrammeTemplate } from '../../seed/programme';
import { coDeliveryOutcomes, coDeliverySessions } from '../../modules/co-delivery/schema';
import { projectsWeekModules } from '../../modules/projects-week/schema';
import type { TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

/** The knowledge modules, practical sessions and outcomes every test cohort teaches. */
export const KNOWLEDGE = ['The legal basis for reasonable force', 'Risks of restraint: prone and floor holds'];
export const PRACTICAL = ['Breakaway techniques — practical session'];
export const OUTCOMES = ['Explains why restraint is a last resort', 'Uses de-escalation to help a person feel calmer'];

/** Gives a cohort its curriculum in the projects-week and co-delivery stages. */
export async function teach(db: Db, cohortId: string): Promise<void> {
  const stage = async (key: string) => (await db.select().from(cohortStages).where(and(eq(cohortStages.cohortId, cohortId), eq(cohortStages.moduleKey, key))))[0];
  const pw = await stage('projects-week');
  const cd = await stage('co-delivery');
  await db.insert(projectsWeekModules).values(KNOWLEDGE.map((title, i) => ({ cohortStageId: pw.id, position: i + 1, title })));
  await db.insert(coDeliverySessions).values(PRACTICAL.map((title) => ({ cohortStageId: cd.id, title, startsAt: new Date(), endsAt: new Date(Date.now() + 3600_000) })));
  await db.insert(coDeliveryOutcomes).values(OUTCOMES.map((text, i) => ({ cohortStageId: cd.id, position: i + 1, text })));
}

/** A world whose cohorts run the built-in programme (started 30 days ago) and teach the curriculum above. */
export async function buildImpactWorld(t: TestApp): Promise<World> {
  const db = t.database.db;
  const templateId = await seedProgrammeTemplate(db, t.cadre.modules, null);
  const startsOn = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  return buildWorld(db, async (cohortId) => {
    await copyTemplateStages(db, cohortId, templateId, startsOn);
    await teach(db, cohortId);
  });
}

/** Today minus `n` days, as YYYY-MM-DD. */
export const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** A valid course form for the test curriculum. */
export function courseFields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { deliveredOn: daysAgo(3), venue: 'Harbour House training room', modules: [KNOWLEDGE[0], PRACTICAL[0]], coTrainerId: '', attendees: '12', register: 'HC-001\nHC-002', durationHours: '6', ...overrides };
}

/** Posts a form as a browser would: urlencoded, repeated keys for lists, the CSRF token in `_csrf`. */
export function postForm(agent: TestAgent, path: string, csrf: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  body.append('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return agent.post(path).type('form').send(body.toString());
}

/** Records a course as `email` through the real form; returns the stored row. */
export async function recordCourseAs(t: TestApp, email: string, cohortId: string, overrides: Record<string, string | string[]> = {}) {
  const agent = await t.loginAs(email);
  const csrf = await t.csrf(agent, `/cohorts/${cohortId}/courses/new`);
  const res = await postForm(agent, `/cohorts/${cohortId}/courses`, csrf, courseFields(overrides));
  if (res.status !== 303) throw new Error(`recording a course failed: ${res.status} ${res.text.slice(0, 500)}`);
  const id = /\/courses\/([0-9a-f-]{36})/.exec(res.headers.location)?.[1] as string;
  return (await t.database.db.select().from(impactCourses).where(eq(impactCourses.id, id)))[0];
}

/** Answers a course's questionnaire from a fresh device (a new cookie jar); returns the response. */
export async function answer(t: TestApp, code: string, fields: Record<string, string>, agent: TestAgent = t.anonymous()) {
  const page = await agent.get(`/q/${code}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return postForm(agent, `/q/${code}`, csrf, fields);
}
