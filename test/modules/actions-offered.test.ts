/**
 * No action that will be refused (issue 12.13), over real HTTP on the real app: each page offers a form or button only
 * when its command would accept it now, by the very rule the command enforces — and when it is not offered, the post
 * is indeed refused. Transfer week, projects week and co-delivery (a locked stage, nothing to choose, one's own
 * record), live rooms, the competency map (request, revoke) and the eligibility record (confirm or return).
 */
import { and, eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { cohortStages } from '../../server/db/tables';
import { transferWeekMoments } from '../../modules/transfer-week/schema';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildUser } from '../support/factories';
import { buildSignoffWorld, PDF, type SignoffWorld } from '../signoffs/support';

jest.setTimeout(120_000);

let t: TestApp;
let w: SignoffWorld;
let mentor: TestAgent;
let candidate: TestAgent;
/** A mentor of the cohort who is also one of its candidates. */
let dual: TestAgent;
let dualId: string;
const REFLECTION = 'I named what I saw, offered a choice and kept my voice low; next time I would pause sooner.';
const LOCKED = [{ kind: 'date-reached', params: { date: '2099-01-01' } }];

const stagePage = (key: string) => `/cohorts/${w.a.cohort.id}/stages/${key}`;
const post = async (agent: TestAgent, path: string, fields: Record<string, string>, from = path) =>
  agent.post(path).type('form').send({ _csrf: await t.csrf(agent, from), ...fields }).redirects(0);
/** Locks (or opens) a stage of cohort A for its candidates with a far-off opening date. */
async function lock(key: string, locked: boolean) {
  await t.database.db.update(cohortStages).set({ openRequirements: locked ? LOCKED : [] }).where(and(eq(cohortStages.cohortId, w.a.cohort.id), eq(cohortStages.moduleKey, key)));
}

beforeAll(async () => {
  t = await startTestApp();
  w = await buildSignoffWorld(t);
  const db = t.database.db;
  await db.insert(cohortStages).values([
    { cohortId: w.a.cohort.id, position: 91, moduleKey: 'projects-week', title: 'Projects week' },
    { cohortId: w.a.cohort.id, position: 92, moduleKey: 'co-delivery', title: 'Co-delivery' },
  ]);
  const both = await buildUser(db, { name: 'Dana Dual', organisationId: w.provider.id, role: 'mentor' });
  await addToCohort(db, w.a.cohort.id, both.id, 'mentor');
  await addToCohort(db, w.a.cohort.id, both.id, 'candidate');
  dualId = both.id;
  [mentor, candidate, dual] = await Promise.all([t.loginAs(w.a.mentor.email), t.loginAs(w.a.candidate.email), t.loginAs(both.email)]);
  // The first form page after an API login sets the CSRF cookie; the tokens each test reads come after it.
  for (const agent of [mentor, candidate, dual]) await agent.get(`/cohorts/${w.a.cohort.id}/stages/transfer-week`);
});
afterAll(() => t?.stop());

