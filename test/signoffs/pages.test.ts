/** Sign-off and rubric pages: they render for the right people, and their plain forms work without JavaScript. */
import { eq } from 'drizzle-orm';
import { cohortStages, signoffRequests } from '../../server/db/tables';
import { loadRubric } from '../../server/rubrics/queries';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, PDF, REFLECTION, requestJson, type SignoffWorld } from './support';

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

const mapPath = () => `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`;

describe('access (401/404/403 first)', () => {
  it('redirects anonymous visitors to log in and hides pages outside the visitor’s world', async () => {
    const anon = await t.anonymous().get(mapPath());
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toBe(`/login?next=${encodeURIComponent(mapPath())}`);
    expect((await (await t.loginAs(w.b.mentor.email)).get(mapPath())).status).toBe(404);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).get(mapPath())).status).toBe(404);
    expect((await (await t.loginAs(w.a.candidate.email)).get(`/cohorts/${w.a.cohort.id}/signoffs`)).status).toBe(403);
    expect((await (await t.loginAs(w.a.mentor.email)).get('/admin/rubrics')).status).toBe(403);
  });
});

describe('the competency map', () => {
  it('groups competencies by area with status in words and a request form', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    const res = await agent.get(mapPath());
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h2 id="area-');
    expect(res.text).toMatch(/>Delivery<\/h2>/);
    expect(res.text).toMatch(/>Trainer<\/h2>/);
    expect(res.text).toContain('0 of 14 competencies signed off.');
    expect(res.text).toContain('data-testid="request-form-D1"');
    expect(res.text).toContain('Not requested yet');
  });

  it('sends a request with a file from the plain multipart form (token in the form’s hidden field, never in its address)', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    const page = await agent.get(mapPath());
    const action = /action="([^"]+\/competencies\/[^"]+\/request)" data-testid="request-form-D1"/.exec(page.text)?.[1];
    expect(action).toBeDefined();
    expect(page.text).not.toMatch(/action="[^"]*_csrf=/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post(action!).field('_csrf', token).field('reflection', REFLECTION).attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/\?done=requested#competency-/);
    const after = await agent.get(mapPath());
    expect(after.text).toContain('Pending — waiting for a mentor');
    expect(after.text).toMatch(/<a href="\/evidence\/[0-9a-f-]+" download>plan\.pdf<\/a>/);
  });

  it('shows an upload refusal beside the form with the status code, keeping the reflection', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    const page = await agent.get(mapPath());
    const action = /action="([^"]+\/request)" data-testid="request-form-D1"/.exec(page.text)![1];
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(300, 1)]);
    const res = await agent.post(action).field('_csrf', token).field('reflection', REFLECTION).attach('files', elf, { filename: 'cert.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(415);
    expect(res.text).toContain('data-testid="error-summary"');
    expect(res.text).toContain('is a Linux program');
    expect(res.text).toContain(REFLECTION);
    expect(await t.database.db.select().from(signoffRequests)).toEqual([]);
  });
});

describe('the mentors’ queue', () => {
  it('lists waiting requests with evidence and records a decision from the form', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const mentor = await t.loginAs(w.a.mentor.email);
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}/signoffs`);
    expect(page.status).toBe(200);
    // Changed on purpose: the headline counts what this mentor can decide now (the dashboard's rule).
    expect(page.text).toContain('1 request waits for your decision');
    // The cited note in words: its text and time code, the session's date; who wrote it, in which room.
    expect(page.text).toContain('“You named the purpose of the session and checked everyone could hear.” at 2:05');
    expect(page.text).toContain('noted by Mentor A');
    expect(page.text).not.toContain(w.note[w.a.candidate.id] + '<');
    const token = await t.csrf(mentor, `/cohorts/${w.a.cohort.id}/signoffs`);
    const missing = await mentor.post(`/cohorts/${w.a.cohort.id}/signoffs/${req.body.request.id}/decision`).type('form').send({ _csrf: token, action: 'decline', note: '' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Write feedback so the candidate knows what to do next.');
    const ok = await mentor.post(`/cohorts/${w.a.cohort.id}/signoffs/${req.body.request.id}/decision`).type('form').send({ _csrf: token, action: 'sign_off', rating: '2', note: 'Good' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/cohorts/${w.a.cohort.id}/signoffs?done=sign_off`);
    const [row] = await t.database.db.select().from(signoffRequests).where(eq(signoffRequests.id, req.body.request.id));
    expect(row.status).toBe('signed');
  });

  it('Review opens one request with its evidence in place; a PDF opens in the browser, other files download', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const token = await t.csrf(candidate, mapPath());
    const sent = await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`).set('x-csrf-token', token).field('competencyId', w.code.D2).field('reflection', REFLECTION).attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' });
    expect(sent.status).toBe(201);
    await requestJson(candidate, w, 'D1');
    const mentor = await t.loginAs(w.a.mentor.email);
    const one = await mentor.get(`/cohorts/${w.a.cohort.id}/signoffs/${sent.body.request.id}`);
    expect(one.status).toBe(200);
    expect(one.text.match(/data-testid="queue-item"/g)).toHaveLength(1);
    expect(one.text).toContain('data-testid="whole-queue"');
    // Handlebars writes "=" in an attribute as &#x3D;.
    const view = /href="(\/evidence\/[0-9a-f-]+\?view(?:=|&#x3D;)inline)" data-testid="evidence-open">plan\.pdf</.exec(one.text)?.[1]?.replace('&#x3D;', '=');
    expect(view).toBeDefined();
    const inline = await mentor.get(view!);
    expect(inline.status).toBe(200);
    expect(inline.headers['content-disposition']).toMatch(/^inline; filename="plan\.pdf"/);
    const download = await mentor.get(view!.replace('?view=inline', ''));
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);
    expect((await mentor.get(`${view!.replace('?view=inline', '')}?view=everything`)).status).toBe(400);
    // Another person's request is not found; the candidate cannot review their own.
    expect((await candidate.get(`/cohorts/${w.a.cohort.id}/signoffs/${sent.body.request.id}`)).status).toBe(403);
    expect((await (await t.loginAs(w.b.mentor.email)).get(`/cohorts/${w.a.cohort.id}/signoffs/${sent.body.request.id}`)).status).toBe(404);
  });

  it('signs several candidates from the bulk form and says who was signed', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}/signoffs/bulk`);
    expect(page.status).toBe(200);
    const token = await t.csrf(mentor, `/cohorts/${w.a.cohort.id}/signoffs/bulk`);
    const res = await mentor
      .post(`/cohorts/${w.a.cohort.id}/signoffs/bulk`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(token)}&competencyId=${w.code.T1}&candidateIds=${w.a.candidate.id}&candidateIds=${w.a.otherCandidate.id}&rating=2&note=Kept+to+time&evidence=${encodeURIComponent(`transfer-week:register/${w.register}`)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Signed off 2 candidates');
  });
});

