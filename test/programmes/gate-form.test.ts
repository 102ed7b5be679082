/** The gate form (13.1) and the programme order (13.2), over real HTTP on a real database: fields generated from each
 * kind's declaration, pickers with real names, a server-side preview, add/remove/move, refusals linked to their field,
 * the Advanced JSON round-tripping with the form, and a new order saved in one request. */
import { eq } from 'drizzle-orm';
import { createTemplate } from '../../server/programmes/commands';
import { competencies, competencyAreas, competencyFrameworks, programmeTemplates, rubrics, templateStages } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let admin: Awaited<ReturnType<TestApp['loginAs']>>;
let token: string;
let url: string;
let templateId: string;
beforeAll(async () => {
  t = await startTestApp();
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const db = t.database.db;
  await db.insert(rubrics).values({ key: 'co-delivery-obs', name: 'Co-delivery observation', passThreshold: 70 });
  const [fw] = await db.insert(competencyFrameworks).values({ name: 'Trainer framework', ratingScale: [] as never }).returning();
  const [area] = await db.insert(competencyAreas).values({ frameworkId: fw.id, position: 1, name: 'Delivery' }).returning();
  await db.insert(competencies).values([
    { frameworkId: fw.id, areaId: area.id, code: 'D1', name: 'Opens a session safely', position: 1 },
    { frameworkId: fw.id, areaId: area.id, code: 'D2', name: 'De-escalates with respect', position: 2 },
  ]);
  const none = { config: {}, open: [], complete: [], summary: null, startDay: null, endDay: null };
  const tpl = await createTemplate(t.cadre.ctx, w.admin.id, {
    name: 'Gates by form',
    stages: [
      { ...none, moduleKey: 'preload-video', title: 'Videos', complete: [{ kind: 'mentor-marked-complete', params: {} }] },
      { ...none, moduleKey: 'co-delivery', title: 'Co-delivery', open: [{ kind: 'previous-stage-complete', params: {} }] },
      { ...none, moduleKey: 'zoom-intro', title: 'Intro' },
    ],
  });
  await db.update(programmeTemplates).set({ frameworkId: fw.id }).where(eq(programmeTemplates.id, tpl.id));
  templateId = tpl.id;
  url = `/admin/programmes/${tpl.id}`;
  admin = await t.loginAs(w.admin.email);
  token = await t.csrf(admin, url);
});
afterAll(() => t.stop());

const stored = async (position: number) => (await t.database.db.select().from(templateStages).where(eq(templateStages.templateId, templateId))).find((s) => s.position === position)!;
const base = (title: string, moduleKey: string) => ({ _csrf: token, moduleKey, title, summary: '', startDay: '', endDay: '' });
const send = (index: number, fields: Record<string, string | string[]>) => admin.post(`${url}/stages/${index}`).type('form').send(fields);
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, "'").replace(/\s+/g, ' ');

