/** Rubric assessments through the API: who may assess, never overwritten, side by side with agreement,
 * bestAssessments for progression, and admin rubric creation. */
import { assessments } from '../../server/db/tables';
import { bestAssessments, loadRubric } from '../../server/rubrics/queries';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, type SignoffWorld } from '../signoffs/support';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default.
jest.setTimeout(60_000);
let t: TestApp;
let w: SignoffWorld;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildSignoffWorld(t);
});

/** Levels for the knowledge-module rubric's five criteria (Accurate content ×2 must-pass, Dignity must-pass, then three ×1). */
async function levels(values: number[]) {
  const rubric = await loadRubric(t.database.db, 'knowledge-module');
  return Object.fromEntries(rubric.criteria.map((c, i) => [c.id, values[i]]));
}

const url = () => `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assessments`;

describe('who may assess (401/404/403 first)', () => {
  it('refuses anonymous (401), another cohort’s mentor (404), a peer (404) and the lead (403)', async () => {
    const body = { rubric: 'knowledge-module', contextType: 'module', contextId: 'law-1', levels: await levels([2, 2, 2, 2, 2]) };
    expect((await t.anonymous().post(url()).send(body)).status).toBe(401);
    expect((await (await t.loginAs(w.b.mentor.email)).post(url()).send(body)).status).toBe(404);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).post(url()).send(body)).status).toBe(404);
    expect((await (await t.loginAs(w.a.lead.email)).post(url()).send(body)).status).toBe(403);
    expect(await t.database.db.select().from(assessments)).toEqual([]);
  });

  it('lets a candidate record only a self-assessment', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const asMentor = await candidate.post(url()).send({ rubric: 'knowledge-module', kind: 'mentor', contextType: 'module', contextId: 'law-1', levels: await levels([3, 3, 3, 3, 3]) });
    expect(asMentor.status).toBe(403);
    const self = await candidate.post(url()).send({ rubric: 'knowledge-module', contextType: 'module', contextId: 'law-1', levels: await levels([2, 2, 1, 2, 1]) });
    expect(self.status).toBe(201);
    expect(self.body.assessment.kind).toBe('self');
  });
});

