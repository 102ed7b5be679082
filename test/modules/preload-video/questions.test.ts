/** The knowledge check's editor (add, edit, reorder, delete, the right answer chosen by selecting it, the explanation)
 * and what a candidate reads after an attempt: each wrong answer beside the right one and the admin's explanation. */
import { asc, eq } from 'drizzle-orm';
import { auditEvents, cohortStages } from '../../../server/db/tables';
import { preloadVideoQuestions } from '../../../modules/preload-video/schema';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { addStages, programmeOf } from '../../progression/support';

jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let programmeId: string;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  // The knowledge check belongs to a programme: tenant A's cohort follows this one.
  programmeId = await programmeOf(t.database.db, w.a.cohort.id);
});

const ordered = () => t.database.db.select().from(preloadVideoQuestions).orderBy(asc(preloadVideoQuestions.position));
const visibleText = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, "'").replace(/\s+/g, ' ');

async function adminAgent() {
  const admin = await t.loginAs(w.admin.email);
  return { admin, token: await t.csrf(admin, '/stages/preload-video/questions/new') };
}

describe('editing the knowledge check', () => {
  it('adds a question with the right answer chosen by selecting it; blank answer rows are left out', async () => {
    const { admin, token } = await adminAgent();
    const res = await admin
      .post('/stages/preload-video/questions')
      .type('form')
      .send({ _csrf: token, programmeId, prompt: 'When is physical restraint justified?', answer0: 'Whenever a person refuses care', answer1: '', answer2: 'Only as a last resort, proportionate to a real risk of harm', correct: '2', explanation: 'Refusing care is a right, not a risk.' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/stages/preload-video/questions?programme=${programmeId}&saved=1`);
    const [q] = await ordered();
    expect(q).toMatchObject({ programmeTemplateId: programmeId, position: 1, prompt: 'When is physical restraint justified?', options: ['Whenever a person refuses care', 'Only as a last resort, proportionate to a real risk of harm'], correctIndex: 1, explanation: 'Refusing care is a right, not a risk.' });
    const list = await admin.get('/stages/preload-video/questions');
    expect(visibleText(list.text)).toContain('Only as a last resort, proportionate to a real risk of harm Right answer');
    expect(visibleText(list.text)).toContain('Explanation after a wrong answer: Refusing care is a right, not a risk.');
  });

  it('refuses a question without a chosen answer in sentences linked to the fields, keeping what was typed, and writes nothing', async () => {
    const { admin, token } = await adminAgent();
    const res = await admin.post('/stages/preload-video/questions').type('form').send({ _csrf: token, programmeId, prompt: 'What comes after an incident?', answer0: 'A debrief', explanation: 'Because we learn.' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<a href="#field-options">Give at least two answers.</a>');
    expect(res.text).toContain('<a href="#field-correctIndex">Choose the right answer by selecting it.</a>');
    expect(res.text).toContain('id="field-options"');
    expect(res.text).toContain('id="field-correctIndex"');
    expect(res.text).toContain('>What comes after an incident?</textarea>');
    expect(res.text).toContain('value="A debrief"');
    expect(res.text).toContain('>Because we learn.</textarea>');
    expect(res.text).not.toContain('_csrf=');
    // The right answer chosen on an empty row is refused too.
    const empty = await admin.post('/stages/preload-video/questions').type('form').send({ _csrf: token, programmeId, prompt: 'Q?', answer0: 'A', answer1: 'B', correct: '4' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('The answer chosen as right is empty: choose one of the answers you wrote.');
    expect(await ordered()).toHaveLength(0);
  });

  it('edits a question (its form shows the stored answers with the right one selected), reorders and deletes', async () => {
    const db = t.database.db;
    await db.insert(preloadVideoQuestions).values([
      { programmeTemplateId: programmeId, position: 1, prompt: 'First?', options: ['a', 'b'], correctIndex: 0 },
      { programmeTemplateId: programmeId, position: 2, prompt: 'Second?', options: ['c', 'd'], correctIndex: 1 },
      { programmeTemplateId: programmeId, position: 3, prompt: 'Third?', options: ['e', 'f'], correctIndex: 0 },
    ]);
    const [first, second, third] = await ordered();
    const { admin, token } = await adminAgent();
    const form = await admin.get(`/stages/preload-video/questions/${second.id}`);
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/id="correct1" name="correct" value="1" checked/);
    expect(form.text).toContain('value="d"');
    await admin.post(`/stages/preload-video/questions/${second.id}`).type('form').send({ _csrf: token, prompt: 'Second, reworded?', answer0: 'c', answer1: 'd', answer2: 'g', correct: '2', explanation: 'g is right.' }).expect(303);
    expect((await ordered())[1]).toMatchObject({ prompt: 'Second, reworded?', options: ['c', 'd', 'g'], correctIndex: 2, explanation: 'g is right.' });

    await admin.post(`/stages/preload-video/questions/${third.id}/move`).type('form').send({ _csrf: token, direction: 'up' }).expect(303);
    expect((await ordered()).map((q) => q.prompt)).toEqual(['First?', 'Third?', 'Second, reworded?']);
    await admin.post(`/stages/preload-video/questions/${first.id}/move`).type('form').send({ _csrf: token, direction: 'up' }).expect(303); // already first: no change
    expect((await ordered()).map((q) => q.prompt)).toEqual(['First?', 'Third?', 'Second, reworded?']);
    const bad = await admin.post(`/stages/preload-video/questions/${first.id}/move`).type('form').send({ _csrf: token, direction: 'sideways' });
    expect(bad.status).toBe(400);

    await admin.post(`/stages/preload-video/questions/${first.id}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect((await ordered()).map((q) => [q.position, q.prompt])).toEqual([[1, 'Third?'], [2, 'Second, reworded?']]);
    const list = await admin.get('/stages/preload-video/questions');
    expect(visibleText(list.text)).toContain('1. Third?');
    expect((await admin.get(`/stages/preload-video/questions/${first.id}`)).status).toBe(404);
    const actions = (await db.select({ action: auditEvents.action }).from(auditEvents)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['preload-video.question_edited', 'preload-video.question_moved', 'preload-video.question_deleted']));
  });

  it('is the admins’ alone', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.get('/stages/preload-video/questions')).status).toBe(403);
  });
});

