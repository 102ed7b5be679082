import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { cohortStages } from '../../../server/db/tables';
import type { StageRow } from '../../../server/progression/types';
import manifest from '../../../modules/transfer-week';
import { transferWeekAttendance, transferWeekDays, transferWeekMoments } from '../../../modules/transfer-week/schema';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let stageA: StageRow;
let stageB: StageRow;
const kinds = manifest.requirementKinds!;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const make = async (cohortId: string) =>
    (
      await t.database.db
        .insert(cohortStages)
        .values({ cohortId, position: 1, moduleKey: 'transfer-week', title: 'Transfer week', openRequirements: [], completeRequirements: manifest.defaults.complete })
        .returning()
    )[0] as StageRow;
  stageA = await make(w.a.cohort.id);
  stageB = await make(w.b.cohort.id);
});

const evaluate = (kind: string, items: { stage: StageRow; candidateIds: string[]; params: Record<string, unknown> }[]) =>
  kinds[kind].evaluate({ db: t.database.db, now: new Date(), items: items.map((i) => ({ ...i, stages: [i.stage] })), earlier: new Map() });

async function addDays(stage: StageRow, n: number) {
  return t.database.db
    .insert(transferWeekDays)
    .values(Array.from({ length: n }, (_, i) => ({ cohortStageId: stage.id, day: `2026-03-0${i + 1}`, venue: 'Training suite', createdBy: w.a.mentor.id })))
    .returning();
}

describe('transfer-week:attended-days', () => {
  it('explains an unscheduled week, counts present and late (not absent), and is met exactly at the minimum', async () => {
    const c = w.a.candidate.id;
    let r = await evaluate('transfer-week:attended-days', [{ stage: stageA, candidateIds: [c], params: { min: 2 } }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: false, reason: 'Attend 2 transfer-week days — none scheduled yet.', progress: { done: 0, of: 2 } });
    const days = await addDays(stageA, 3);
    await t.database.db.insert(transferWeekAttendance).values([
      { dayId: days[0].id, candidateId: c, mark: 'present', recordedBy: w.a.mentor.id },
      { dayId: days[1].id, candidateId: c, mark: 'absent', recordedBy: w.a.mentor.id },
    ]);
    r = await evaluate('transfer-week:attended-days', [{ stage: stageA, candidateIds: [c], params: { min: 2 } }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: false, reason: 'Attend 2 of 3 transfer-week days — 1 recorded.', progress: { done: 1, of: 2 } });
    await t.database.db.insert(transferWeekAttendance).values({ dayId: days[2].id, candidateId: c, mark: 'late', recordedBy: w.a.mentor.id });
    r = await evaluate('transfer-week:attended-days', [
      { stage: stageA, candidateIds: [c, w.a.otherCandidate.id], params: { min: 2 } },
      { stage: stageB, candidateIds: [w.b.candidate.id], params: { min: 1 } },
    ]);
    expect(r.get(stageA.id)!.get(c)).toMatchObject({ met: true, reason: 'Attended 2 of 3 transfer-week days (2 needed).' });
    expect(r.get(stageA.id)!.get(w.a.otherCandidate.id)).toMatchObject({ met: false, reason: 'Attend 2 of 3 transfer-week days — 0 recorded.' });
    expect(r.get(stageB.id)!.get(w.b.candidate.id)).toMatchObject({ met: false, reason: 'Attend 1 transfer-week day — none scheduled yet.' });
  });

  it('serves the core attendance kind through transfer-week:attendance {sessions}', async () => {
    const [day] = await addDays(stageA, 1);
    await t.database.db.insert(transferWeekAttendance).values({ dayId: day.id, candidateId: w.a.candidate.id, mark: 'present', recordedBy: w.a.mentor.id });
    const r = await evaluate('transfer-week:attendance', [{ stage: stageA, candidateIds: [w.a.candidate.id], params: { sessions: 1 } }]);
    expect(r.get(stageA.id)!.get(w.a.candidate.id)!.met).toBe(true);
  });
});

