/**
 * A person who holds two roles in a cohort — here Mentor A, who is also a candidate of Cohort A — can never waive,
 * mark, sign off, assess, take the register for, or give live feedback on their own record, by any path (API or
 * page), and the pages offer them no such control. Each path is tried; the other mentor doing the same succeeds.
 */
import { and, eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { cohortStages, cohorts, competencies, rubricCriteria, rubrics, signoffRequests } from '../../server/db/tables';
import { discoverModules } from '../../server/modules/loader';
import { seedFrameworkAndRubrics } from '../../seed/framework';
import { remedialWorkshopTopics } from '../../modules/remedial-workshop/schema';
import { transferWeekMoments } from '../../modules/transfer-week/schema';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildUser, buildWorld, type World } from '../support/factories';
import { PNG } from '../signoffs/support';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let dual: TestAgent;
let other: TestAgent;
let dualId: string;
let cohortId: string;
const stageId: Record<string, string> = {};
const OWN = /cannot|own/i;

beforeAll(async () => {
  t = await startTestApp();
  const db = t.database.db;
  w = await buildWorld(db);
  const { frameworkId } = await seedFrameworkAndRubrics(db);
  cohortId = w.a.cohort.id;
  await db.update(cohorts).set({ frameworkId }).where(eq(cohorts.id, cohortId));
  dualId = w.a.mentor.id;
  await addToCohort(db, cohortId, dualId, 'candidate');
  const mentor2 = await buildUser(db, { name: 'Mentor A2', organisationId: w.provider.id, role: 'mentor' });
  await addToCohort(db, cohortId, mentor2.id, 'mentor');
  const byKey = new Map(discoverModules().map((m) => [m.key, m]));
  const keys = ['zoom-intro', 'transfer-week', 'co-delivery', 'remedial-workshop'];
  const rows = await db
    .insert(cohortStages)
    .values(keys.map((key, i) => ({ cohortId, position: i + 1, moduleKey: key, title: byKey.get(key)!.title, config: byKey.get(key)!.defaults.config, openRequirements: [], completeRequirements: [{ kind: 'mentor-marked-complete', params: {} }] })))
    .returning();
  for (const r of rows) stageId[r.moduleKey] = r.id;
  dual = await t.loginAs(w.a.mentor.email);
  other = await t.loginAs(mentor2.email);
});
afterAll(() => t.stop());

const api = (p: string) => `/api/v1/cohorts/${cohortId}${p}`;
const stageApi = (key: string, p: string) => api(`/stages/${key}${p}`);

async function ownRequest(code: string): Promise<string> {
  const [c] = await t.database.db.select().from(competencies).where(eq(competencies.code, code));
  const token = await t.csrf(dual, '/cohorts');
  const res = await dual
    .post(api(`/candidates/${dualId}/signoffs`))
    .set('x-csrf-token', token)
    .field('competencyId', c.id)
    .field('reflection', 'I led the session and adapted it for two learners who found the role-play hard.')
    .attach('files', PNG, { filename: 'plan.png', contentType: 'image/png' });
  expect(res.status).toBe(201);
  return res.body.request.id as string;
}

