/** Observation sampling over HTTP on a real database: the QA report and an organisation's sampling count each
 * trainer's year right (6 courses at 20% → 2 due), last year's unobserved sample is overdue; a mentor records an
 * observation against a rubric and the course page says "Observed by … on …"; a trainer cannot observe their own
 * course; a lead sees only their organisation; hand picks and observations are ledgered and verify; rates apply. */
import { asc, eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { courseObservations, impactCourses, observationPicks, rubricCriteria } from '../../server/db/tables';
import { ledgerProjections } from '../../server/ledger/registry';
import { verifyRecord } from '../../server/ledger/verify';
import { createRubric } from '../../server/rubrics/commands';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
const year = new Date().getUTCFullYear();
const RUBRIC = 'course-observation';
let criteria: { id: string; title: string }[];
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const rubric = await createRubric(t.database.db, null, {
    key: RUBRIC,
    name: 'Observed delivery',
    passThreshold: 60,
    levels: [
      { label: 'Not yet', points: 0 },
      { label: 'Secure', points: 2 },
    ],
    criteria: [
      { title: 'Keeps practice safe', weight: 2, mustPass: true, passLevel: 1, descriptors: ['', ''] },
      { title: 'Checks understanding', weight: 1, mustPass: false, passLevel: 1, descriptors: ['', ''] },
    ],
  });
  criteria = (await t.database.db.select().from(rubricCriteria).where(eq(rubricCriteria.rubricId, rubric.id)).orderBy(asc(rubricCriteria.position))).map((c) => ({ id: c.id, title: c.title }));
});

/** Inserts `n` courses the candidate of tenant A delivered in `inYear` (recorded an hour apart); returns their ids. */
async function deliver(n: number, inYear = year, trainer = () => w.a.candidate.id, coTrainerId: string | null = null) {
  const rows = await t.database.db
    .insert(impactCourses)
    .values(Array.from({ length: n }, (_, i) => ({ organisationId: w.a.org.id, cohortId: w.a.cohort.id, trainerId: trainer(), coTrainerId, deliveredOn: `${inYear}-0${1 + (i % 9)}-1${i % 10}`, venue: `Room ${i + 1}`, attendees: 10, registerMode: 'codes' as const, durationMinutes: 180, questionnaireCode: `code${inYear}${String(i).padStart(14, '0')}`, createdBy: trainer(), createdAt: new Date(Date.UTC(inYear, 0, 1) + i * 3_600_000) })))
    .returning();
  return rows.map((r) => r.id);
}

async function csrfOf(agent: TestAgent, path: string) {
  return t.csrf(agent, path);
}

async function observe(agent: TestAgent, courseId: string, fields: Record<string, string>) {
  const csrf = await csrfOf(agent, `/courses/${courseId}`);
  return agent.post(`/courses/${courseId}/observations`).type('form').send({ _csrf: csrf, rubric: RUBRIC, observedOn: `${year}-11-20`, notes: 'Calm, clear demonstration; checked every pair.', ...fields });
}

const levels = (a: number, b: number) => ({ [`level_${criteria[0].id}`]: String(a), [`level_${criteria[1].id}`]: String(b) });

