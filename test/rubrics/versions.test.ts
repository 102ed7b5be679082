/** Rubrics are edited as versions: the editor shows whom a new version affects (names, by running cohort), saving
 * publishes version n + 1, an assessment keeps the version it was scored against, and a pass already made stands
 * when the new version raises the pass mark. */
import { eq } from 'drizzle-orm';
import { assessments, rubrics } from '../../server/db/tables';
import { loadRubric } from '../../server/rubrics/queries';
import { startTestApp, type TestApp } from '../support/app';
import { addStages } from '../progression/support';
import { computeProgress } from '../../server/progression/engine';
import { buildSignoffWorld, type SignoffWorld } from '../signoffs/support';

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

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

/** The editor's fields for `rubric` as it stands, with `change` applied. */
function fieldsOf(rubric: Awaited<ReturnType<typeof loadRubric>>, change: Record<string, string> = {}) {
  const f: Record<string, string> = { levelCount: String(rubric.levels.length), rowCount: String(rubric.criteria.length), name: rubric.name, passThreshold: String(rubric.passThreshold) };
  rubric.levels.forEach((l, i) => Object.assign(f, { [`level${i}_label`]: l.label, [`level${i}_points`]: String(l.points) }));
  rubric.criteria.forEach((c, i) => {
    Object.assign(f, { [`c${i}_title`]: c.title, [`c${i}_weight`]: String(c.weight), [`c${i}_passLevel`]: String(c.passLevel) });
    if (c.mustPass) f[`c${i}_mustPass`] = 'on';
    c.descriptors.forEach((d, j) => (f[`c${i}_d${j}`] = d.text));
  });
  return { ...f, ...change };
}

describe('rubric versions', () => {
  it('says whom a new version affects, publishes it, and leaves earlier assessments and passes as they were', async () => {
    const db = t.database.db;
    const [stage] = await addStages(db, w.a.cohort.id, [{ moduleKey: 'x', title: 'Projects', complete: [{ kind: 'rubric-passed', params: { rubric: 'knowledge-module' } }] }]);
    const v1 = await loadRubric(db, 'knowledge-module');
    const mentor = await t.loginAs(w.a.mentor.email);
    const levels = Object.fromEntries(v1.criteria.map((c) => [c.id, 2]));
    const scored = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/assessments`).send({ rubric: 'knowledge-module', contextType: 'stage', contextId: stage.id, cohortStageId: stage.id, levels });
    expect(scored.status).toBe(201);
    expect(scored.body.score).toMatchObject({ percent: 66.67, passed: true });
    const passedBefore = (await computeProgress(t.cadre.ctx, { cohortIds: [w.a.cohort.id] })).get(w.a.cohort.id)?.get(w.a.candidate.id)?.[0];
    expect(passedBefore?.status).toBe('complete');

    const admin = await t.loginAs(w.admin.email);
    const editor = await admin.get('/admin/rubrics/knowledge-module/edit');
    expect(editor.status).toBe(200);
    const page = text(editor.text);
    expect(page).toContain('Saving publishes version 2 . Assessments already made keep version 1');
    expect(page).toContain(`Already assessed — they keep their results: ${w.a.candidate.name} (version 1).`);
    expect(page).toContain(`Not assessed yet — they will be scored against version 2: ${w.a.otherCandidate.name}.`);
    expect(editor.text).toContain(`value="${v1.criteria[0].title}"`);

    // A refused save keeps what was typed and names the field in a sentence.
    const token = await t.csrf(admin, '/admin/rubrics/knowledge-module/edit');
    const refused = await admin.post('/admin/rubrics/knowledge-module/edit').type('form').send({ _csrf: token, ...fieldsOf(v1, { passThreshold: '150', c0_title: 'Accurate, current content' }) });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('href="#field-passThreshold"');
    expect(refused.text).toContain('value="Accurate, current content"');
    expect(await db.select().from(rubrics).where(eq(rubrics.key, 'knowledge-module'))).toHaveLength(1);

    // Raise the pass mark to 70, rename a criterion, drop the last one, make timing essential.
    const last = v1.criteria.length - 1;
    const saved = await admin
      .post('/admin/rubrics/knowledge-module/edit')
      .type('form')
      .send({ _csrf: token, ...fieldsOf(v1, { passThreshold: '70', c0_title: 'Accurate, current content', c0_d3: 'Accurate, current and tied to local policy.', [`c${last}_title`]: '', c2_mustPass: 'on', c2_weight: '1.5' }) });
    expect(saved.status).toBe(303);
    const v2 = await loadRubric(db, 'knowledge-module');
    expect(saved.headers.location).toBe(`/admin/rubrics/${v2.id}?published=1`);
    expect(v2).toMatchObject({ version: 2, passThreshold: 70 });
    expect(v2.criteria.map((c) => c.title)).toEqual(['Accurate, current content', ...v1.criteria.slice(1, last).map((c) => c.title)]);
    expect(v2.criteria[2]).toMatchObject({ mustPass: true, weight: 1.5 });
    expect(v2.criteria[0].descriptors[3].text).toBe('Accurate, current and tied to local policy.');
    const shown = text((await admin.get(saved.headers.location)).text);
    expect(shown).toContain('Saved as version 2.');
    expect(shown).toContain(`${w.a.candidate.name} (version 1)`);

    // The old version is kept, superseded; the assessment still points at it and its pass stands.
    const [old] = await db.select().from(rubrics).where(eq(rubrics.id, v1.id));
    expect(old.supersededAt).not.toBeNull();
    const [a] = await db.select().from(assessments).where(eq(assessments.id, scored.body.assessment.id));
    expect(a.rubricId).toBe(v1.id);
    const after = (await computeProgress(t.cadre.ctx, { cohortIds: [w.a.cohort.id] })).get(w.a.cohort.id)?.get(w.a.candidate.id)?.[0];
    expect(after?.status).toBe('complete');
    // The list offers only the current version; a new assessment is scored against it.
    const list = text((await admin.get('/admin/rubrics')).text);
    expect(list.match(/Delivering a knowledge module/g)).toHaveLength(1);
    const v2levels = Object.fromEntries(v2.criteria.map((c) => [c.id, 2]));
    const next = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.otherCandidate.id}/assessments`).send({ rubric: 'knowledge-module', contextType: 'stage', contextId: stage.id, cohortStageId: stage.id, levels: v2levels });
    expect(next.status).toBe(201);
    expect(next.body.score.passed).toBe(false); // 66.67% is below version 2's pass mark of 70%
    const [b] = await db.select().from(assessments).where(eq(assessments.id, next.body.assessment.id));
    expect(b.rubricId).toBe(v2.id);

    // Editing the superseded version is refused.
    const stale = await admin.post(`/admin/rubrics/${v1.id}/edit`).type('form').send({ _csrf: token, ...fieldsOf(v1) });
    expect(stale.status).toBe(409);
  });

  it('is the admins’ alone', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.get('/admin/rubrics/knowledge-module/edit')).status).toBe(403);
  });
});
