import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { assessments, assessmentScores, cohortStages, rubricCriteria, rubricLevels, rubrics } from '../../../server/db/tables';
import type { StageRow } from '../../../server/progression/types';
import manifest from '../../../modules/remedial-workshop';
import { remedialWorkshopChecklist, remedialWorkshopSignoffs, remedialWorkshopTopics } from '../../../modules/remedial-workshop/schema';
import { DEFAULT_CHECKLIST } from '../../../modules/remedial-workshop/checklist';
import { agendaFor } from '../../../modules/remedial-workshop/agenda';

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
  const make = async (cohortId: string, config: Record<string, unknown> = manifest.defaults.config) =>
    (await t.database.db.insert(cohortStages).values({ cohortId, position: 1, moduleKey: 'remedial-workshop', title: 'Remedial workshop', config, completeRequirements: manifest.defaults.complete }).returning())[0] as StageRow;
  stageA = await make(w.a.cohort.id);
  stageB = await make(w.b.cohort.id, { checklist: [{ key: 'dates', label: 'Dates booked' }] });
});

const evaluate = (kind: string, items: { stage: StageRow; candidateIds: string[] }[]) =>
  kinds[kind].evaluate({ db: t.database.db, now: new Date(), items: items.map((i) => ({ ...i, stages: [i.stage], params: {} })), earlier: new Map() });

async function tickAll(stage: StageRow, keys: string[], both = true) {
  await t.database.db.insert(remedialWorkshopChecklist).values(keys.map((itemKey) => ({ cohortStageId: stage.id, itemKey, leadBy: w.a.lead.id, leadAt: new Date(), ...(both ? { mentorBy: w.a.mentor.id, mentorAt: new Date() } : {}) })));
}

