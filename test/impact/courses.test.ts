/** Courses the new trainers deliver: recorded through the real form with names from the programme, checked (dates,
 * modules, co-trainer, the organisation's register choice), edited by their trainers only, listed for the lead. */
import { count, eq } from 'drizzle-orm';
import { impactCourses, impactSettings } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import type { World } from '../support/factories';
import { answer, buildImpactWorld, courseFields, daysAgo, KNOWLEDGE, OUTCOMES, postForm, PRACTICAL, recordCourseAs } from './world';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildImpactWorld(t);
});

const courses = async () => (await t.database.db.select({ n: count() }).from(impactCourses))[0].n;

describe('recording a course', () => {
  it('offers the programme’s modules and sessions by name and saves the course with its questionnaire', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    const form = await agent.get(`/cohorts/${w.a.cohort.id}/courses/new`).expect(200);
    for (const name of [...KNOWLEDGE, ...PRACTICAL]) expect(form.text).toContain(`value="${name}"`);
    expect(form.text).toContain('Knowledge modules');
    expect(form.text).toContain('Practical sessions');
    // The co-trainer list names the organisation's trainers, never the person recording.
    expect(form.text).toContain(`>${w.a.otherCandidate.name}</option>`);
    expect(form.text).not.toContain(`>${w.a.candidate.name}</option>`);
    expect(form.text).not.toContain(w.b.candidate.name);

    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id, { coTrainerId: w.a.otherCandidate.id });
    expect(course).toMatchObject({ trainerId: w.a.candidate.id, coTrainerId: w.a.otherCandidate.id, organisationId: w.a.org.id, attendees: 12, durationMinutes: 360, modules: [KNOWLEDGE[0], PRACTICAL[0]], register: ['HC-001', 'HC-002'], registerMode: 'codes', outcomes: OUTCOMES });
    expect(course.questionnaireCode).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const page = await agent.get(`/courses/${course.id}?done=created`).expect(200);
    expect(page.text).toContain('Course recorded.');
    expect(page.text).toContain(`${t.config.publicUrl}/q/${course.questionnaireCode}`);
    expect(page.text).toContain('<svg');
    expect(page.text).toContain(w.a.otherCandidate.name);
    const mine = await agent.get('/courses').expect(200);
    expect(mine.text).toContain('Harbour House training room');
    // The co-trainer sees it in their list too and may edit it.
    const co = await t.loginAs(w.a.otherCandidate.email);
    expect((await co.get('/courses').expect(200)).text).toContain('Harbour House training room');
    await co.get(`/courses/${course.id}/edit`).expect(200);
  });

  it('refuses a future date, a module the programme does not teach, a stranger as co-trainer and names in a codes register — naming each field, writing nothing', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    const csrf = await t.csrf(agent, `/cohorts/${w.a.cohort.id}/courses/new`);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const res = await postForm(agent, `/cohorts/${w.a.cohort.id}/courses`, csrf, courseFields({ deliveredOn: tomorrow, modules: ['Made-up module'], coTrainerId: w.b.candidate.id, register: 'HC-001\nJane Smith', attendees: '1' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('There is a problem');
    for (const field of ['field-deliveredOn', 'field-modules', 'field-coTrainerId', 'field-register', 'field-attendees']) expect(res.text).toContain(`href="#${field}"`);
    expect(res.text).toContain('is in the future');
    expect(res.text).toContain('“Made-up module” is not one of this programme’s modules or sessions');
    expect(res.text).toContain('line 2 (“Jane Smith”) is not a code');
    // What was typed stays.
    expect(res.text).toContain('value="Harbour House training room"');
    expect(await courses()).toBe(0);

    const garbage = await postForm(agent, `/cohorts/${w.a.cohort.id}/courses`, csrf, { ...courseFields(), attendees: 'lots', durationHours: '-1', deliveredOn: '2025-02-30' });
    expect(garbage.status).toBe(400);
    expect(garbage.text).toContain('must be a whole number');
    expect(await courses()).toBe(0);
  });

  it('takes names when the organisation chose names', async () => {
    await t.database.db.insert(impactSettings).values({ organisationId: w.a.org.id, registerMode: 'names' });
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id, { register: 'Jane Smith\nAmir Khan' });
    expect(course).toMatchObject({ registerMode: 'names', register: ['Jane Smith', 'Amir Khan'] });
  });
});

describe('who sees and edits a course', () => {
  it('lets its trainers edit, the lead and admin view without the questionnaire controls, a peer nothing', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const peer = await t.loginAs(w.a.otherCandidate.email);
    await peer.get(`/courses/${course.id}`).expect(403);
    await peer.get(`/courses/${course.id}/edit`).expect(403);
    const stranger = await t.loginAs(w.b.candidate.email);
    await stranger.get(`/courses/${course.id}`).expect(404);

    const lead = await t.loginAs(w.a.lead.email);
    const seen = await lead.get(`/courses/${course.id}`).expect(200);
    expect(seen.text).not.toContain('Edit the course');
    expect(seen.text).not.toContain(course.questionnaireCode);
    expect(seen.text).not.toContain('HC-001');
    await lead.get(`/courses/${course.id}/edit`).expect(403);
    const list = await lead.get(`/organisations/${w.a.org.id}/courses`).expect(200);
    expect(list.text).toContain(w.a.candidate.name);
    expect(list.text).toContain('Harbour House training room');
    await lead.get(`/organisations/${w.b.org.id}/courses`).expect(404);

    const admin = await t.loginAs(w.admin.email);
    await admin.get(`/courses/${course.id}`).expect(200);
    await admin.get(`/organisations/${w.a.org.id}/courses`).expect(200);
  });

  it('edits a course and keeps its questionnaire’s outcomes once someone has answered', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const agent = await t.loginAs(w.a.candidate.email);
    const csrf = await t.csrf(agent, `/courses/${course.id}/edit`);
    const form = await agent.get(`/courses/${course.id}/edit`);
    expect(form.text).toContain('value="Harbour House training room"');
    expect(form.text).toMatch(/value="The legal basis for reasonable force" checked/);
    const done = await answer(t, course.questionnaireCode, { b1: '2', a1: '4', b2: '3', a2: '4', safety: 'release' });
    expect(done.status).toBe(303);
    // The programme's outcomes change later; the course keeps the ones its learners answered.
    const res = await postForm(agent, `/courses/${course.id}`, csrf, courseFields({ venue: 'Quayside Lodge', attendees: '14', deliveredOn: daysAgo(4), modules: [KNOWLEDGE[1]] }));
    expect(res.status).toBe(303);
    const [row] = await t.database.db.select().from(impactCourses).where(eq(impactCourses.id, course.id));
    expect(row).toMatchObject({ venue: 'Quayside Lodge', attendees: 14, modules: [KNOWLEDGE[1]], outcomes: OUTCOMES });
  });

  it('offers "Record a course" only in cohorts where the person trains', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const mine = await lead.get('/courses').expect(200);
    expect(mine.text).not.toContain('/courses/new');
    await lead.get(`/cohorts/${w.a.cohort.id}/courses/new`).expect(403);
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.get('/courses').expect(200)).text).toContain(`/cohorts/${w.a.cohort.id}/courses/new`);
  });
});