describe('the knowledge check teaches', () => {
  it('puts each answer on its own line beside its label, and after an attempt explains each wrong answer', async () => {
    const db = t.database.db;
    await addStages(db, w.a.cohort.id, [{ moduleKey: 'preload-video', title: 'Pre-load videos', complete: [{ kind: 'preload-video:quiz-passed', params: { passMark: 100 } }] }]);
    await db.insert(preloadVideoQuestions).values([
      { programmeTemplateId: programmeId, position: 1, prompt: 'When is physical restraint justified?', options: ['Whenever a person refuses care', 'Only as a last resort, proportionate to a real risk of harm'], correctIndex: 1, explanation: 'Refusing care is a person’s right, not a reason to hold them.' },
      { programmeTemplateId: programmeId, position: 2, prompt: 'What follows every restrictive intervention?', options: ['Nothing, if nobody was hurt', 'Post-incident support and a reflective debrief'], correctIndex: 1, explanation: 'Support and a debrief help the team need it less.' },
    ]);
    const [q1, q2] = await ordered();
    const agent = await t.loginAs(w.a.candidate.email);
    const url = `/cohorts/${w.a.cohort.id}/stages/preload-video`;
    const page = await agent.get(url);
    // One line per answer: the radio and its label together in one row.
    expect(page.text).toContain(`<div class="quiz-choice"><input type="radio" id="q_${q1.id}_0" name="q_${q1.id}" value="0" required><label for="q_${q1.id}_0">Whenever a person refuses care</label></div>`);
    expect(page.text).not.toContain('data-testid="quiz-review"');
    const token = await t.csrf(agent, url);

    // A missing answer: a sentence naming the question by number, the chosen answer kept.
    const partial = await agent.post(`${url}/quiz`).type('form').send({ _csrf: token, [`q_${q1.id}`]: '0' });
    expect(partial.status).toBe(400);
    expect(partial.text).toContain(`<a href="#field-q_${q2.id}">Choose an answer to question 2.</a>`);
    expect(partial.text).toMatch(new RegExp(`id="q_${q1.id}_0" name="q_${q1.id}" value="0" required checked`));

    await agent.post(`${url}/quiz`).type('form').send({ _csrf: token, [`q_${q1.id}`]: '0', [`q_${q2.id}`]: '1' }).expect(303);
    const after = visibleText((await agent.get(url)).text);
    expect(after).toContain('Your last attempt: 1 of 2 (50%) — not passed yet.');
    expect(after).toContain('1 answer was not right. Read why below, then try again.');
    expect(after).toContain('1. When is physical restraint justified? Your answer: Whenever a person refuses care — not right . The right answer: Only as a last resort, proportionate to a real risk of harm Why: Refusing care is a person’s right, not a reason to hold them.');
    expect(after).toContain('2. What follows every restrictive intervention? Your answer: Post-incident support and a reflective debrief — right.');
    expect(after).not.toContain('Support and a debrief help the team need it less.');
    const stage = await db.select({ id: cohortStages.id }).from(cohortStages).where(eq(cohortStages.cohortId, w.a.cohort.id));
    expect(stage).toHaveLength(1);
  });
});
