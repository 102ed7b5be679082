/** Admin editing of competency frameworks: API and page; a competency made safety-critical then needs a countersignature. */
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, decide, requestJson, type SignoffWorld } from './support';

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

const framework = {
  name: 'Short framework',
  ratingScale: { levels: ['Not yet', 'Competent'], competentFrom: 1 },
  areas: [{ name: 'Core', competencies: [{ code: 'C1', name: 'Calm voice' }] }],
};

describe('framework administration', () => {
  it('refuses anonymous (401) and non-admins (403)', async () => {
    expect((await t.anonymous().post('/api/v1/competency-frameworks').send(framework)).status).toBe(401);
    expect((await (await t.loginAs(w.a.mentor.email)).post('/api/v1/competency-frameworks').send(framework)).status).toBe(403);
    expect((await (await t.loginAs(w.a.lead.email)).patch(`/api/v1/competencies/${w.code.D1}`).send({ safetyCritical: true })).status).toBe(403);
  });

  it('creates a framework, adds an area and a competency, and refuses a duplicate code (409)', async () => {
    const admin = await t.loginAs(w.admin.email);
    const created = await admin.post('/api/v1/competency-frameworks').send(framework);
    expect(created.status).toBe(201);
    const id = created.body.framework.id;
    expect(created.body.framework.areas[0].competencies.map((c: { code: string }) => c.code)).toEqual(['C1']);
    const area = await admin.post(`/api/v1/competency-frameworks/${id}/areas`).send({ name: 'Extra' });
    expect(area.status).toBe(201);
    const comp = await admin.post(`/api/v1/competency-frameworks/${id}/competencies`).send({ areaId: area.body.area.id, code: 'C2', name: 'Open posture', safetyCritical: true });
    expect(comp.status).toBe(201);
    const dup = await admin.post(`/api/v1/competency-frameworks/${id}/competencies`).send({ areaId: area.body.area.id, code: 'C2', name: 'Again' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toMatch(/already has a competency with the code C2/);
    const tree = await admin.get(`/api/v1/competency-frameworks/${id}`);
    expect(tree.body.framework.areas.map((a: { name: string; competencies: unknown[] }) => [a.name, a.competencies.length])).toEqual([
      ['Core', 1],
      ['Extra', 1],
    ]);
  });

  it('makes a competency safety-critical: its next sign-off waits for a countersignature', async () => {
    const admin = await t.loginAs(w.admin.email);
    const patched = await admin.patch(`/api/v1/competencies/${w.code.T6}`).send({ safetyCritical: true });
    expect(patched.body.competency.safetyCritical).toBe(true);
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'T6');
    const res = await decide(await t.loginAs(w.a.mentor.email), w, req.body.request.id, { action: 'sign_off', rating: 2 });
    expect(res.body.request.status).toBe('awaiting_countersign');
  });

  it('adds a competency from the admin page form', async () => {
    const admin = await t.loginAs(w.admin.email);
    const page = await admin.get('/admin/competencies');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="competency-row-D5"');
    const areaId = /name="areaId"><option value="([0-9a-f-]+)"/.exec(page.text)![1];
    const token = await t.csrf(admin, '/admin/competencies');
    const res = await admin.post(`/admin/competencies/${w.frameworkId}/competencies`).type('form').send({ _csrf: token, areaId, code: 'D7', name: 'Post-incident support', safetyCritical: 'on' });
    expect(res.status).toBe(303);
    const after = await admin.get('/admin/competencies');
    expect(after.text).toMatch(/competency-row-D7"><td>D7<\/td><td>Post-incident support<\/td><td>Yes — needs a countersignature/);
  });
});