describe('scoring and side by side', () => {
  it('scores with weights and must-pass, keeps every assessment, and shows agreement', async () => {
    const m1 = await t.loginAs(w.a.mentor.email);
    const m2 = await t.loginAs(w.mentor2.email);
    // Weights 2,1,1,1,1 (total 6), points out of 3: (2×2 + 2 + 2 + 2 + 1) / 3 / 6 = 11/18 = 61.11% ≥ 60.
    const first = await m1.post(url()).send({ rubric: 'knowledge-module', contextType: 'module', contextId: 'law-1', levels: await levels([2, 2, 2, 2, 1]), comments: {} });
    expect(first.status).toBe(201);
    expect(first.body.score).toEqual({ percent: 61.11, mustPassFailed: false, failedCriteria: [], passed: true });
    // A high total with "Dignity" (must-pass, pass level Secure) at Developing fails.
    const second = await m2.post(url()).send({ rubric: 'knowledge-module', kind: 'shadow', contextType: 'module', contextId: 'law-1', levels: await levels([3, 1, 3, 3, 3]) });
    expect(second.body.score.passed).toBe(false);
    expect(second.body.score.mustPassFailed).toBe(true);
    expect(second.body.score.percent).toBeGreaterThan(80);
    const list = await m1.get(url());
    expect(list.status).toBe(200);
    expect(list.body.groups).toHaveLength(1);
    const group = list.body.groups[0];
    expect(group.assessments.map((a: { kind: string }) => a.kind)).toEqual(['mentor', 'shadow']);
    // Levels [2,2,2,2,1] vs [3,1,3,3,3]: equal on none, within one on 4 of 5.
    expect(group.agreement).toEqual({ pairs: 5, exact: 0, withinOne: 80 });
    expect(group.rows[1].cells.map((c: { label: string; belowPass: boolean }) => [c.label, c.belowPass])).toEqual([
      ['Secure', false],
      ['Developing', true],
    ]);
  });

  it('sets the self-assessment against every mentor’s latest view, not just one', async () => {
    const m1 = await t.loginAs(w.a.mentor.email);
    const m2 = await t.loginAs(w.mentor2.email);
    const body = async (v: number[]) => ({ rubric: 'knowledge-module', contextType: 'module', contextId: 'law-1', levels: await levels(v) });
    expect((await m1.post(url()).send(await body([2, 2, 2, 2, 1]))).status).toBe(201);
    expect((await m2.post(url()).send(await body([3, 1, 3, 3, 3]))).status).toBe(201);
    expect((await m1.post(url()).send(await body([2, 2, 2, 2, 2]))).status).toBe(201); // the first mentor's latest view
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.post(url()).send(await body([2, 2, 2, 2, 2]))).status).toBe(201);
    const group = (await m1.get(url())).body.groups[0];
    expect(group.assessments).toHaveLength(4); // nothing overwritten
    // Mentors: each counts once, by their latest ([2,2,2,2,2] vs [3,1,3,3,3]).
    expect(group.agreement).toEqual({ pairs: 5, exact: 0, withinOne: 100 });
    // Self against each mentor: the same as the first mentor on all five; within one of the second on all five.
    expect(group.selfAgreement).toEqual({
      pairs: 10,
      exact: 50,
      withinOne: 100,
      mentors: [
        { name: w.a.mentor.name, agreement: { pairs: 5, exact: 100, withinOne: 100 } },
        { name: w.mentor2.name, agreement: { pairs: 5, exact: 0, withinOne: 100 } },
      ],
    });
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assessments`);
    const text = page.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Your self-assessment and every mentor agree on 50% of criteria exactly, 100% within one level (each mentor’s latest assessment counts):');
    expect(text).toContain(`With ${w.a.mentor.name}: 100% exactly, 100% within one level`);
    expect(text).toContain(`With ${w.mentor2.name}: 0% exactly, 100% within one level`);
  });

  it('refuses an incomplete score sheet, naming what is missing', async () => {
    const m1 = await t.loginAs(w.a.mentor.email);
    const all = await levels([2, 2, 2, 2, 2]);
    const partial = Object.fromEntries(Object.entries(all).slice(0, 3));
    const res = await m1.post(url()).send({ rubric: 'knowledge-module', contextType: 'module', contextId: 'law-1', levels: partial });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Choose a level for every criterion — 2 still to do.');
  });
});

describe('bestAssessments', () => {
  it('returns each candidate’s best mentor assessment per rubric, a pass before a higher fail', async () => {
    const m1 = await t.loginAs(w.a.mentor.email);
    await m1.post(url()).send({ rubric: 'knowledge-module', contextType: 'module', contextId: 'a', levels: await levels([3, 1, 3, 3, 3]) });
    const pass = await m1.post(url()).send({ rubric: 'knowledge-module', contextType: 'module', contextId: 'b', levels: await levels([2, 2, 2, 2, 2]) });
    const self = await t.loginAs(w.a.candidate.email);
    await self.post(url()).send({ rubric: 'knowledge-module', contextType: 'module', contextId: 'b', levels: await levels([3, 3, 3, 3, 3]) });
    const best = await bestAssessments(t.database.db, [{ cohortId: w.a.cohort.id, candidateIds: [w.a.candidate.id, w.a.otherCandidate.id] }], ['knowledge-module', 'practical-session']);
    const mine = best.get(w.a.cohort.id)?.get(w.a.candidate.id);
    expect(mine?.get('knowledge-module')).toEqual(expect.objectContaining({ assessmentId: pass.body.assessment.id, passed: true, percent: 66.67, passThreshold: 60 }));
    expect(mine?.has('practical-session')).toBe(false);
    expect(best.get(w.a.cohort.id)?.get(w.a.otherCandidate.id)?.size).toBe(0);
    const withSelf = await bestAssessments(t.database.db, [{ cohortId: w.a.cohort.id, candidateIds: [w.a.candidate.id] }], ['knowledge-module'], { kinds: ['self'] });
    expect(withSelf.get(w.a.cohort.id)?.get(w.a.candidate.id)?.get('knowledge-module')?.percent).toBe(100);
  });
});

describe('rubric administration', () => {
  const rubric = {
    key: 'observation',
    name: 'Observed practice',
    passThreshold: 50,
    levels: [
      { label: 'No', points: 0 },
      { label: 'Yes', points: 1 },
    ],
    criteria: [{ title: 'Safe', weight: 1, mustPass: true, passLevel: 1, descriptors: ['Unsafe', 'Safe'] }],
  };

  it('lets only an admin create a rubric (403 for mentors) and refuses a duplicate key (409)', async () => {
    expect((await (await t.loginAs(w.a.mentor.email)).post('/api/v1/rubrics').send(rubric)).status).toBe(403);
    const admin = await t.loginAs(w.admin.email);
    const res = await admin.post('/api/v1/rubrics').send(rubric);
    expect(res.status).toBe(201);
    expect(res.body.rubric.criteria[0].descriptors.map((d: { text: string }) => d.text)).toEqual(['Unsafe', 'Safe']);
    expect((await admin.post('/api/v1/rubrics').send(rubric)).status).toBe(409);
    const bad = await admin.post('/api/v1/rubrics').send({ ...rubric, key: 'other', criteria: [{ ...rubric.criteria[0], passLevel: 5, descriptors: ['one'] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['criteria.0.descriptors', 'criteria.0.passLevel']);
  });
});
