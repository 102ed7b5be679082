import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { assessments, cohortStages, rubrics } from '../../../server/db/tables';
import type { StageRow } from '../../../server/progression/types';
import manifest from '../../../modules/projects-week';
import { projectsWeekAssignments, projectsWeekModules } from '../../../modules/projects-week/schema';
import { STANDARD_MODULES } from '../../../modules/projects-week/catalogue';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let stageA: StageRow;
let stageB: StageRow;
let rubricId: string;
const kind = manifest.requirementKinds!['projects-week:modules-passed'];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const make = async (cohortId: string) =>
    (await t.database.db.insert(cohortStages).values({ cohortId, position: 1, moduleKey: 'projects-week', title: 'Projects week', completeRequirements: manifest.defaults.complete }).returning())[0] as StageRow;
  stageA = await make(w.a.cohort.id);
  stageB = await make(w.b.cohort.id);
  [{ id: rubricId }] = await t.database.db.insert(rubrics).values({ key: 'knowledge-module', name: 'Delivering a knowledge module', passThreshold: 60 }).returning();
});

async function modules(stage: StageRow) {
  return t.database.db
    .insert(projectsWeekModules)
    .values(STANDARD_MODULES.map((m, i) => ({ cohortStageId: stage.id, position: i + 1, title: m.title, summary: m.summary })))
    .returning();
}

async function assign(stage: StageRow, moduleId: string, candidateId: string) {
  const [a] = await t.database.db.insert(projectsWeekAssignments).values({ cohortStageId: stage.id, moduleId, candidateId, assignedBy: w.a.mentor.id }).returning();
  return a;
}

async function assess(assignmentId: string, candidateId: string, percent: number, options: { kind?: 'mentor' | 'self'; mustPassFailed?: boolean; at?: Date } = {}) {
  const mustPassFailed = options.mustPassFailed ?? false;
  await t.database.db.insert(assessments).values({
    rubricId,
    cohortId: w.a.cohort.id,
    candidateId,
    assessorId: options.kind === 'self' ? candidateId : w.a.mentor.id,
    kind: options.kind ?? 'mentor',
    contextType: 'module',
    contextId: assignmentId,
    cohortStageId: stageA.id,
    percent,
    passed: percent >= 60 && !mustPassFailed,
    mustPassFailed,
    createdAt: options.at ?? new Date(),
  });
}

/** Page text as a person reads it (handlebars escapes =, & and '). */
const text = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

const evaluate = (items: { stage: StageRow; candidateIds: string[] }[]) =>
  kind.evaluate({ db: t.database.db, now: new Date(), items: items.map((i) => ({ ...i, stages: [i.stage], params: {} })), earlier: new Map() });