describe('remedial-workshop:topics-covered', () => {
  it('is met with no requests, unmet while any requested topic is uncovered, met when all are', async () => {
    const c = w.a.candidate.id;
    let r = await evaluate('remedial-workshop:topics-covered', [{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: true, reason: 'You requested no deep-dive topics, so there is nothing to cover.', progress: { done: 0, of: 0 } });
    const topics = await t.database.db
      .insert(remedialWorkshopTopics)
      .values([{ cohortStageId: stageA.id, candidateId: c, text: 'Floor holds' }, { cohortStageId: stageA.id, candidateId: c, text: 'Debriefs', coveredAt: new Date(), coveredBy: w.a.mentor.id }])
      .returning();
    r = await evaluate('remedial-workshop:topics-covered', [{ stage: stageA, candidateIds: [c, w.a.otherCandidate.id] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: false, reason: 'Have your 2 requested topics covered in the workshop — 1 covered so far.', progress: { done: 1, of: 2 } });
    expect(r.get(stageA.id)!.get(w.a.otherCandidate.id)!.met).toBe(true);
    await t.database.db.update(remedialWorkshopTopics).set({ coveredAt: new Date() });
    r = await evaluate('remedial-workshop:topics-covered', [{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)).toMatchObject({ met: true, reason: 'All 2 of your requested topics were covered.' });
    expect(topics).toHaveLength(2);
  });
});

describe('remedial-workshop:readiness-signed', () => {
  it('explains the checklist while unsigned and is met once the mentor signs', async () => {
    await tickAll(stageA, DEFAULT_CHECKLIST.slice(0, 3).map((i) => i.key));
    await tickAll(stageA, [DEFAULT_CHECKLIST[3].key], false);
    await tickAll(stageB, ['dates']);
    let r = await evaluate('remedial-workshop:readiness-signed', [{ stage: stageA, candidateIds: [w.a.candidate.id] }, { stage: stageB, candidateIds: [w.b.candidate.id] }]);
    expect(r.get(stageA.id)!.get(w.a.candidate.id)).toEqual({
      met: false,
      reason: "Wait for your mentor's final readiness sign-off — the rollout checklist has 3 of 7 items ticked by both the lead and the mentor.",
      progress: { done: 0, of: 1 },
    });
    expect(r.get(stageB.id)!.get(w.b.candidate.id)!.reason).toBe("Wait for your mentor's final readiness sign-off — the rollout checklist is complete.");
    await t.database.db.insert(remedialWorkshopSignoffs).values({ cohortStageId: stageB.id, candidateId: w.b.candidate.id, mentorId: w.b.mentor.id });
    r = await evaluate('remedial-workshop:readiness-signed', [{ stage: stageB, candidateIds: [w.b.candidate.id] }]);
    expect(r.get(stageB.id)!.get(w.b.candidate.id)).toMatchObject({ met: true, reason: 'Your mentor signed you off as ready to roll out the training.' });
  });
});

describe('the pre-filled agenda', () => {
  it('lists criteria below pass in the latest mentor assessment and self/mentor gaps of two levels or more', async () => {
    const db = t.database.db;
    const [rubric] = await db.insert(rubrics).values({ key: 'practical-session', name: 'Co-delivering a practical session', passThreshold: 60 }).returning();
    await db.insert(rubricLevels).values(['Not yet', 'Developing', 'Competent', 'Exemplary'].map((label, i) => ({ rubricId: rubric.id, position: i + 1, label, points: i })));
    const [timing, safety, feedback] = await db
      .insert(rubricCriteria)
      .values([
        { rubricId: rubric.id, position: 1, title: 'Session timing', weight: 1, passLevel: 3 },
        { rubricId: rubric.id, position: 2, title: 'Keeping practice safe', weight: 2, passLevel: 3, mustPass: true },
        { rubricId: rubric.id, position: 3, title: 'Giving feedback', weight: 1, passLevel: 2 },
      ])
      .returning();
    const c = w.a.candidate.id;
    const assess = async (kind: 'mentor' | 'self', at: number, levels: [string, number][]) => {
      const [a] = await db
        .insert(assessments)
        .values({ rubricId: rubric.id, cohortId: w.a.cohort.id, candidateId: c, assessorId: kind === 'self' ? c : w.a.mentor.id, kind, contextType: 'session', contextId: 'day-1', percent: 50, passed: false, mustPassFailed: false, createdAt: new Date(at) })
        .returning();
      await db.insert(assessmentScores).values(levels.map(([criterionId, levelPosition]) => ({ assessmentId: a.id, criterionId, levelPosition })));
    };
    await assess('mentor', 1000, [[timing.id, 1], [safety.id, 4], [feedback.id, 4]]);
    await assess('mentor', 2000, [[timing.id, 3], [safety.id, 2], [feedback.id, 4]]);
    await assess('self', 1500, [[timing.id, 2], [safety.id, 3], [feedback.id, 1]]);
    const agenda = (await agendaFor(db, w.a.cohort.id, [c, w.a.otherCandidate.id])).get(c)!;
    expect(agenda).toEqual([
      { criterionId: feedback.id, criterion: 'Giving feedback', rubric: 'Co-delivering a practical session', reasons: ['You rated yourself “Not yet”; the mentor rated “Exemplary”.'] },
      { criterionId: safety.id, criterion: 'Keeping practice safe', rubric: 'Co-delivering a practical session', reasons: ['Scored “Developing” by a mentor; the pass level is “Competent”.'] },
    ]);
    const candidate = await t.loginAs(w.a.candidate.email);
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/stages/remedial-workshop`);
    expect(page.text).toContain('Keeping practice safe');
    const json = await candidate.get(`/api/v1/cohorts/${w.a.cohort.id}/stages/remedial-workshop/agenda/${c}`);
    expect(json.body.agenda).toHaveLength(2);
    expect((await candidate.get(`/api/v1/cohorts/${w.a.cohort.id}/stages/remedial-workshop/agenda/${w.a.otherCandidate.id}`)).status).toBe(404);
  });
});

describe('remedial-workshop routes', () => {
  const api = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/remedial-workshop`;
  const page = () => `/cohorts/${w.a.cohort.id}/stages/remedial-workshop`;

  it('refuses anonymous people (401), other cohorts’ mentors (404), and the wrong column or role (403)', async () => {
    const tick = { as: 'mentor', ticked: true };
    expect((await t.anonymous().put(`${api()}/checklist/equipment`).send(tick)).status).toBe(401);
    expect((await (await t.loginAs(w.b.mentor.email)).put(`${api()}/checklist/equipment`).send(tick)).status).toBe(404);
    expect((await (await t.loginAs(w.b.mentor.email)).post(`${api()}/signoffs`).send({ candidateId: w.a.candidate.id })).status).toBe(404);
    expect((await (await t.loginAs(w.a.lead.email)).put(`${api()}/checklist/equipment`).send(tick)).status).toBe(403);
    expect((await (await t.loginAs(w.a.mentor.email)).put(`${api()}/checklist/equipment`).send({ as: 'lead', ticked: true })).status).toBe(403);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.put(`${api()}/checklist/equipment`).send({ as: 'lead', ticked: true })).status).toBe(403);
    const { body } = await candidate.post(`${api()}/topics`).send({ text: 'Prone holds and why we never use them' }).expect(201);
    expect((await candidate.put(`${api()}/topics/${body.topic.id}/covered`).send({ covered: true })).status).toBe(403);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).put(`${api()}/topics/${body.topic.id}/covered`).send({ covered: true })).status).toBe(404);
    expect(await t.database.db.select().from(remedialWorkshopChecklist)).toHaveLength(0);
    expect((await (await t.loginAs(w.a.mentor.email)).put(`${api()}/checklist/not-an-item`).send(tick)).status).toBe(404);
  });

  it('rejects bad input with 400 naming the field and writes nothing', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const short = await candidate.post(`${api()}/topics`).send({ text: 'eh' });
    expect(short.status).toBe(400);
    expect(short.body.error.fields[0].field).toBe('text');
    const unknown = await candidate.post(`${api()}/topics`).send({ text: 'Holding skills', competencyCode: 'juggling' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([{ field: 'competencyCode', message: 'The competency code is not a competency of this programme.' }]);
    const token = await t.csrf(candidate, page());
    const form = await candidate.post(`${page()}/topics`).type('form').send({ _csrf: token, text: 'x' });
    expect(form.status).toBe(400);
    expect(form.text).toContain('href="#field-text"');
    expect(await t.database.db.select().from(remedialWorkshopTopics)).toHaveLength(0);
    const mentor = await t.loginAs(w.a.mentor.email);
    const badTick = await mentor.put(`${api()}/checklist/equipment`).send({ as: 'mentor', ticked: 'yes' });
    expect(badTick.status).toBe(400);
    expect(badTick.body.error.fields[0].field).toBe('ticked');
  });

  it('walks the workshop: request, cover, tick every item in both columns, then sign off (not before)', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    let token = await t.csrf(candidate, page());
    await candidate.post(`${page()}/topics`).type('form').send({ _csrf: token, text: 'Talking down from a hold', competencyCode: '', criterionId: '' }).expect(303);
    const [topic] = await t.database.db.select().from(remedialWorkshopTopics);
    const mentor = await t.loginAs(w.a.mentor.email);
    const early = await mentor.post(`${api()}/signoffs`).send({ candidateId: w.a.candidate.id });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe('The rollout checklist is not complete: 0 of 7 items are ticked by both the lead and the mentor. Finish it before the final sign-off.');
    // The page offers no button the command would refuse, and says what is missing in the command's words.
    const before = (await mentor.get(page())).text;
    expect(before).not.toContain('data-testid="sign-readiness"');
    expect(before).toContain('The rollout checklist is not complete: 0 of 7 items are ticked by both the lead and the mentor.');
    token = await t.csrf(mentor, page());
    await mentor.post(`${page()}/topics/${topic.id}/cover`).type('form').send({ _csrf: token, covered: 'true' }).expect(303);
    const lead = await t.loginAs(w.a.lead.email);
    for (const item of DEFAULT_CHECKLIST) {
      await lead.put(`${api()}/checklist/${item.key}`).send({ as: 'lead', ticked: true }).expect(200);
      await mentor.put(`${api()}/checklist/${item.key}`).send({ as: 'mentor', ticked: true }).expect(200);
    }
    const { body } = await lead.get(api());
    expect(body.checklist[0]).toMatchObject({ key: 'course-dates', lead: { name: 'Lead A' }, mentor: { name: 'Mentor A' } });
    const ready = (await mentor.get(page())).text;
    expect(ready).toContain('data-testid="sign-readiness"');
    expect(ready).not.toContain('data-testid="signoff-blocked"');
    token = await t.csrf(mentor, page());
    await mentor.post(`${page()}/signoffs`).type('form').send({ _csrf: token, candidateId: w.a.candidate.id, note: 'Ready to lead the first course.' }).expect(303);
    expect((await mentor.post(`${api()}/signoffs`).send({ candidateId: w.a.candidate.id })).status).toBe(409);
    const mine = await candidate.get(api());
    expect(mine.body.standings).toEqual([
      {
        candidateId: w.a.candidate.id,
        topics: expect.objectContaining({ met: true, reason: 'Your requested topic was covered.' }),
        readiness: expect.objectContaining({ met: true, reason: 'Your mentor signed you off as ready to roll out the training.' }),
      },
    ]);
    expect((await candidate.get(page())).text).toContain('Your mentor signed you off as ready to roll out the training.');
  });
});
