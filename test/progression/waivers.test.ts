import { eq } from 'drizzle-orm';
import { auditEvents, cohortStages, ledgerEntries, notifications, stageCompletionMarks, stageWaivers } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { addStages } from './support';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let stages: Awaited<ReturnType<typeof addStages>>;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  stages = await addStages(t.database.db, w.a.cohort.id, [
    { moduleKey: 'x', title: 'First', complete: [{ kind: 'mentor-marked-complete', params: {} }, { kind: 'rubric-passed', params: { rubric: 'delivery' } }] },
    { moduleKey: 'y', title: 'Second', open: [{ kind: 'previous-stage-complete', params: {} }], complete: [{ kind: 'mentor-marked-complete', params: {} }] },
  ]);
});

const progressUrl = (cohortId: string, userId: string) => `/api/v1/cohorts/${cohortId}/candidates/${userId}/progress`;

describe('waivers', () => {
  it('refuses anonymous (401), a candidate (403) and a mentor of another cohort (404); nothing is recorded', async () => {
    const body = { stageId: stages[0].id, reason: 'Previously qualified as a trainer' };
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/waivers`;
    expect((await t.anonymous().post(url).send(body)).status).toBe(401);
    expect((await (await t.loginAs(w.a.candidate.email)).post(url).send(body)).status).toBe(403);
    expect((await (await t.loginAs(w.a.lead.email)).post(url).send(body)).status).toBe(403);
    expect((await (await t.loginAs(w.b.mentor.email)).post(url).send(body)).status).toBe(404);
    expect(await t.database.db.select().from(stageWaivers)).toHaveLength(0);
  });

  it('needs a reason and a requirement key that belongs to the stage', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/waivers`;
    const noReason = await mentor.post(url).send({ stageId: stages[0].id, reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields[0].field).toBe('reason');
    const badKey = await mentor.post(url).send({ stageId: stages[0].id, requirementKey: 'complete:7:attendance', reason: 'A good reason' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.fields[0].field).toBe('requirementKey');
    const otherCohortStage = await addStages(t.database.db, w.b.cohort.id, [{ moduleKey: 'x' }]);
    expect((await mentor.post(url).send({ stageId: otherCohortStage[0].id, reason: 'A good reason' })).status).toBe(404);
  });

  it('waives one requirement: audited, in the ledger, the candidate notified, shown on the record and in the API', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const res = await mentor
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/waivers`)
      .send({ stageId: stages[0].id, requirementKey: 'complete:1:rubric-passed', reason: 'Assessed at a previous employer' });
    expect(res.status).toBe(201);
    expect(res.body.waiver).toMatchObject({ scope: 'requirement', requirementKey: 'complete:1:rubric-passed', ledgerSeq: 1 });
    const [entry] = await t.database.db.select().from(ledgerEntries);
    expect(entry).toMatchObject({ kind: 'stage.waived', candidateId: w.a.candidate.id, cohortId: w.a.cohort.id });
    expect(JSON.parse(entry.payload)).toMatchObject({ reason: 'Assessed at a previous employer', requirementKey: 'complete:1:rubric-passed' });
    expect(await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'stage.waived'))).toHaveLength(1);
    expect(await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.candidate.id))).toHaveLength(1);
    const again = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/waivers`).send({ stageId: stages[0].id, requirementKey: 'complete:1:rubric-passed', reason: 'Twice' });
    expect(again.status).toBe(409);

    const candidate = await t.loginAs(w.a.candidate.email);
    const api = await candidate.get(progressUrl(w.a.cohort.id, w.a.candidate.id));
    expect(api.body.stages[0].requirements[1]).toMatchObject({ kind: 'rubric-passed', met: true, waived: true, reason: 'Waived by your mentor: Assessed at a previous employer' });
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Assessed at a previous employer');
    expect(page.text).toContain('ledger #1');
    expect(page.text).not.toContain('Waive the whole stage'); // candidates see no mentor actions
  });

  it('waives a whole stage with the form, which opens the next stage', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const pageUrl = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`;
    const token = await t.csrf(mentor, pageUrl);
    const before = await mentor.get(pageUrl);
    expect(before.text).toContain('Waive the whole stage');
    const res = await mentor.post(`${pageUrl}/waivers`).type('form').send({ _csrf: token, stageId: stages[0].id, reason: 'Already a qualified trainer' });
    expect(res.status).toBe(303);
    const api = await mentor.get(progressUrl(w.a.cohort.id, w.a.candidate.id));
    expect(api.body.stages.map((s: { status: string }) => s.status)).toEqual(['waived', 'open']);
    const empty = await mentor.post(`${pageUrl}/waivers`).type('form').send({ _csrf: token, stageId: stages[1].id, reason: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('There is a problem');
  });
});

describe('mark complete', () => {
  it('lets the cohort’s mentor mark a stage complete once, and nobody else', async () => {
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/stages/${stages[0].id}/complete`;
    expect((await (await t.loginAs(w.b.mentor.email)).post(url).send({})).status).toBe(404);
    expect((await (await t.loginAs(w.a.candidate.email)).post(url).send({})).status).toBe(403);
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.post(url).send({ note: 'Led the opening well' })).status).toBe(201);
    expect((await mentor.post(url).send({})).status).toBe(409);
    const api = await mentor.get(progressUrl(w.a.cohort.id, w.a.candidate.id));
    expect(api.body.stages[0].requirements[0]).toMatchObject({ kind: 'mentor-marked-complete', met: true });
    expect(api.body.stages[0].status).toBe('open'); // the rubric is still needed
  });

  it('refuses a mark on a stage that asks for none (409, saying what to do instead), writes nothing, and offers no button there (issue 10.6)', async () => {
    const [third] = await t.database.db
      .insert(cohortStages)
      .values({ cohortId: w.a.cohort.id, position: 3, moduleKey: 'z', title: 'Third', completeRequirements: [{ kind: 'rubric-passed', params: { rubric: 'delivery' } }] })
      .returning();
    const mentor = await t.loginAs(w.a.mentor.email);
    const before = await mentor.get(progressUrl(w.a.cohort.id, w.a.candidate.id));
    const res = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/stages/${third.id}/complete`).send({ note: 'Looked fine to me' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe("'Third' does not ask for a mentor's mark: it completes when its own requirements are met. To excuse this candidate from it, waive the stage or a requirement with a reason.");
    // Nothing recorded anywhere, and the candidate's progress reads exactly as before.
    expect(await t.database.db.select().from(stageCompletionMarks)).toEqual([]);
    expect(await t.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, 'stage.marked_complete'))).toEqual([]);
    expect(await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'stage.marked_complete'))).toEqual([]);
    expect((await mentor.get(progressUrl(w.a.cohort.id, w.a.candidate.id))).body).toEqual(before.body);
    // The timeline offers "Mark stage complete" only where a mark is asked for.
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/stages/${stages[0].id}/complete"`);
    expect(page.text).not.toContain(`/stages/${third.id}/complete"`);
  });
});
