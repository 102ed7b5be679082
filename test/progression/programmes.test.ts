import { asc, eq } from 'drizzle-orm';
import { createCohort } from '../../server/cohorts/commands';
import { cohortStages, stageCompletionMarks } from '../../server/db/tables';
import { RETIRED_POSITION } from '../../server/progression/registry';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildWorld, type World } from '../support/factories';

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
});

const stage = (moduleKey: string, title: string, open: unknown[], complete: unknown[]) => ({ moduleKey, title, open, complete, config: {}, startDay: 0, endDay: 10 });
const marked = [{ kind: 'mentor-marked-complete', params: {} }];
const afterPrevious = [{ kind: 'previous-stage-complete', params: {} }];

describe('programme templates', () => {
  it('are admin-only: 403 for a mentor, 401 anonymous', async () => {
    expect((await t.anonymous().get('/api/v1/programmes')).status).toBe(401);
    expect((await (await t.loginAs(w.a.mentor.email)).get('/api/v1/programmes')).status).toBe(403);
    expect((await (await t.loginAs(w.a.mentor.email)).get('/admin/programmes')).status).toBe(403);
  });

  it('validate every requirement against its kind’s parameters, naming the field', async () => {
    const admin = await t.loginAs(w.admin.email);
    const res = await admin.post('/api/v1/programmes').send({
      name: 'Broken',
      stages: [stage('preload-video', 'Videos', [{ kind: 'date-reached', params: { date: 'soon' } }], [{ kind: 'rubric-passed', params: {} }, { kind: 'teleport', params: {} }]), stage('not-installed', 'X', [], [])],
    });
    expect(res.status).toBe(400);
    const fields = res.body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['stages.0.open.0.params.date', 'stages.0.complete.0.params.rubric', 'stages.0.complete.1.kind', 'stages.1.moduleKey']));
  });

  it('apply a template change to a running cohort: matching stages keep their ids and records, gates recompute at once', async () => {
    const admin = await t.loginAs(w.admin.email);
    const created = await admin.post('/api/v1/programmes').send({
      name: 'Short programme',
      stages: [stage('preload-video', 'Videos', [], marked), stage('zoom-intro', 'Intro', afterPrevious, marked)],
    });
    expect(created.status).toBe(201);
    const templateId = created.body.programme.id;
    const cohort = await createCohort(t.database.db, w.admin.id, { organisationId: w.a.org.id, name: 'Running', programmeTemplateId: templateId, startsOn: '2020-01-01' });
    await addToCohort(t.database.db, cohort.id, w.a.mentor.id, 'mentor');
    await addToCohort(t.database.db, cohort.id, w.a.candidate.id, 'candidate');
    const [videos, intro] = await t.database.db.select().from(cohortStages).where(eq(cohortStages.cohortId, cohort.id)).orderBy(asc(cohortStages.position));
    await t.database.db.insert(stageCompletionMarks).values({ cohortStageId: videos.id, candidateId: w.a.candidate.id, mentorId: w.a.mentor.id });
    const progress = () => admin.get(`/api/v1/cohorts/${cohort.id}/candidates/${w.a.candidate.id}/progress`).then((r) => r.body.stages as { key: string; status: string; stageId: string; requirements: { kind: string; reason: string }[] }[]);
    expect((await progress()).map((s) => s.status)).toEqual(['complete', 'open']);

    // Edit the template: the intro now waits for a date far in the future, and a third stage is added.
    const edited = await admin.put(`/api/v1/programmes/${templateId}`).send({
      name: 'Short programme',
      stages: [
        stage('preload-video', 'Videos', [], marked),
        stage('zoom-intro', 'Intro', [...afterPrevious, { kind: 'date-reached', params: { date: '2999-01-01' } }], marked),
        stage('transfer-week', 'Transfer week', afterPrevious, marked),
      ],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.programme.version).toBe(2);
    // Editing the template does not silently change the running cohort.
    expect((await progress()).map((s) => s.status)).toEqual(['complete', 'open']);

    const applied = await admin.post(`/api/v1/programmes/${templateId}/apply`).send({ cohortId: cohort.id });
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toEqual({ kept: 2, added: 1, retired: 0, version: 2 });
    const after = await progress();
    expect(after.map((s) => s.status)).toEqual(['complete', 'locked', 'locked']);
    expect(after[0].stageId).toBe(videos.id);
    expect(after[1].stageId).toBe(intro.id);
    expect(after[1].requirements[1].reason).toBe('Opens on 1 January 2999.');

    // Swap the order: no stage matches by position and module any more, so the old ones are retired, not lost.
    await admin.put(`/api/v1/programmes/${templateId}`).send({ name: 'Short programme', stages: [stage('zoom-intro', 'Intro', [], marked), stage('preload-video', 'Videos', afterPrevious, marked)] });
    const swapped = await admin.post(`/api/v1/programmes/${templateId}/apply`).send({ cohortId: cohort.id });
    expect(swapped.body.applied).toMatchObject({ kept: 0, added: 2, retired: 3 });
    expect((await progress()).map((s) => `${s.key}:${s.status}`)).toEqual(['zoom-intro:open', 'preload-video:locked']);
    const all = await t.database.db.select().from(cohortStages).where(eq(cohortStages.cohortId, cohort.id));
    expect(all.filter((s) => s.position >= RETIRED_POSITION)).toHaveLength(3);
  });

  it('edit pages: list, add a stage from the module defaults, move it, remove it, apply', async () => {
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, '/admin/programmes');
    const create = await admin.post('/admin/programmes').type('form').send({ _csrf: token, name: 'Page-made' });
    expect(create.status).toBe(303);
    const editUrl = create.headers.location as string;
    expect((await admin.post(`${editUrl}/stages`).type('form').send({ _csrf: token, moduleKey: 'preload-video' })).status).toBe(303);
    expect((await admin.post(`${editUrl}/stages`).type('form').send({ _csrf: token, moduleKey: 'zoom-intro' })).status).toBe(303);
    let page = await admin.get(editUrl);
    expect(page.status).toBe(200);
    expect(page.text.indexOf('data-module="preload-video"')).toBeLessThan(page.text.indexOf('data-module="zoom-intro"'));
    await admin.post(`${editUrl}/stages/1/move`).type('form').send({ _csrf: token, direction: 'up' });
    page = await admin.get(editUrl);
    expect(page.text.indexOf('data-module="zoom-intro"')).toBeLessThan(page.text.indexOf('data-module="preload-video"'));
    const bad = await admin.post(`${editUrl}/stages/0`).type('form').send({ _csrf: token, intent: 'json', moduleKey: 'zoom-intro', title: 'Intro', config: '{}', openJson: '[{"kind":"rubric-passed","params":{}}]', completeJson: 'not json', startDay: '', endDay: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('There is a problem');
    await admin.post(`${editUrl}/stages/1/delete`).type('form').send({ _csrf: token });
    page = await admin.get(editUrl);
    expect(page.text).not.toContain('data-module="preload-video"');
    const apply = await admin.post(`${editUrl}/apply`).type('form').send({ _csrf: token, cohortId: w.a.cohort.id });
    expect(apply.status).toBe(303);
    const stages = await t.database.db.select().from(cohortStages).where(eq(cohortStages.cohortId, w.a.cohort.id));
    expect(stages.map((s) => s.moduleKey)).toEqual(['zoom-intro']);
  });
});
