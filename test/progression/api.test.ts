import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { addStages } from './support';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  await addStages(t.database.db, w.a.cohort.id, [
    { moduleKey: 'preload-video', title: 'Pre-load videos', startsOn: '2020-01-01', open: [{ kind: 'date-reached', params: {} }], complete: [{ kind: 'mentor-marked-complete', params: {} }] },
    { moduleKey: 'zoom-intro', title: 'Zoom introduction', open: [{ kind: 'previous-stage-complete', params: {} }], complete: [{ kind: 'attendance', params: { sessions: 1 } }] },
  ]);
});

describe('GET /api/v1/cohorts/:cohortId/candidates/:userId/progress', () => {
  it('returns the ordered stages with key, title, status and requirements { kind, met, reason, progress }', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const res = await candidate.get(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`);
    expect(res.status).toBe(200);
    expect(res.body.stages).toHaveLength(2);
    expect(res.body.stages[0]).toMatchObject({ key: 'preload-video', title: 'Pre-load videos', status: 'open', requirements: [{ kind: 'date-reached', met: true, progress: null }, { kind: 'mentor-marked-complete', met: false }] });
    expect(res.body.stages[1]).toMatchObject({ key: 'zoom-intro', status: 'locked', requirements: [{ kind: 'previous-stage-complete', met: false, reason: "Complete 'Pre-load videos' first." }, { kind: 'attendance', met: false, progress: { done: 0, of: 1 } }] });
    for (const s of res.body.stages) for (const r of s.requirements) expect(Object.keys(r)).toEqual(expect.arrayContaining(['kind', 'met', 'reason', 'progress']));
    expect(res.body.next.text).toMatch(/not marked yet/);
  });

  it('is 401 anonymous, 404 for another cohort’s mentor, 404 for a peer candidate’s record, 200 for staff', async () => {
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`;
    expect((await t.anonymous().get(url)).status).toBe(401);
    expect((await (await t.loginAs(w.b.mentor.email)).get(url)).status).toBe(404);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).get(url)).status).toBe(404);
    expect((await (await t.loginAs(w.a.mentor.email)).get(url)).status).toBe(200);
    expect((await (await t.loginAs(w.a.lead.email)).get(url)).status).toBe(200);
    expect((await (await t.loginAs(w.admin.email)).get(url)).status).toBe(200);
    expect((await (await t.loginAs(w.a.mentor.email)).get(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.mentor.id}/progress`)).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await t.anonymous().get('/api/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/api\/v1\/cohorts\/\{cohortId\}\/candidates\/\{userId\}\/progress$/)]));
  });
});

describe('pages', () => {
  it('shows the candidate a timeline with status in words, the reason behind each lock and a link to act', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const home = await candidate.get('/');
    expect(home.headers.location).toBe('/me/progress');
    const me = await candidate.get('/me/progress');
    expect(me.headers.location).toBe(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`);
    const page = await candidate.get(me.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Your programme');
    expect(page.text).toMatch(/data-status="open"[\s\S]*Open — ready to start/);
    expect(page.text).toContain('Why it is locked:</strong> Complete &#x27;Pre-load videos&#x27; first.');
    expect(page.text).toContain(`href="/cohorts/${w.a.cohort.id}/stages/preload-video"`);
    // A candidate asking for the cohort overview lands on their own timeline.
    const overview = await candidate.get(`/cohorts/${w.a.cohort.id}`);
    expect(overview.status).toBe(302);
    expect(overview.headers.location).toBe(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`);
  });

  it('lists the cohort’s candidates and their current stage for mentors; hides it from other cohorts', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(w.a.candidate.name);
    expect(page.text).toContain(w.a.otherCandidate.name);
    expect(page.text).toContain('Pre-load videos');
    expect((await (await t.loginAs(w.b.mentor.email)).get(`/cohorts/${w.a.cohort.id}`)).status).toBe(404);
    const timeline = await mentor.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`);
    expect(timeline.text).toContain("Mark 'Pre-load videos' complete");
  });
});
