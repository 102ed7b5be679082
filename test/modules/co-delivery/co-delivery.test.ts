import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { cohortStages } from '../../../server/db/tables';
import type { StageRow } from '../../../server/progression/types';
import manifest from '../../../modules/co-delivery';
import { coDeliveryAttainment, coDeliveryGroups, coDeliveryLearners, coDeliveryOutcomes } from '../../../modules/co-delivery/schema';
import { getCoDeliverySession } from '../../../modules/co-delivery/queries';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let stageA: StageRow;
let stageB: StageRow;
const kind = manifest.requirementKinds!['co-delivery:attainment-recorded'];
const text = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const make = async (cohortId: string) =>
    (await t.database.db.insert(cohortStages).values({ cohortId, position: 1, moduleKey: 'co-delivery', title: 'Co-delivery', completeRequirements: manifest.defaults.complete }).returning())[0] as StageRow;
  stageA = await make(w.a.cohort.id);
  stageB = await make(w.b.cohort.id);
});

async function course(stage: StageRow, leaderId: string, learners: string[], outcomes = ['Explains why restraint is a last resort', 'Performs a breakaway safely']) {
  const os = outcomes.length ? await t.database.db.insert(coDeliveryOutcomes).values(outcomes.map((o, i) => ({ cohortStageId: stage.id, position: i + 1, text: o }))).returning() : [];
  const [group] = await t.database.db.insert(coDeliveryGroups).values({ cohortStageId: stage.id, name: 'Group A', candidateId: leaderId }).returning();
  const ls = learners.length ? await t.database.db.insert(coDeliveryLearners).values(learners.map((label) => ({ cohortStageId: stage.id, groupId: group.id, label }))).returning() : [];
  return { outcomes: os, group, learners: ls };
}

const evaluate = (items: { stage: StageRow; candidateIds: string[] }[]) =>
  kind.evaluate({ db: t.database.db, now: new Date(), items: items.map((i) => ({ ...i, stages: [i.stage], params: {} })), earlier: new Map() });