describe('a mentor who is also a candidate of the cohort', () => {
  it('cannot waive their own stage or requirement (API and page); another mentor can', async () => {
    const body = { stageId: stageId['zoom-intro'], reason: 'I did this at my last job.' };
    const res = await dual.post(api(`/candidates/${dualId}/waivers`)).send(body);
    expect(res.status).toBe(403);
    const token = await t.csrf(dual, `/cohorts/${cohortId}/candidates/${dualId}`);
    expect((await dual.post(`/cohorts/${cohortId}/candidates/${dualId}/waivers`).type('form').send({ ...body, _csrf: token })).status).toBe(403);
    expect((await other.post(api(`/candidates/${dualId}/waivers`)).send(body)).status).toBe(201);
  });

  it('cannot mark their own stage complete; another mentor can', async () => {
    expect((await dual.post(api(`/candidates/${dualId}/stages/${stageId['transfer-week']}/complete`)).send({})).status).toBe(403);
    expect((await other.post(api(`/candidates/${dualId}/stages/${stageId['transfer-week']}/complete`)).send({})).status).toBe(201);
  });

  it('sees no waive, withdraw or mark controls on their own timeline', async () => {
    const page = await dual.get(`/cohorts/${cohortId}/candidates/${dualId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-testid="mark-complete"');
    expect(page.text).not.toContain('Waive the whole stage');
    expect(page.text).not.toContain('data-testid="withdraw-waiver"');
    const forOther = await dual.get(`/cohorts/${cohortId}/candidates/${w.a.candidate.id}`);
    expect(forOther.text).toContain('Waive the whole stage');
  });

  it('cannot decide on their own sign-off request, and the queue shows it without a form', async () => {
    const id = await ownRequest('D1');
    const res = await dual.post(api(`/signoffs/${id}/decisions`)).send({ action: 'sign_off', rating: 2 });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(OWN);
    const queue = await dual.get(`/cohorts/${cohortId}/signoffs`);
    const rest = queue.text.slice(queue.text.indexOf(`id="request-${id}"`));
    const next = rest.indexOf('data-testid="queue-item"', 1 + rest.indexOf('data-testid="queue-item"'));
    const item = next > 0 ? rest.slice(0, next) : rest;
    expect(item).toContain('data-testid="own-record"');
    expect(item).not.toContain('decision-form');
    expect((await other.post(api(`/signoffs/${id}/decisions`)).send({ action: 'sign_off', rating: 2 })).status).toBe(201);
  });

  it('cannot countersign or revoke their own safety-critical sign-off', async () => {
    const [sc] = await t.database.db.select().from(competencies).where(eq(competencies.safetyCritical, true)).limit(1);
    const id = await ownRequest(sc.code);
    expect((await other.post(api(`/signoffs/${id}/decisions`)).send({ action: 'sign_off', rating: 2 })).status).toBe(201);
    expect((await dual.post(api(`/signoffs/${id}/decisions`)).send({ action: 'countersign' })).status).toBe(403);
    expect((await dual.post(api(`/signoffs/${id}/decisions`)).send({ action: 'revoke', note: 'Not yet.' })).status).toBe(403);
    const [row] = await t.database.db.select().from(signoffRequests).where(eq(signoffRequests.id, id));
    expect(row.status).toBe('awaiting_countersign');
  });

  it('cannot include themself in a bulk sign-off', async () => {
    const [c] = await t.database.db.select().from(competencies).where(eq(competencies.code, 'D3'));
    const res = await dual.post(api('/signoffs/bulk')).send({ competencyId: c.id, candidateIds: [w.a.candidate.id, dualId], rating: 2, evidence: [{ refType: 'transfer-week:register', refId: '00000000-0000-4000-8000-000000000000' }] });
    expect(res.status).toBe(403);
    expect(await t.database.db.select().from(signoffRequests).where(and(eq(signoffRequests.competencyId, c.id)))).toHaveLength(0);
  });

  it('can record only a self-assessment of themself, never a mentor assessment', async () => {
    const [rubric] = await t.database.db.select().from(rubrics).where(eq(rubrics.key, 'knowledge-module'));
    const criteria = await t.database.db.select().from(rubricCriteria).where(eq(rubricCriteria.rubricId, rubric.id));
    const body = { rubric: 'knowledge-module', contextType: 'module', contextId: 'm1', levels: Object.fromEntries(criteria.map((c) => [c.id, 3])) };
    expect((await dual.post(api(`/candidates/${dualId}/assessments`)).send({ ...body, kind: 'mentor' })).status).toBe(403);
    expect((await dual.post(api(`/candidates/${dualId}/assessments`)).send({ ...body, kind: 'shadow' })).status).toBe(403);
    const self = await dual.post(api(`/candidates/${dualId}/assessments`)).send(body);
    expect(self.status).toBe(201);
    expect(self.body.assessment.kind).toBe('self');
  });

  it('cannot mark their own attendance on the zoom register; their row is left for someone else', async () => {
    expect((await dual.post(stageApi('zoom-intro', '/register')).send({ present: [dualId, w.a.candidate.id] })).status).toBe(403);
    const ok = await dual.post(stageApi('zoom-intro', '/register')).send({ present: [w.a.candidate.id] });
    expect(ok.status).toBe(200);
    expect(ok.body.attendance.map((a: { candidateId: string }) => a.candidateId)).not.toContain(dualId);
    expect((await other.post(stageApi('zoom-intro', '/register')).send({ present: [dualId] })).status).toBe(200);
  });

  it('cannot put their own mark on a transfer-week register, nor confirm their own trainer-role moment', async () => {
    const day = await other.post(stageApi('transfer-week', '/days')).send({ day: new Date().toISOString().slice(0, 10), venue: 'Training room 2' });
    expect(day.status).toBe(201);
    const dayId = day.body.day.id as string;
    const mine = await dual.put(stageApi('transfer-week', `/days/${dayId}/register`)).send({ marks: [{ candidateId: dualId, mark: 'present' }] });
    expect(mine.status).toBe(403);
    expect((await dual.put(stageApi('transfer-week', `/days/${dayId}/register`)).send({ marks: [{ candidateId: w.a.candidate.id, mark: 'present' }] })).status).toBe(200);
    const moment = await dual.post(stageApi('transfer-week', '/moments')).send({ segment: 'Opening the day', reflection: 'I opened the day and set the tone for the group, checking in with each learner.' });
    expect(moment.status).toBe(201);
    const momentId = moment.body.moment.id as string;
    expect((await dual.post(stageApi('transfer-week', `/moments/${momentId}/confirm`)).send({})).status).toBe(403);
    const [row] = await t.database.db.select().from(transferWeekMoments).where(eq(transferWeekMoments.id, momentId));
    expect(row.status).not.toBe('confirmed');
  });

  it('cannot open a live feedback room about themself', async () => {
    const res = await dual.post(api('/live-rooms')).send({ candidateId: dualId, title: 'My own session' });
    expect(res.status).toBe(403);
    expect((await other.post(api('/live-rooms')).send({ candidateId: dualId, title: 'Their session' })).status).toBe(201);
  });

  it('cannot mark their own remedial topic covered, nor sign off their own readiness', async () => {
    await t.database.db.insert(remedialWorkshopTopics).values({ cohortStageId: stageId['remedial-workshop'], candidateId: dualId, text: 'Talking down from a hold' });
    const [topic] = await t.database.db.select().from(remedialWorkshopTopics).where(eq(remedialWorkshopTopics.candidateId, dualId));
    expect((await dual.put(stageApi('remedial-workshop', `/topics/${topic.id}/covered`)).send({ covered: true })).status).toBe(403);
    const sign = await dual.post(stageApi('remedial-workshop', '/signoffs')).send({ candidateId: dualId, overrideReason: 'I know I am ready, honestly.' });
    expect(sign.status).toBe(403);
    const page = await dual.get(`/cohorts/${cohortId}/stages/remedial-workshop`);
    expect(page.text).not.toMatch(new RegExp(`name="candidateId" value="${dualId}"`));
  });
});
