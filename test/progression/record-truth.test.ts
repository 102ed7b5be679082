/**
 * One truth on every page, and the small wrongs of issue 10 (points 3 and 6): a candidate whose stages are all done
 * but whose competencies are not signed is never "complete" on their timeline or the cohort page (the readiness model
 * says not ready); a dated day, meeting or session outside the cohort's dates is refused naming the field; a remedial
 * topic links to a competency by the code the form sends; an absent mark says "absent", not "not recorded yet".
 */
import { eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { cohortStages, cohorts } from '../../server/db/tables';
import { discoverModules } from '../../server/modules/loader';
import { seedFrameworkAndRubrics } from '../../seed/framework';
import { remedialWorkshopTopics } from '../../modules/remedial-workshop/schema';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let mentor: TestAgent;
let candidate: TestAgent;
let cohortId: string;
const stageId: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  const db = t.database.db;
  w = await buildWorld(db);
  const { frameworkId } = await seedFrameworkAndRubrics(db);
  cohortId = w.a.cohort.id;
  await db.update(cohorts).set({ frameworkId, startsOn: '2026-01-05', endsOn: '2026-06-30' }).where(eq(cohorts.id, cohortId));
  const byKey = new Map(discoverModules().map((m) => [m.key, m]));
  const keys = ['zoom-intro', 'transfer-week', 'co-delivery', 'remedial-workshop'];
  const rows = await db
    .insert(cohortStages)
    .values(keys.map((key, i) => ({ cohortId, position: i + 1, moduleKey: key, title: byKey.get(key)!.title, config: byKey.get(key)!.defaults.config, openRequirements: [], completeRequirements: [{ kind: 'mentor-marked-complete', params: {} }] })))
    .returning();
  for (const r of rows) stageId[r.moduleKey] = r.id;
  mentor = await t.loginAs(w.a.mentor.email);
  candidate = await t.loginAs(w.a.candidate.email);
});
afterAll(() => t.stop());

const api = (p: string) => `/api/v1/cohorts/${cohortId}${p}`;
const stageApi = (key: string, p: string) => api(`/stages/${key}${p}`);

describe('readiness is one truth', () => {
  it('every stage marked done with no competency signed is "not ready yet", never "complete"', async () => {
    for (const key of Object.keys(stageId)) expect((await mentor.post(api(`/candidates/${w.a.candidate.id}/stages/${stageId[key]}/complete`)).send({})).status).toBe(201);
    const own = await candidate.get(`/cohorts/${cohortId}/candidates/${w.a.candidate.id}`);
    expect(own.status).toBe(200);
    expect(own.text).not.toContain('You have completed every stage');
    expect(own.text).toContain('Every stage is done, but you are not ready to deliver yet: Request sign-off for');
    const overview = await mentor.get(`/cohorts/${cohortId}`);
    const row = overview.text.slice(overview.text.indexOf(`data-candidate-id="${w.a.candidate.id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Not ready yet');
    expect(row.slice(0, row.indexOf('</tr>'))).not.toContain('Ready to deliver');
  });
});

describe('dated things fall within the cohort', () => {
  it('refuses a transfer-week day after the cohort ends (and before it starts), naming the field', async () => {
    const late = await mentor.post(stageApi('transfer-week', '/days')).send({ day: '2026-07-01', venue: 'Training room 2' });
    expect(late.status).toBe(400);
    expect(late.body.error.fields).toEqual([expect.objectContaining({ field: 'day', message: expect.stringMatching(/on or before 30 June 2026/) })]);
    expect((await mentor.post(stageApi('transfer-week', '/days')).send({ day: '2026-01-04', venue: 'Training room 2' })).status).toBe(400);
    expect((await mentor.post(stageApi('transfer-week', '/days')).send({ day: '2026-06-30', venue: 'Training room 2' })).status).toBe(201);
  });

  it('refuses a zoom meeting and a co-delivery session outside the cohort', async () => {
    const meeting = await mentor.put(stageApi('zoom-intro', '/meeting')).send({ date: '2026-08-01', time: '10:00', timezone: 'Europe/London', joinUrl: 'https://zoom.example/j/1' });
    expect(meeting.status).toBe(400);
    expect(meeting.body.error.fields[0].field).toBe('date');
    const session = await mentor.post(stageApi('co-delivery', '/sessions')).send({ title: 'Day one', startsAt: '2026-07-02T09:00:00Z', endsAt: '2026-07-02T16:00:00Z' });
    expect(session.status).toBe(400);
    expect(session.body.error.fields[0].field).toBe('startsAt');
  });
});

describe('small wrongs', () => {
  it('links a remedial topic to the competency code the form sends ("D6"), or to none', async () => {
    const linked = await candidate.post(stageApi('remedial-workshop', '/topics')).send({ text: 'Talking someone down after a hold', competencyCode: 'D6' });
    expect(linked.status).toBe(201);
    const none = await candidate.post(stageApi('remedial-workshop', '/topics')).send({ text: 'Writing up an incident', competencyCode: '' });
    expect(none.status).toBe(201);
    const rows = await t.database.db.select().from(remedialWorkshopTopics).where(eq(remedialWorkshopTopics.candidateId, w.a.candidate.id));
    expect(rows.map((r) => r.competencyCode).sort()).toEqual(['D6', null]);
    const wrong = await candidate.post(stageApi('remedial-workshop', '/topics')).send({ text: 'Something else to cover', competencyCode: 'Z99' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields[0].field).toBe('competencyCode');
  });

  it('an absent mark on the zoom register reads "marked absent", not "not recorded yet"', async () => {
    expect((await mentor.put(stageApi('zoom-intro', '/meeting')).send({ date: '2026-02-02', time: '10:00', timezone: 'Europe/London', joinUrl: 'https://zoom.example/j/1' })).status).toBe(200);
    expect((await mentor.post(stageApi('zoom-intro', '/register')).send({ present: [w.a.otherCandidate.id] })).status).toBe(200);
    await t.database.db.update(cohortStages).set({ completeRequirements: [{ kind: 'attendance', params: { sessions: 1 } }] }).where(eq(cohortStages.id, stageId['zoom-intro']));
    const res = await candidate.get(api(`/candidates/${w.a.candidate.id}/progress`));
    const reasons = JSON.stringify(res.body);
    expect(reasons).toContain('You were marked absent from the introduction meeting on');
    expect(reasons).not.toContain('not recorded yet');
  });
});