describe('co-delivery:attainment-recorded', () => {
  it('explains a missing group, then needs every learner judged on every outcome by the leading candidate', async () => {
    const c = w.a.candidate.id;
    let r = await evaluate([{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: false, reason: 'You have not been given a small group to lead yet — your mentor will set one up.', progress: { done: 0, of: 0 } });
    const { outcomes, learners } = await course(stageA, c, ['HC-01', 'HC-02']);
    const judge = (learnerId: string, outcomeId: string, recorderId = c, role: 'candidate' | 'mentor' = 'candidate') =>
      t.database.db.insert(coDeliveryAttainment).values({ learnerId, outcomeId, recorderId, role, level: 'partly' });
    await judge(learners[0].id, outcomes[0].id);
    await judge(learners[0].id, outcomes[1].id);
    await judge(learners[1].id, outcomes[0].id);
    await judge(learners[1].id, outcomes[1].id, w.a.mentor.id, 'mentor');
    r = await evaluate([{ stage: stageA, candidateIds: [c, w.a.otherCandidate.id] }, { stage: stageB, candidateIds: [w.b.candidate.id] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: false, reason: 'Record attainment for all 2 learners in your group on every outcome — 1 complete, 1 still to do.', progress: { done: 1, of: 2 } });
    expect(r.get(stageA.id)!.get(w.a.otherCandidate.id)!.met).toBe(false);
    expect(r.get(stageB.id)!.get(w.b.candidate.id)!.met).toBe(false);
    await judge(learners[1].id, outcomes[1].id);
    r = await evaluate([{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: true, reason: 'Attainment recorded for all 2 learners in your group on all 2 outcomes.', progress: { done: 2, of: 2 } });
  });

  it('says when the group has no learners or the course no outcomes', async () => {
    await course(stageA, w.a.candidate.id, []);
    await course(stageB, w.b.candidate.id, ['X-1'], []);
    const r = await evaluate([{ stage: stageA, candidateIds: [w.a.candidate.id] }, { stage: stageB, candidateIds: [w.b.candidate.id] }]);
    expect(r.get(stageA.id)!.get(w.a.candidate.id)!.reason).toBe('Your group has no learners on the roster yet.');
    expect(r.get(stageB.id)!.get(w.b.candidate.id)!.reason).toBe('No learning outcomes are set for this course yet — your mentor will add them.');
  });
});

describe('co-delivery routes', () => {
  const api = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/co-delivery`;
  const page = () => `/cohorts/${w.a.cohort.id}/stages/co-delivery`;

  it('refuses anonymous people (401), other cohorts’ mentors (404), peers (404) and non-mentors shadow-scoring (403)', async () => {
    const { group, learners, outcomes } = await course(stageA, w.a.candidate.id, ['HC-01']);
    const entry = { entries: [{ learnerId: learners[0].id, outcomeId: outcomes[0].id, level: 'achieved' }] };
    expect((await t.anonymous().put(`${api()}/groups/${group.id}/attainment`).send(entry)).status).toBe(401);
    const outsider = await t.loginAs(w.b.mentor.email);
    expect((await outsider.put(`${api()}/groups/${group.id}/attainment`).send(entry)).status).toBe(404);
    expect((await outsider.post(`${api()}/groups`).send({ name: 'G', candidateId: w.a.candidate.id })).status).toBe(404);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).put(`${api()}/groups/${group.id}/attainment`).send(entry)).status).toBe(404);
    expect((await (await t.loginAs(w.a.lead.email)).put(`${api()}/groups/${group.id}/attainment`).send(entry)).status).toBe(403);
    expect((await (await t.loginAs(w.a.candidate.email)).post(`${api()}/sessions`).send({ title: 'Day 1', startsAt: '2026-03-01T09:00:00Z', endsAt: '2026-03-01T16:00:00Z' })).status).toBe(403);
    expect(await t.database.db.select().from(coDeliveryAttainment)).toHaveLength(0);
  });

  it('rejects bad input with 400 naming the field and writes nothing', async () => {
    const { group, learners, outcomes } = await course(stageA, w.a.candidate.id, ['HC-01']);
    const other = await course(stageB, w.b.candidate.id, ['B-1']);
    const candidate = await t.loginAs(w.a.candidate.email);
    const badLevel = await candidate.put(`${api()}/groups/${group.id}/attainment`).send({ entries: [{ learnerId: learners[0].id, outcomeId: outcomes[0].id, level: 'great' }] });
    expect(badLevel.status).toBe(400);
    expect(badLevel.body.error.fields).toEqual([{ field: 'entries.0.level', message: 'The level must be not_yet, partly or achieved.' }]);
    const foreign = await candidate.put(`${api()}/groups/${group.id}/attainment`).send({ entries: [{ learnerId: other.learners[0].id, outcomeId: outcomes[0].id, level: 'achieved' }] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.fields).toEqual([{ field: 'entries.0.learnerId', message: 'The learner is not a learner in this group.' }]);
    const token = await t.csrf(candidate, `${page()}/groups/${group.id}/attainment`);
    const formBad = await candidate.post(`${page()}/groups/${group.id}/attainment`).type('form').send({ _csrf: token, [`a_${learners[0].id}_${outcomes[0].id}`]: 'brilliant' });
    expect(formBad.status).toBe(400);
    expect(formBad.text).toContain(`href="#field-a_${learners[0].id}_${outcomes[0].id}"`);
    expect(await t.database.db.select().from(coDeliveryAttainment)).toHaveLength(0);
    const mentor = await t.loginAs(w.a.mentor.email);
    const backwards = await mentor.post(`${api()}/sessions`).send({ title: 'Day 1', startsAt: '2026-03-01T16:00:00Z', endsAt: '2026-03-01T09:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.fields).toEqual([{ field: 'endsAt', message: 'The end time must be after the start.' }]);
    const notCandidate = await mentor.post(`${api()}/groups`).send({ name: 'G', candidateId: w.b.candidate.id });
    expect(notCandidate.body.error.fields[0].field).toBe('candidateId');
  });

  it('runs the course: sessions, outcomes, a group, learners, attainment, shadow scores and agreement', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const { body: s } = await mentor.post(`${api()}/sessions`).send({ title: 'Day 1', startsAt: '2026-03-01T09:00:00Z', endsAt: '2026-03-01T16:00:00Z', location: 'Training suite' }).expect(201);
    const { body: o } = await mentor.post(`${api()}/outcomes/standard`).send({}).expect(201);
    expect(o.outcomes[0].text).toBe('Explains why restraint is a last resort');
    const { body: g } = await mentor.post(`${api()}/groups`).send({ name: 'Group A', candidateId: w.a.candidate.id, sessionId: s.session.id }).expect(201);
    const lead = await t.loginAs(w.a.lead.email);
    const token = await t.csrf(lead, page());
    await lead.post(`${page()}/learners`).type('form').send({ _csrf: token, groupId: g.group.id, labels: 'HC-01\r\nHC-02\r\n\r\n' }).expect(303);
    const learners = (await mentor.get(api())).body.groups[0].learners as { id: string; label: string }[];
    expect(learners.map((l) => l.label)).toEqual(['HC-01', 'HC-02']);
    const [o1, o2] = o.outcomes as { id: string }[];

    const candidate = await t.loginAs(w.a.candidate.email);
    const grid = await candidate.get(`${page()}/groups/${g.group.id}/attainment`);
    expect(grid.text).toContain('data-testid="attainment-form"');
    // One grid, learners × outcomes, one tap per cell: a radio group of levels in every cell, no drop-downs.
    expect(grid.text).toContain('data-testid="attainment-grid"');
    expect(grid.text).not.toContain('<select');
    expect(grid.text.match(/data-testid="attainment-cell"/g)).toHaveLength(learners.length * (o.outcomes as unknown[]).length);
    expect(grid.text).toContain(`name="a_${learners[0].id}_${o1.id}" value="achieved"`);
    const ctoken = await t.csrf(candidate, `${page()}/groups/${g.group.id}/attainment`);
    await candidate
      .post(`${page()}/groups/${g.group.id}/attainment`)
      .type('form')
      .send({ _csrf: ctoken, [`a_${learners[0].id}_${o1.id}`]: 'achieved', [`a_${learners[0].id}_${o2.id}`]: 'partly', [`a_${learners[1].id}_${o1.id}`]: 'not_yet', [`a_${learners[1].id}_${o2.id}`]: '' })
      .expect(303);
    const shadow = await mentor.put(`${api()}/groups/${g.group.id}/attainment`).send({
      entries: [
        { learnerId: learners[0].id, outcomeId: o1.id, level: 'achieved' },
        { learnerId: learners[0].id, outcomeId: o2.id, level: 'achieved' },
        { learnerId: learners[1].id, outcomeId: o1.id, level: 'not_yet' },
      ],
    });
    expect(shadow.body).toEqual({ saved: 3, role: 'mentor' });
    const { body: agree } = await mentor.get(`${api()}/agreement`);
    const mine = agree.agreement.find((a: { candidateId: string }) => a.candidateId === w.a.candidate.id);
    expect(mine).toMatchObject({ compared: 3, agreed: 2, percent: 67, summary: 'Agrees with the mentor on 2 of 3 learner-outcome judgements (67%).' });
    expect(mine.disagreements).toEqual([{ learnerId: learners[0].id, learner: 'HC-01', outcomeId: o2.id, outcome: 'Demonstrates a non-escalation stance', candidateLevel: 'Partly', mentorLevel: 'Achieved' }]);
    const candidatePage = await candidate.get(page());
    expect(candidatePage.text).toContain('Agrees with the mentor on 2 of 3 learner-outcome judgements (67%).');
    // Five standard outcomes: nobody is complete yet.
    expect(candidatePage.text).toContain('Record attainment for all 2 learners in your group on every outcome — 0 complete, 2 still to do.');
    const mentorPage = await mentor.get(page());
    expect(text(mentorPage.text)).toContain(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assess/practical-session?contextType=session&contextId=${s.session.id}&cohortStageId=${stageA.id}`);
    expect(await getCoDeliverySession(t.database.db, s.session.id)).toMatchObject({ id: s.session.id, cohortId: w.a.cohort.id, cohortStageId: stageA.id, title: 'Day 1' });
    expect(await getCoDeliverySession(t.database.db, 'nope')).toBeNull();
  });
});