describe('the QA report and an organisation’s sampling', () => {
  it('counts each trainer’s year (6 courses at 20% → 2 due, rounded up), lists the picked courses with why, and marks last year’s unobserved sample overdue', async () => {
    await deliver(6);
    await deliver(5, year - 1);
    const admin = await t.loginAs(w.admin.email);
    const page = await admin.get('/sampling').expect(200);
    expect(page.text).toContain('rounded up, and at least one when the trainer delivered any course (5 courses at 20% → 1; 6 → 2)');
    const rows = page.text.split('data-testid="sample-row"').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`<td class="num" data-label="Year">${year}</td>`);
    expect(rows[0]).toMatch(/<td class="num" data-label="Courses">6<\/td>\s*<td data-label="Rate">20% \(the default\)<\/td>\s*<td class="num" data-label="Due">2<\/td>\s*<td class="num" data-label="Done">0<\/td>/);
    expect(rows[0]).toContain('>Due</span>');
    expect(rows[0]).toContain(`course of ${year} was recorded and made 1 due at 20%`);
    expect(rows[1]).toMatch(/<td class="num" data-label="Courses">5<\/td>\s*<td data-label="Rate">20% \(the default\)<\/td>\s*<td class="num" data-label="Due">1<\/td>/);
    expect(rows[1]).toContain('>Overdue</span>');
    expect(page.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?!["/])/);

    const csv = await admin.get('/sampling.csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain('Organisation,Trainer,Year,Courses delivered,Sampling rate');
    expect(csv.text).toContain(`Client A,Candidate A,${year - 1},5,20% (the default),1,0,Overdue`);
  });

  it('a trainer with no course has nothing due; the page says so', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const page = await lead.get(`/organisations/${w.a.org.id}/sampling`).expect(200);
    expect(page.text).toContain('No course has been recorded yet, so no observation is due.');
  });

  it('a lead sees only their organisation; the provider’s report is the provider’s', async () => {
    await deliver(1);
    const lead = await t.loginAs(w.a.lead.email);
    expect((await lead.get(`/organisations/${w.a.org.id}/sampling`).expect(200)).text).toContain('Candidate A');
    await lead.get(`/organisations/${w.b.org.id}/sampling`).expect(404);
    await lead.get(`/organisations/${w.b.org.id}/sampling.csv`).expect(404);
    await lead.get('/sampling').expect(403);
    await lead.get('/sampling.csv').expect(403);
    const candidate = await t.loginAs(w.a.candidate.email);
    await candidate.get(`/organisations/${w.a.org.id}/sampling`).expect(403);
    const leadB = await t.loginAs(w.b.lead.email);
    expect((await leadB.get(`/organisations/${w.b.org.id}/sampling`).expect(200)).text).not.toContain('Candidate A');
  });

  it('an organisation’s rate overrides the default; a bad rate is refused naming the field and nothing changes', async () => {
    await deliver(6);
    const admin = await t.loginAs(w.admin.email);
    const csrf = await csrfOf(admin, '/sampling');
    const bad = await admin.post('/sampling/rates').type('form').send({ _csrf: csrf, [`org_${w.a.org.id}`]: '150' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('The rate must be a whole number from 1 to 100, or empty.');
    expect((await admin.post('/sampling/rates').type('form').send({ _csrf: csrf, [`org_${w.a.org.id}`]: '50', [`org_${w.b.org.id}`]: '' })).status).toBe(303);
    const page = await admin.get('/sampling?done=rates').expect(200);
    expect(page.text).toContain('Sampling rates saved.');
    expect(page.text).toMatch(/<td data-label="Rate">50% \(set for Client A\)<\/td>\s*<td class="num" data-label="Due">3<\/td>/);
  });
});

describe('observing a course', () => {
  it('a mentor records an observation against the rubric; the course page says who observed it and when; the year is done; the ledger vouches for it', async () => {
    const [courseId] = await deliver(1);
    const mentor = await t.loginAs(w.a.mentor.email);
    const form = await mentor.get(`/courses/${courseId}/observe?rubric=${RUBRIC}`).expect(200);
    expect(form.text).toContain('Keeps practice safe');
    // Bad input: a level missing and notes empty → 400 naming both; nothing written.
    const missing = await observe(mentor, courseId, { [`level_${criteria[0].id}`]: '1', notes: '' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Choose a level for “Checks understanding”.');
    expect(missing.text).toContain('href="#field-notes"');
    expect(await t.database.db.select().from(courseObservations)).toHaveLength(0);

    expect((await observe(mentor, courseId, levels(1, 0))).status).toBe(303);
    const page = await mentor.get(`/courses/${courseId}?done=observed`).expect(200);
    expect(page.text).toContain('Observation recorded.');
    expect(page.text).toContain('Observed by Mentor A on 20 November');
    expect(page.text).toContain('“Observed delivery”: 66.67% (Passed)');
    const [row] = await t.database.db.select().from(impactCourses).where(eq(impactCourses.id, courseId));
    expect(row.observed).toBe(true);

    const report = await (await t.loginAs(w.a.lead.email)).get(`/organisations/${w.a.org.id}/sampling`).expect(200);
    expect(report.text).toContain('>Done</span>');
    expect(report.text).toContain('Observed by Mentor A on 20 November');

    const verified = await verifyRecord(t.database.db, ledgerProjections(t.cadre.modules));
    expect(verified.ok).toBe(true);
    // A row changed, deleted or inserted behind Cadre's back is caught, naming it (issue 10.1).
    const check = () => verifyRecord(t.database.db, ledgerProjections(t.cadre.modules));
    const [kept] = await t.database.db.select().from(courseObservations);
    await t.database.db.update(courseObservations).set({ notes: 'rewritten' });
    expect((await check()).disagreement?.problem).toContain('its notes is');
    await t.database.db.delete(courseObservations);
    expect((await check()).disagreement).toMatchObject({ table: 'course_observations', rowId: kept.id, problem: expect.stringMatching(/the row is missing, but ledger entry \d+ records it/) });
    await t.database.db.insert(courseObservations).values(kept);
    expect((await check()).ok).toBe(true);
    const [other] = await deliver(1, year - 3, () => w.a.otherCandidate.id);
    const { id: _id, ...copy } = kept;
    const [forged] = await t.database.db.insert(courseObservations).values({ ...copy, courseId: other }).returning();
    expect((await check()).disagreement).toMatchObject({ table: 'course_observations', rowId: forged.id, problem: expect.stringMatching(/no ledger entry records it/) });
  });

  it('nobody observes their own course (trainer or co-trainer); a mentor of another tenant never learns of it', async () => {
    const [courseId] = await deliver(1, year, () => w.a.candidate.id, w.a.otherCandidate.id);
    for (const email of [w.a.candidate.email, w.a.otherCandidate.email, w.a.lead.email, w.admin.email]) {
      const agent = await t.loginAs(email);
      await agent.get(`/courses/${courseId}/observe`).expect(403);
      expect((await observe(agent, courseId, levels(1, 1))).status).toBe(403);
      expect((await agent.get(`/courses/${courseId}`).expect(200)).text).not.toContain('Record an observation');
    }
    const other = await t.loginAs(w.b.mentor.email);
    await other.get(`/courses/${courseId}/observe`).expect(404);
    expect(await t.database.db.select().from(courseObservations)).toHaveLength(0);
  });

  it('an admin picks a course by hand with a reason (ledgered); it counts first; a second pick is refused', async () => {
    const ids = await deliver(3);
    const admin = await t.loginAs(w.admin.email);
    const drawn = (await admin.get('/sampling').expect(200)).text;
    const notPicked = ids.find((id) => !drawn.includes(`/courses/${id}"`)) as string;
    const csrf = await csrfOf(admin, `/courses/${notPicked}`);
    const empty = await admin.post(`/courses/${notPicked}/pick`).type('form').send({ _csrf: csrf, reason: '' });
    expect(empty.status).toBe(400);
    expect((await admin.post(`/courses/${notPicked}/pick`).type('form').send({ _csrf: csrf, reason: 'A learner raised a concern about this course.' })).status).toBe(303);
    const page = await admin.get(`/courses/${notPicked}?done=picked`).expect(200);
    expect(page.text).toContain('Picked by hand by the provider. Admin’s reason: “A learner raised a concern about this course.”');
    expect(page.text).not.toContain('data-testid="pick-form"');
    const report = (await admin.get('/sampling').expect(200)).text;
    expect(report).toContain(`/courses/${notPicked}"`);
    expect(report.split('data-testid="sample-row"').slice(1)[0].match(/<li>/g)).toHaveLength(1);
    expect((await admin.post(`/courses/${notPicked}/pick`).type('form').send({ _csrf: csrf, reason: 'again' })).status).toBe(409);
    expect(await t.database.db.select().from(observationPicks)).toHaveLength(1);
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.post(`/courses/${ids[0]}/pick`).type('form').send({ _csrf: await csrfOf(mentor, `/courses/${ids[0]}`), reason: 'x' })).status).toBe(403);
    const check = () => verifyRecord(t.database.db, ledgerProjections(t.cadre.modules));
    expect((await check()).ok).toBe(true);
    // A pick's reason changed, the pick deleted, or one inserted with no entry: each caught, naming the course (issue 10.1).
    const [pick] = await t.database.db.select().from(observationPicks);
    await t.database.db.update(observationPicks).set({ reason: 'Random' });
    expect((await check()).disagreement).toMatchObject({ table: 'observation_picks', rowId: notPicked, problem: expect.stringContaining('its reason is “Random”') });
    await t.database.db.delete(observationPicks);
    expect((await check()).disagreement).toMatchObject({ table: 'observation_picks', rowId: notPicked, problem: expect.stringMatching(/the row is missing, but ledger entry \d+ records it/) });
    await t.database.db.insert(observationPicks).values(pick);
    expect((await check()).ok).toBe(true);
    const another = ids.find((id) => id !== notPicked) as string;
    await t.database.db.insert(observationPicks).values({ ...pick, courseId: another, ledgerSeq: null });
    expect((await check()).disagreement).toMatchObject({ table: 'observation_picks', rowId: another, problem: expect.stringMatching(/no ledger entry records it/) });
  });
});