describe('projects-week:modules-passed', () => {
  it('needs every assigned module’s latest mentor assessment passed, and names what is missing', async () => {
    const c = w.a.candidate.id;
    let r = await evaluate([{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: false, reason: 'No knowledge modules are assigned to you yet — your mentor will assign them.', progress: { done: 0, of: 0 } });
    const mods = await modules(stageA);
    const [law, risks, nice] = [await assign(stageA, mods[0].id, c), await assign(stageA, mods[3].id, c), await assign(stageA, mods[2].id, c)];
    await assess(law.id, c, 60);
    await assess(risks.id, c, 85, { mustPassFailed: true });
    await assess(nice.id, c, 95, { kind: 'self' });
    r = await evaluate([{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)).toEqual({
      met: false,
      reason: "1 of 3 modules passed — 'NICE NG10 and the Mental…' not yet assessed; 'Risks of restraint…' not passed yet — a must-pass criterion was missed (85%).",
      progress: { done: 1, of: 3 },
    });
    await assess(risks.id, c, 59.99, { at: new Date(Date.now() + 1000) });
    await assess(nice.id, c, 70, { at: new Date(Date.now() + 1000) });
    r = await evaluate([{ stage: stageA, candidateIds: [c] }]);
    expect(r.get(stageA.id)!.get(c)!.reason).toBe("2 of 3 modules passed — 'Risks of restraint…' not passed yet (60%).");
    await assess(risks.id, c, 61, { at: new Date(Date.now() + 2000) });
    r = await evaluate([
      { stage: stageA, candidateIds: [c, w.a.otherCandidate.id] },
      { stage: stageB, candidateIds: [w.b.candidate.id] },
    ]);
    expect(r.get(stageA.id)!.get(c)).toEqual({ met: true, reason: 'All 3 assigned modules are passed.', progress: { done: 3, of: 3 } });
    expect(r.get(stageA.id)!.get(w.a.otherCandidate.id)!.met).toBe(false);
    expect(r.get(stageB.id)!.get(w.b.candidate.id)!.met).toBe(false);
  });
});

describe('projects-week routes', () => {
  const api = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/projects-week`;
  const page = () => `/cohorts/${w.a.cohort.id}/stages/projects-week`;

  it('refuses anonymous people (401), hides the cohort from another mentor (404), forbids candidates to assign (403)', async () => {
    const mods = await modules(stageA);
    const body = { candidateId: w.a.candidate.id, moduleId: mods[0].id };
    expect((await t.anonymous().post(`${api()}/assignments`).send(body)).status).toBe(401);
    expect((await (await t.loginAs(w.b.mentor.email)).post(`${api()}/assignments`).send(body)).status).toBe(404);
    expect((await (await t.loginAs(w.a.candidate.email)).post(`${api()}/assignments`).send(body)).status).toBe(403);
    expect(await t.database.db.select().from(projectsWeekAssignments)).toHaveLength(0);
  });

  it('rejects bad assignments with 400 naming the field and writes nothing; a second assignment of the same module is 409', async () => {
    const mods = await modules(stageA);
    const mentor = await t.loginAs(w.a.mentor.email);
    const badUrl = await mentor.post(`${api()}/assignments`).send({ candidateId: w.a.candidate.id, moduleId: mods[0].id, meetingUrl: 'javascript:alert(1)' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['meetingUrl']);
    const stranger = await mentor.post(`${api()}/assignments`).send({ candidateId: w.b.candidate.id, moduleId: mods[0].id });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.fields[0].field).toBe('candidateId');
    const [otherModule] = await modules(stageB);
    const wrongModule = await mentor.post(`${api()}/assignments`).send({ candidateId: w.a.candidate.id, moduleId: otherModule.id });
    expect(wrongModule.status).toBe(400);
    expect(wrongModule.body.error.fields[0].field).toBe('moduleId');
    expect(await t.database.db.select().from(projectsWeekAssignments)).toHaveLength(0);
    await mentor.post(`${api()}/assignments`).send({ candidateId: w.a.candidate.id, moduleId: mods[0].id }).expect(201);
    expect((await mentor.post(`${api()}/assignments`).send({ candidateId: w.a.candidate.id, moduleId: mods[0].id })).status).toBe(409);
  });

  it('lets a mentor add the standard modules, assign one with a slot (UK time) and link to the rubric scoring page', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    let token = await t.csrf(mentor, page());
    expect((await mentor.post(`${page()}/modules/standard`).type('form').send({ _csrf: token })).status).toBe(303);
    const { body } = await mentor.get(api());
    expect(body.modules.map((m: { title: string }) => m.title)).toEqual(STANDARD_MODULES.map((m) => m.title));
    expect((await mentor.post(`${api()}/modules/standard`).send({})).status).toBe(409);
    token = await t.csrf(mentor, page());
    const res = await mentor
      .post(`${page()}/assignments`)
      .type('form')
      .send({ _csrf: token, candidateId: w.a.candidate.id, moduleId: body.modules[2].id, slotAt: '2026-07-01T10:00', meetingUrl: 'https://meet.example.org/abc' });
    expect(res.status).toBe(303);
    const [a] = await t.database.db.select().from(projectsWeekAssignments);
    expect(a.slotAt!.toISOString()).toBe('2026-07-01T09:00:00.000Z'); // British Summer Time
    const mentorPage = await mentor.get(page());
    expect(text(mentorPage.text)).toContain(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assess/knowledge-module?contextType=module&contextId=${a.id}&cohortStageId=${stageA.id}`);
    await mentor.put(`${api()}/assignments/${a.id}/slot`).send({ slotAt: '2026-12-01T10:00:00Z' }).expect(200);
    const badSlot = await mentor.put(`${api()}/assignments/${a.id}/slot`).send({ slotAt: 'tomorrow' });
    expect(badSlot.status).toBe(400);
    expect(badSlot.body.error.fields[0].field).toBe('slotAt');
    const candidate = await t.loginAs(w.a.candidate.email);
    const mine = await candidate.get(page());
    expect(mine.text).toContain('https://meet.example.org/abc');
    expect(text(mine.text)).toContain("0 of 1 modules passed — 'NICE NG10 and the Mental…' not yet assessed.");
    const json = await candidate.get(api());
    expect(json.body.assignments).toHaveLength(1);
    expect(json.body.standings).toEqual([{ candidateId: w.a.candidate.id, met: false, reason: expect.stringContaining('0 of 1 modules passed'), progress: { done: 0, of: 1 } }]);
    const other = await t.loginAs(w.a.otherCandidate.email);
    expect((await other.get(api())).body.assignments).toHaveLength(0);
  });
});