describe('transfer week', () => {
  it('offers "Log a moment" only while the stage is open for the candidate; a locked post is refused', async () => {
    await lock('transfer-week', true);
    const locked = await candidate.get(stagePage('transfer-week'));
    expect(locked.text).toContain('data-testid="stage-locked"');
    expect(locked.text).not.toContain('data-testid="log-moment"');
    expect(locked.text).toContain('data-testid="log-locked"');
    expect((await post(candidate, `${stagePage('transfer-week')}/moments`, { segment: 'Warm-up', reflection: REFLECTION }, stagePage('transfer-week'))).status).toBe(409);

    await lock('transfer-week', false);
    const open = await candidate.get(stagePage('transfer-week'));
    expect(open.text).toContain('data-testid="log-moment"');
    expect((await post(candidate, `${stagePage('transfer-week')}/moments`, { segment: 'Warm-up', reflection: REFLECTION }, stagePage('transfer-week'))).status).toBe(303);
  });

  it('offers Confirm and Return on others’ waiting moments, never on one’s own, and a returned moment’s revision only while open', async () => {
    const [own] = await t.database.db
      .insert(transferWeekMoments)
      .values({ cohortStageId: (await t.database.db.select().from(cohortStages).where(and(eq(cohortStages.cohortId, w.a.cohort.id), eq(cohortStages.moduleKey, 'transfer-week'))))[0].id, candidateId: dualId, segment: 'Closing circle', reflection: REFLECTION, status: 'submitted' })
      .returning();
    const [theirs] = await t.database.db.select().from(transferWeekMoments).where(eq(transferWeekMoments.candidateId, w.a.candidate.id));
    const byDual = await dual.get(stagePage('transfer-week'));
    expect(byDual.text).toContain(`/moments/${theirs.id}/confirm`);
    expect(byDual.text).not.toContain(`/moments/${own.id}/confirm`);
    expect(byDual.text).toContain('data-testid="own-moment"');
    expect((await post(dual, `${stagePage('transfer-week')}/moments/${own.id}/confirm`, {}, stagePage('transfer-week'))).status).toBe(403);

    expect((await post(mentor, `${stagePage('transfer-week')}/moments/${theirs.id}/return`, { comment: 'Say what you would change next time.' }, stagePage('transfer-week'))).status).toBe(303);
    const after = await mentor.get(stagePage('transfer-week'));
    expect(after.text).not.toContain(`/moments/${theirs.id}/return`);
    expect(after.text).toContain(`/moments/${own.id}/confirm`);

    expect((await candidate.get(stagePage('transfer-week'))).text).toContain(`action="/cohorts/${w.a.cohort.id}/stages/transfer-week/moments/${theirs.id}"`);
    await lock('transfer-week', true);
    expect((await candidate.get(stagePage('transfer-week'))).text).not.toContain(`action="/cohorts/${w.a.cohort.id}/stages/transfer-week/moments/${theirs.id}"`);
    expect((await post(candidate, `${stagePage('transfer-week')}/moments/${theirs.id}`, { segment: 'Warm-up', reflection: REFLECTION }, stagePage('transfer-week'))).status).toBe(409);
    await lock('transfer-week', false);
  });
});

describe('projects week', () => {
  it('offers "Assign a module" only once there is a module to assign; before that the post is refused', async () => {
    const empty = await mentor.get(stagePage('projects-week'));
    expect(empty.text).not.toContain('data-testid="assign-form"');
    expect(empty.text).toContain('data-testid="assign-waiting"');
    expect((await post(mentor, `${stagePage('projects-week')}/assignments`, { candidateId: w.a.candidate.id, moduleId: '00000000-0000-4000-8000-000000000000' }, stagePage('projects-week'))).status).toBe(400);
    expect((await post(mentor, `${stagePage('projects-week')}/modules/standard`, {}, stagePage('projects-week'))).status).toBe(303);
    const ready = await mentor.get(stagePage('projects-week'));
    expect(ready.text).toContain('data-testid="assign-form"');
    expect(ready.text).not.toContain('data-testid="assign-waiting"');
  });
});