describe('rubric pages', () => {
  it('scores a candidate on the tablet form (radio groups with descriptors) and shows it side by side', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const path = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assess/knowledge-module`;
    // An assessment is about something on the cohort's programme: give the cohort a stage.
    await t.database.db.insert(cohortStages).values({ cohortId: w.a.cohort.id, position: 1, moduleKey: 'projects-week', title: 'Projects week', openRequirements: [], completeRequirements: [] });
    const page = await mentor.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<fieldset class="criterion card"');
    expect(page.text).toContain('Accurate and current throughout.');
    const rubric = await loadRubric(t.database.db, 'knowledge-module');
    const token = await t.csrf(mentor, path);
    // What it is about is one choice from a list (a stage as a whole here); the form starts on the candidate's stage.
    const context = /<option value="(stage:[0-9a-f-]+)" selected>/.exec(page.text)?.[1];
    expect(context).toBeDefined();
    const form: Record<string, string> = { _csrf: token, context: context as string, kind: 'mentor' };
    for (const c of rubric.criteria) form[`level_${c.id}`] = '2';
    const res = await mentor.post(path).type('form').send(form);
    expect(res.status).toBe(303);
    const list = await mentor.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assessments`);
    expect(list.text).toContain('66.67% — <strong>Passed</strong>');
    const missing = await mentor.post(path).type('form').send({ _csrf: token, context: 'session:x' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Choose which stage, session or module this assessment is for. Choose a level for every criterion — 5 still to do.');
    // Each missing choice once, as a sentence linked to its field.
    expect(missing.text).toContain('<a href="#field-context">Choose which stage, session or module this assessment is for.</a>');
    expect(missing.text.match(/Choose a level for “/g)).toHaveLength(5);
  });

  it('lets an admin build a rubric from the plain form', async () => {
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, '/admin/rubrics');
    const form: Record<string, string> = { _csrf: token, name: 'Room set-up', passThreshold: '50', c0_title: 'Space is safe', c0_weight: '1', c0_passLevel: '2', c0_mustPass: 'on' };
    ['Not yet', 'Developing', 'Secure', 'Exemplary'].forEach((label, i) => {
      form[`level${i}_label`] = label;
      form[`level${i}_points`] = String(i);
      form[`c0_d${i}`] = `${label} description`;
    });
    const res = await admin.post('/admin/rubrics').type('form').send(form);
    expect(res.status).toBe(303);
    const show = await admin.get(res.headers.location);
    expect(show.text).toContain('data-testid="rubric-name">Room set-up<');
    expect(show.text).toContain('Secure description');
  });
});

describe('revoking from the competency map', () => {
  it('shows a revoke form to mentors for signed competencies; a reason is required; then the map says revoked', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const mentor = await t.loginAs(w.a.mentor.email);
    await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/${req.body.request.id}/decisions`).send({ action: 'sign_off', rating: 2 });
    const page = await mentor.get(mapPath());
    expect(page.text).toContain('data-testid="revoke-form-D1"');
    expect((await candidate.get(mapPath())).text).not.toContain('data-testid="revoke-form-D1"');
    const token = await t.csrf(mentor, mapPath());
    const action = `/cohorts/${w.a.cohort.id}/signoffs/${req.body.request.id}/decision`;
    const noReason = await mentor.post(action).type('form').send({ _csrf: token, action: 'revoke', back: mapPath(), note: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Write the reason for revoking.');
    expect(noReason.text).toContain('data-testid="map-title"');
    const ok = await mentor.post(action).type('form').send({ _csrf: token, action: 'revoke', back: mapPath(), note: 'Unsafe practice observed since.' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`${mapPath()}?done=revoke`);
    const after = await candidate.get(mapPath());
    expect(after.text).toMatch(/data-testid="status">Revoked</);
    expect(after.text).toContain('Unsafe practice observed since.');
  });
});