describe('transfer-week:confirmed-moments', () => {
  it('counts only confirmed moments and says what is waiting or returned', async () => {
    const c = w.a.candidate.id;
    const moment = (status: 'submitted' | 'confirmed' | 'returned') => ({ cohortStageId: stageA.id, candidateId: c, segment: 'Warm-up', reflection: 'It went well overall, I will pace it better.', status });
    await t.database.db.insert(transferWeekMoments).values([moment('confirmed'), moment('submitted'), moment('returned')]);
    let r = await evaluate('transfer-week:confirmed-moments', [{ stage: stageA, candidateIds: [c], params: { min: 2 } }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({
      met: false,
      reason: 'Have 2 trainer-role moments confirmed by a mentor — 1 confirmed, 1 waiting for a mentor, 1 returned to you with a comment.',
      progress: { done: 1, of: 2 },
    });
    await t.database.db.insert(transferWeekMoments).values(moment('confirmed'));
    r = await evaluate('transfer-week:confirmed-moments', [{ stage: stageA, candidateIds: [c], params: { min: 2 } }]);
    expect(r.get(stageA.id)!.get(c)).toMatchObject({ met: true, reason: '2 trainer-role moments confirmed by a mentor (2 needed).' });
  });
});

describe('transfer-week routes', () => {
  const api = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/transfer-week`;
  const page = () => `/cohorts/${w.a.cohort.id}/stages/transfer-week`;

  it('refuses anonymous people (401), hides the cohort from another cohort’s mentor (404) and forbids candidates the register (403)', async () => {
    const [day] = await addDays(stageA, 1);
    const body = { marks: [{ candidateId: w.a.candidate.id, mark: 'present' }] };
    expect((await t.anonymous().put(`${api()}/days/${day.id}/register`).send(body)).status).toBe(401);
    const outsider = await t.loginAs(w.b.mentor.email);
    expect((await outsider.put(`${api()}/days/${day.id}/register`).send(body)).status).toBe(404);
    expect((await outsider.get(`${page()}/days/${day.id}/register`)).status).toBe(404);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.put(`${api()}/days/${day.id}/register`).send(body)).status).toBe(403);
    expect(await t.database.db.select().from(transferWeekAttendance)).toHaveLength(0);
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.put(`${api()}/days/00000000-0000-4000-8000-000000000000/register`).send(body)).status).toBe(404);
  });

  it('takes a register on the tablet page with radio buttons and a plain form post', async () => {
    const [day] = await addDays(stageA, 1);
    const mentor = await t.loginAs(w.a.mentor.email);
    const form = await mentor.get(`${page()}/days/${day.id}/register`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('data-testid="day-register"');
    expect(form.text).toContain(`type="radio" name="mark-${w.a.candidate.id}" value="present"`);
    const token = await t.csrf(mentor, `${page()}/days/${day.id}/register`);
    const saved = await mentor
      .post(`${page()}/days/${day.id}/register`)
      .type('form')
      .send({ _csrf: token, [`mark-${w.a.candidate.id}`]: 'present', [`mark-${w.a.otherCandidate.id}`]: 'late' });
    expect(saved.status).toBe(303);
    const after = await mentor.get(saved.headers.location);
    expect(after.text).toContain('The register is saved.');
    expect(after.text).toMatch(new RegExp(`name="mark-${w.a.otherCandidate.id}" value="late" checked`));
    // Saving again replaces the mark.
    await mentor.put(`${api()}/days/${day.id}/register`).send({ marks: [{ candidateId: w.a.otherCandidate.id, mark: 'absent' }] }).expect(200);
    const rows = await t.database.db.select().from(transferWeekAttendance).where(eq(transferWeekAttendance.dayId, day.id));
    expect(rows.map((r) => r.mark).sort()).toEqual(['absent', 'present']);
  });

  it('rejects bad register input with 400 naming the field, and writes nothing', async () => {
    const [day] = await addDays(stageA, 1);
    const mentor = await t.loginAs(w.a.mentor.email);
    const bad = await mentor.put(`${api()}/days/${day.id}/register`).send({ marks: [{ candidateId: w.a.candidate.id, mark: 'asleep' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ field: 'marks.0.mark', message: 'The mark must be present, late or absent.' }]);
    const stranger = await mentor.put(`${api()}/days/${day.id}/register`).send({ marks: [{ candidateId: w.b.candidate.id, mark: 'present' }] });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.fields[0].field).toBe('marks.0.candidateId');
    const token = await t.csrf(mentor, `${page()}/days/${day.id}/register`);
    const formBad = await mentor.post(`${page()}/days/${day.id}/register`).type('form').send({ _csrf: token, [`mark-${w.a.candidate.id}`]: 'maybe' });
    expect(formBad.status).toBe(400);
    expect(formBad.text).toContain(`href="#field-mark-${w.a.candidate.id}"`);
    expect(await t.database.db.select().from(transferWeekAttendance)).toHaveLength(0);
    const noVenue = await mentor.post(`${api()}/days`).send({ day: '2026-03-01' });
    expect(noVenue.status).toBe(400);
    expect(noVenue.body.error.fields).toEqual([{ field: 'venue', message: expect.any(String) }]);
  });

  it('lets a candidate log a moment that a mentor confirms or returns — never the candidate themself', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const short = await candidate.post(`${api()}/moments`).send({ segment: 'Warm-up', reflection: 'fine' });
    expect(short.status).toBe(400);
    expect(short.body.error.fields[0].field).toBe('reflection');
    expect(await t.database.db.select().from(transferWeekMoments)).toHaveLength(0);
    const token = await t.csrf(candidate, page());
    const logged = await candidate
      .post(`${page()}/moments`)
      .type('form')
      .send({ _csrf: token, segment: 'Led the breakaway demonstration', reflection: 'I went too fast at first; slowing down helped the pairs follow.', dayId: '' });
    expect(logged.status).toBe(303);
    const [moment] = await t.database.db.select().from(transferWeekMoments);
    expect(moment.status).toBe('submitted');
    expect((await candidate.post(`${api()}/moments/${moment.id}/confirm`).send({})).status).toBe(403);
    const other = await t.loginAs(w.a.otherCandidate.email);
    // A peer candidate may not even learn that the moment exists.
    expect((await other.post(`${api()}/moments/${moment.id}/confirm`).send({})).status).toBe(404);
    const outsider = await t.loginAs(w.b.mentor.email);
    expect((await outsider.post(`${api()}/moments/${moment.id}/confirm`).send({})).status).toBe(404);
    const mentor = await t.loginAs(w.a.mentor.email);
    const noComment = await mentor.post(`${api()}/moments/${moment.id}/return`).send({});
    expect(noComment.status).toBe(400);
    expect(noComment.body.error.fields[0].field).toBe('comment');
    const returned = await mentor.post(`${api()}/moments/${moment.id}/return`).send({ comment: 'Say what you would change next time.' });
    expect(returned.body.moment.status).toBe('returned');
    const mine = await candidate.get(page());
    expect(mine.text).toContain('Returned to you');
    expect(mine.text).toContain('Say what you would change next time.');
    await candidate.put(`${api()}/moments/${moment.id}`).send({ segment: 'Led the breakaway demonstration', reflection: 'Next time I will demonstrate at half speed first.' }).expect(200);
    const confirmed = await mentor.post(`${api()}/moments/${moment.id}/confirm`).send({ comment: 'Good reflection.' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.moment.status).toBe('confirmed');
    expect((await mentor.post(`${api()}/moments/${moment.id}/confirm`).send({})).status).toBe(409);
    const state = await candidate.get(api());
    expect(state.body.standings).toEqual([
      { candidateId: w.a.candidate.id, days: expect.objectContaining({ met: false }), moments: expect.objectContaining({ reason: 'Have 2 trainer-role moments confirmed by a mentor — 1 confirmed.' }) },
    ]);
  });

  it('refuses a moment while transfer week is still locked for the candidate (409 with the reason) and writes nothing', async () => {
    await t.database.db.delete(cohortStages).where(eq(cohortStages.id, stageB.id));
    const [first] = await t.database.db
      .insert(cohortStages)
      .values({ cohortId: w.b.cohort.id, position: 1, moduleKey: 'zoom-intro', title: 'Introduction meeting', completeRequirements: [{ kind: 'mentor-marked-complete', params: {} }] })
      .returning();
    await t.database.db.insert(cohortStages).values({ cohortId: w.b.cohort.id, position: 2, moduleKey: 'transfer-week', title: 'Transfer week', openRequirements: [{ kind: 'previous-stage-complete', params: {} }], completeRequirements: manifest.defaults.complete });
    const candidate = await t.loginAs(w.b.candidate.email);
    const res = await candidate.post(`/api/v1/cohorts/${w.b.cohort.id}/stages/transfer-week/moments`).send({ segment: 'Warm-up', reflection: 'I would like to log this before the week starts.' });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'gate_closed', message: "Transfer week is not open for you yet: Complete 'Introduction meeting' first.", fields: [] });
    expect(await t.database.db.select().from(transferWeekMoments)).toHaveLength(0);
    const page = await candidate.get(`/cohorts/${w.b.cohort.id}/stages/transfer-week`);
    expect(page.text).toContain('data-testid="stage-locked"');
    expect(first.position).toBe(1);
  });
});
