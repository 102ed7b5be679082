/** Saving a programme refuses requirements that name what does not exist (a rubric, a competency code, a video of the
 * programme) or that do not fit their stage, each problem a sentence naming its field; nothing is written. */
import { eq } from 'drizzle-orm';
import { programmeTemplates } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { buildRubric, buildVideo } from './support';

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

const stage = (moduleKey: string, complete: unknown[]) => ({ moduleKey, title: 'A stage', open: [], complete, config: {}, startDay: 0, endDay: 10 });
type Problem = { field: string; message: string };

async function save(stages: unknown[], templateId?: string) {
  const admin = await t.loginAs(w.admin.email);
  const body = { name: 'Checked programme', stages };
  return templateId ? admin.put(`/api/v1/programmes/${templateId}`).send(body) : admin.post('/api/v1/programmes').send(body);
}

describe('a programme’s references are checked when it is saved', () => {
  it('refuses a rubric that does not exist and a competency code in no framework, naming each field', async () => {
    const res = await save([stage('zoom-intro', [{ kind: 'rubric-passed', params: { rubric: 'no-such-rubric' } }, { kind: 'competencies-signed', params: { codes: ['ZZ9'] } }])]);
    expect(res.status).toBe(400);
    const problems = res.body.error.fields as Problem[];
    expect(problems).toEqual([
      { field: 'stages.0.complete.0.params.rubric', message: "There is no rubric with the key 'no-such-rubric': choose one of the rubrics." },
      { field: 'stages.0.complete.1.params.codes', message: "The competency code 'ZZ9' is not in any competency framework." },
    ]);
    expect(await t.database.db.select().from(programmeTemplates).where(eq(programmeTemplates.name, 'Checked programme'))).toHaveLength(0);
    await buildRubric(t.database.db, 'delivery');
    expect((await save([stage('zoom-intro', [{ kind: 'rubric-passed', params: { rubric: 'delivery' } }])])).status).toBe(201);
  });

  it('refuses a kind that does not fit its stage: another module’s kind, or attendance where none is recorded', async () => {
    const res = await save([stage('zoom-intro', [{ kind: 'preload-video:watched', params: {} }]), stage('preload-video', [{ kind: 'attendance', params: { sessions: 1 } }])]);
    expect(res.status).toBe(400);
    const problems = res.body.error.fields as Problem[];
    expect(problems.map((p) => p.field)).toEqual(['stages.0.complete.0.kind', 'stages.1.complete.0.kind']);
    expect(problems[0].message).toMatch(/^'preload-video:watched' belongs to the Pre-load videos stage and cannot be a requirement of a .+ stage\.$/);
    expect(problems[1].message).toBe('A Pre-load videos stage records no attendance, so it cannot require attendance at sessions.');
    expect((await save([stage('zoom-intro', [{ kind: 'attendance', params: { sessions: 1 } }])])).status).toBe(201);
  });

  it('refuses a video that is not the programme’s own', async () => {
    const mine = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Ours' });
    const theirs = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.b.cohort.id, title: 'Another programme’s' });
    const watch = (ids: string[]) => [stage('preload-video', [{ kind: 'preload-video:watched', params: { videoIds: ids } }])];
    const res = await save(watch([mine.video.id, theirs.video.id]), mine.programmeId);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'stages.0.complete.0.params.videoIds', message: 'One of the videos named is not among this programme’s videos.' }]);
    expect((await save(watch([mine.video.id]), mine.programmeId)).status).toBe(200);
  });
});