describe('the gate form', () => {
  it('offers each kind’s fields with real names, never ids, and the sentence the candidate will read', async () => {
    const page = await admin.get(url);
    expect(page.status).toBe(200);
    const words = text(page.text);
    expect(words).toContain('A mentor marks the stage complete');
    expect(words).toContain('The previous stage is complete');
    // The add list offers kinds by name, only those that fit the stage: attendance is not offered on a video stage.
    const videoStage = page.text.slice(page.text.indexOf('id="stage-0"'), page.text.indexOf('id="stage-1"'));
    expect(videoStage).toContain('>Rubric passed</option>');
    expect(videoStage).toContain('>Videos watched</option>');
    expect(videoStage).not.toContain('>Attend sessions</option>');
    expect(videoStage).not.toContain('>Transfer-week days attended</option>');
    expect(words).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
  });

  it('adds a requirement, previews it server-side without saving, saves it, and the Advanced JSON says the same', async () => {
    const added = await send(2, { ...base('Intro', 'zoom-intro'), intent: 'add.complete', 'add.complete': 'rubric-passed' });
    expect(added.status).toBe(200);
    expect(added.text).toContain('name="complete.0.params.rubric"');
    expect(added.text).toContain('>Co-delivery observation</option>');
    expect((await stored(3)).completeRequirements).toEqual([]);

    const fields = { ...base('Intro', 'zoom-intro'), 'complete.0.kind': 'rubric-passed', 'complete.0.params.rubric': 'co-delivery-obs', 'complete.0.params.threshold': '75', 'complete.0.params.combine': '', 'complete.1.kind': 'competencies-signed', 'complete.1.params.codes': ['D1', 'D2'] };
    const preview = await send(2, { ...fields, intent: 'preview' });
    expect(preview.status).toBe(200);
    const said = text(preview.text.slice(preview.text.indexOf('data-preview="2"')));
    expect(said).toContain("Assessed with rubric 'Co-delivery observation' at 75% or above");
    expect(said).toContain('D1 Opens a session safely; D2 De-escalates with respect');
    expect((await stored(3)).completeRequirements).toEqual([]);

    const saved = await send(2, { ...fields, intent: 'save' });
    expect(saved.status).toBe(303);
    expect((await stored(3)).completeRequirements).toEqual([
      { kind: 'rubric-passed', params: { rubric: 'co-delivery-obs', threshold: 75 } },
      { kind: 'competencies-signed', params: { codes: ['D1', 'D2'] } },
    ]);
    const page = await admin.get(url);
    const json = /name="completeJson"[^>]*>([^<]*)</.exec(page.text.slice(page.text.indexOf('id="stage-2"')))![1].replace(/&quot;/g, '"');
    expect(JSON.parse(json)).toEqual((await stored(3)).completeRequirements);
  });

  it('saves from the Advanced JSON, and the form then shows those values in its fields', async () => {
    const res = await send(2, { ...base('Intro', 'zoom-intro'), intent: 'json', config: '{}', openJson: '[]', completeJson: '[{"kind":"zoom-intro:attendance","params":{"sessions":2}}]' });
    expect(res.status).toBe(303);
    const kind = (await stored(3)).completeRequirements[0].kind;
    const page = await admin.get(url);
    const card = page.text.slice(page.text.indexOf('id="stage-2"'));
    expect(card).toMatch(/name="complete\.0\.params\.sessions"[^>]*value="2"/);
    expect(card).toContain(`value="${kind}"`);
  });

  it('removes and reorders requirements without saving until asked', async () => {
    const two = { ...base('Videos', 'preload-video'), 'complete.0.kind': 'mentor-marked-complete', 'complete.1.kind': 'preload-video:quiz-passed', 'complete.1.params.passMark': '85' };
    const moved = await send(0, { ...two, intent: 'up.complete.1' });
    expect(moved.status).toBe(200);
    const card = moved.text.slice(moved.text.indexOf('id="stage-0"'), moved.text.indexOf('id="stage-1"'));
    expect(card).toContain('name="complete.0.kind" value="preload-video:quiz-passed"');
    expect(card).toContain('name="complete.1.kind" value="mentor-marked-complete"');
    const removed = await send(0, { ...two, intent: 'remove.complete.0' });
    const left = removed.text.slice(removed.text.indexOf('id="stage-0"'), removed.text.indexOf('id="stage-1"'));
    expect(left).toContain('name="complete.0.kind" value="preload-video:quiz-passed"');
    expect(left).not.toContain('name="complete.1.kind"');
    expect((await stored(1)).completeRequirements).toEqual([{ kind: 'mentor-marked-complete', params: {} }]);
  });

  it('refuses what cannot work, each reason a sentence linked to its field, and keeps what was typed', async () => {
    const res = await send(0, {
      ...base('Videos', 'preload-video'),
      intent: 'save',
      'complete.0.kind': 'attendance',
      'complete.0.params.sessions': '2',
      'complete.1.kind': 'rubric-passed',
      'complete.1.params.rubric': 'no-such-rubric',
      'complete.2.kind': 'competencies-signed',
      'complete.2.params.codes': 'Z9',
    });
    expect(res.status).toBe(400);
    const words = text(res.text);
    expect(words).toContain('records no attendance, so it cannot require attendance at sessions');
    expect(words).toContain("There is no rubric with the key 'no-such-rubric'");
    expect(words).toContain("The competency code 'Z9' is not in the programme's competency framework");
    expect(res.text).toContain('href="#s0-complete.0.kind"');
    expect(res.text).toContain('id="s0-complete.0.kind"');
    expect(res.text).toContain('href="#s0-complete.1.params.rubric"');
    expect(res.text).toContain('id="s0-complete.1.params.rubric"');
    expect(res.text).toContain('value="no-such-rubric" selected');
    expect((await stored(1)).completeRequirements).toEqual([{ kind: 'mentor-marked-complete', params: {} }]);
  });
});

describe('the programme order', () => {
  it('is saved in one request, and a refused order says why', async () => {
    const before = (await t.database.db.select().from(templateStages).where(eq(templateStages.templateId, templateId))).sort((a, b) => a.position - b.position).map((s) => s.title);
    expect(before).toEqual(['Videos', 'Co-delivery', 'Intro']);
    const twice = await admin.post(`${url}/order`).type('form').send({ _csrf: token, order: '1,1,2' });
    expect(twice.status).toBe(400);
    expect(text(twice.text)).toContain('The new order must name each of the 3 stages once.');

    const ok = await admin.post(`${url}/order`).type('form').send({ _csrf: token, order: '3,1,2' });
    expect(ok.status).toBe(303);
    const after = (await t.database.db.select().from(templateStages).where(eq(templateStages.templateId, templateId))).sort((a, b) => a.position - b.position);
    expect(after.map((s) => s.title)).toEqual(['Intro', 'Videos', 'Co-delivery']);

    // Co-delivery waits for stage 2 by number ('Videos'); moving it before Videos is refused, naming both.
    await send(2, { ...base('Co-delivery', 'co-delivery'), intent: 'save', 'open.0.kind': 'previous-stage-complete', 'open.0.params.position': '2' });
    const refused = await admin.post(`${url}/order`).type('form').send({ _csrf: token, order: '3,1,2' });
    expect(refused.status).toBe(400);
    expect(text(refused.text)).toContain("'Co-delivery' waits for 'Videos', which comes at or after it");
    const kept = (await t.database.db.select().from(templateStages).where(eq(templateStages.templateId, templateId))).sort((a, b) => a.position - b.position);
    expect(kept.map((s) => s.title)).toEqual(['Intro', 'Videos', 'Co-delivery']);
  });
});