describe('co-delivery', () => {
  it('offers "Add learners" only once a group exists, and the leading candidate’s Save only while the stage is open', async () => {
    const page = stagePage('co-delivery');
    const before = await mentor.get(page);
    expect(before.text).not.toContain(`action="${page}/learners"`);
    expect(before.text).toContain('data-testid="learners-waiting"');
    expect(before.text).toContain(`action="${page}/groups"`);
    expect((await post(mentor, `${page}/learners`, { groupId: '00000000-0000-4000-8000-000000000000', labels: 'HC-01' }, page)).status).toBe(400);
    expect((await post(mentor, `${page}/outcomes/standard`, {}, page)).status).toBe(303);
    expect((await post(mentor, `${page}/groups`, { name: 'Group A', candidateId: w.a.candidate.id }, page)).status).toBe(303);
    const withGroup = await mentor.get(page);
    expect(withGroup.text).toContain(`action="${page}/learners"`);
    const groupId = /groups\/([0-9a-f-]{36})\/attainment/.exec(withGroup.text)![1];
    expect((await post(mentor, `${page}/learners`, { groupId, labels: 'HC-01' }, page)).status).toBe(303);

    const grid = `${page}/groups/${groupId}/attainment`;
    await lock('co-delivery', true);
    const lockedPage = await candidate.get(page);
    expect(lockedPage.text).not.toContain('data-testid="record-attainment"');
    const lockedGrid = await candidate.get(grid);
    expect(lockedGrid.text).toContain('data-testid="stage-locked"');
    expect(lockedGrid.text).not.toContain('Save attainment');
    expect(lockedGrid.text).toMatch(/type="radio"[^>]* disabled>/);
    const cell = /name="(a_[0-9a-f-]{36}_[0-9a-f-]{36})"/.exec(lockedGrid.text)![1];
    expect((await post(candidate, grid, { [cell]: 'achieved' })).status).toBe(409);

    await lock('co-delivery', false);
    expect((await candidate.get(page)).text).toContain('data-testid="record-attainment"');
    const openGrid = await candidate.get(grid);
    expect(openGrid.text).toContain('Save attainment');
    expect(openGrid.text).not.toMatch(/type="radio"[^>]* disabled>/);
    expect((await post(candidate, grid, { [cell]: 'achieved' })).status).toBe(303);
  });

  it('offers a live room only about someone else', async () => {
    const rooms = await dual.get(`/cohorts/${w.a.cohort.id}/live`);
    expect(rooms.text).toContain('data-testid="new-room-form"');
    expect(rooms.text).toContain(`value="${w.a.candidate.id}"`);
    expect(rooms.text).not.toContain(`value="${dualId}"`);
  });
});

describe('the competency map', () => {
  it('offers a request only when requestSignoff accepts one, and Revoke only on a sign-off that counts', async () => {
    const map = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`;
    expect((await candidate.get(map)).text).toContain('data-testid="request-form-T1"');
    const token = await t.csrf(candidate, map);
    const sent = await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`).set('x-csrf-token', token).field('competencyId', w.code.T1).field('reflection', REFLECTION).attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' });
    expect(sent.status).toBe(201);
    const pending = await candidate.get(map);
    expect(pending.text).not.toContain('data-testid="request-form-T1"');
    const again = await candidate.post(`${map}/${w.code.T1}/request`).field('_csrf', token).field('reflection', REFLECTION).attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' }).redirects(0);
    expect(again.status).toBe(409);
    expect((await mentor.get(map)).text).not.toContain('data-testid="revoke-form-T1"');

    const mtoken = await t.csrf(mentor, `/cohorts/${w.a.cohort.id}/signoffs`);
    expect((await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/${sent.body.request.id}/decisions`).set('x-csrf-token', mtoken).send({ action: 'sign_off', rating: 2 })).status).toBe(201);
    expect((await mentor.get(map)).text).toContain('data-testid="revoke-form-T1"');
    expect((await candidate.get(map)).text).not.toContain('data-testid="revoke-form-T1"');
  });
});

describe('the eligibility record', () => {
  it('offers Confirm and Return only on evidence waiting for a mentor', async () => {
    const page = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/eligibility`;
    expect((await mentor.get(page)).text).not.toContain('data-testid="decide-qualification"');
    const own = await candidate.get(page);
    expect(own.text).toContain('data-testid="record-qualification"');
    const token = await t.csrf(candidate, page);
    const sent = await candidate.post(`${page}/qualification`).set('x-csrf-token', token).field('description', 'Level 3 Diploma in Health and Social Care').field('document', 'Original certificate seen by my manager').field('files', '').redirects(0);
    expect(sent.status).toBe(303);
    const waiting = await mentor.get(page);
    expect(waiting.text).toContain('data-testid="decide-qualification"');
    expect((await candidate.get(page)).text).not.toContain('data-testid="decide-qualification"');
    expect((await post(mentor, `${page}/qualification/decision`, { decision: 'confirm' }, page)).status).toBe(303);
    expect((await mentor.get(page)).text).not.toContain('data-testid="decide-qualification"');
    expect((await post(mentor, `${page}/qualification/decision`, { decision: 'confirm' }, page)).status).toBe(409);
  });
});
