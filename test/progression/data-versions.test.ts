/**
 * Progress, readiness and records are answered from memory while a cohort's data version stays the same. These tests
 * prove the promise that makes that safe — a changed rule or fact applies at once: every table those answers read is
 * watched by the version triggers, every write to a watched table moves the version of the cohorts it concerns (and
 * only those), and after each kind of write the pages people read show the new state on the next request.
 */
import { and, eq, sql } from 'drizzle-orm';
import { audit } from '../../server/audit';
import { countStatements } from '../../server/db/statements';
import { readVersions, GLOBAL_SCOPE, VersionedCache } from '../../server/db/versions';
import { cohortMembers, cohortStages, cohorts, rubrics, users } from '../../server/db/tables';
import { computeProgress } from '../../server/progression/engine';
import { recordOf } from '../../server/progression/waivers';
import { computeReadiness } from '../../server/readiness/queries';
import { seedDemo } from '../../seed/demo';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildUser, buildWorld, type World } from '../support/factories';
import { addStages, buildVideo } from './support';

jest.setTimeout(120_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** Every table the version triggers watch. */
async function watchedTables(): Promise<Set<string>> {
  const r = await t.database.query(`select distinct c.relname as name from pg_trigger g join pg_class c on c.oid = g.tgrelid where g.tgname = 'cadre_versions_insert'`);
  return new Set(r.rows.map((x) => String(x.name)));
}

/** The tables named after FROM or JOIN in these statements. */
function tablesIn(texts: string[]): Set<string> {
  const out = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/\b(?:from|join)\s+"?([a-z_][a-z0-9_]*)"?/gi)) out.add(m[1].toLowerCase());
  return out;
}

const versionOf = async (scope: string) => (await readVersions(t.database.db, [scope])).get(scope);

describe('what the caches trust', () => {
  let cohortId: string;
  beforeAll(async () => {
    await t.database.truncateAll();
    ({ cohortId } = await seedDemo(t.database.db, t.config, t.cadre.modules));
  });

  it('watches every table that progress, readiness and a record read', async () => {
    const candidates = (await t.database.db.select({ id: cohortMembers.userId }).from(cohortMembers).where(eq(cohortMembers.cohortId, cohortId))).map((r) => r.id);
    // Nothing has been computed for this new cohort yet: every statement below reads the data itself.
    const read = await countStatements(
      async () => {
        await computeProgress(t.cadre.ctx, { cohortIds: [cohortId] });
        await computeReadiness(t.cadre.ctx, { cohortIds: [cohortId] });
        for (const c of candidates) await recordOf(t.cadre.ctx, cohortId, c);
      },
      { full: true },
    );
    const real = new Set((await t.database.query(`select tablename from pg_tables where schemaname = 'public'`)).rows.map((r) => String(r.tablename)));
    const tables = new Set([...tablesIn(read.texts)].filter((name) => real.has(name) && name !== 'data_versions'));
    expect(tables.size).toBeGreaterThan(20);
    const watched = await watchedTables();
    expect([...tables].filter((name) => !watched.has(name))).toEqual([]);
  });

  it('moves the version of the cohort (or of the reference data) on a write to any watched table', async () => {
    // The demo's audit trail holds no candidate's own action yet (readiness reads those): add one.
    const [candidate] = await t.database.db.select({ id: cohortMembers.userId }).from(cohortMembers).where(eq(cohortMembers.role, 'candidate')).limit(1);
    await t.database.db.transaction((tx) => audit(tx, { actorId: candidate.id, action: 'test.acted', subjectType: 'cohort', subjectId: cohortId }));
    const moved: string[] = [];
    const unmoved: string[] = [];
    for (const table of [...(await watchedTables())].sort()) {
      const cols = await t.database.query(`select column_name from information_schema.columns where table_name = $1 order by ordinal_position limit 1`, [table]);
      const col = String(cols.rows[0].column_name);
      const n = await t.database.query(`select count(*)::int as n from "${table}"`);
      if (!Number(n.rows[0].n)) continue; // the demo has no rows here to rewrite
      // The demo has two cohorts (the current one and the first, finished one): a row moves the version of its own.
      const scopes = [...(await t.database.query(`select id from cohorts`)).rows.map((r) => String(r.id)), GLOBAL_SCOPE];
      const versions = async () => Promise.all(scopes.map((s) => versionOf(s)));
      const before = await versions();
      // Rewrites every row with itself: changes nothing, but is a write the triggers must see.
      await t.database.db.execute(sql.raw(`update "${table}" set "${col}" = "${col}"`));
      const after = await versions();
      (before.some((v, i) => v !== after[i]) ? moved : unmoved).push(table);
    }
    expect(unmoved).toEqual([]);
    expect(moved.length).toBeGreaterThan(25);
  });
});

describe('a changed rule or fact applies at once', () => {
  let w: World;
  beforeEach(async () => {
    await t.database.truncateAll();
    w = await buildWorld(t.database.db);
    await addStages(t.database.db, w.a.cohort.id, [
      { moduleKey: 'preload-video', title: 'Pre-load videos', complete: [{ kind: 'preload-video:watched', params: {} }] },
      { moduleKey: 'zoom-intro', title: 'Zoom introduction', open: [{ kind: 'previous-stage-complete', params: {} }], complete: [{ kind: 'mentor-marked-complete', params: {} }] },
    ]);
    await addStages(t.database.db, w.b.cohort.id, [{ moduleKey: 'zoom-intro', title: 'Zoom introduction', complete: [{ kind: 'mentor-marked-complete', params: {} }] }]);
  });

  const progressUrl = () => `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`;
  const statuses = async (agent: Awaited<ReturnType<TestApp['loginAs']>>) => ((await agent.get(progressUrl()).expect(200)).body as { stages: { title: string; status: string }[] }).stages.map((s) => `${s.title}: ${s.status}`);
  const stageId = async (title: string) => (await t.database.db.select({ id: cohortStages.id }).from(cohortStages).where(eq(cohortStages.title, title)))[0].id;

  it('a mark, a waiver and a changed requirement, each on the next read; another cohort keeps its version', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect(await statuses(candidate)).toEqual(['Pre-load videos: open', 'Zoom introduction: locked']);
    const otherCohort = await versionOf(w.b.cohort.id);

    // The requirement changes (as applying an edited programme does): pre-load completes by a date already past.
    await t.database.db.update(cohortStages).set({ completeRequirements: [{ kind: 'date-reached', params: { date: '2020-01-01' } }] }).where(eq(cohortStages.title, 'Pre-load videos'));
    expect(await statuses(candidate)).toEqual(['Pre-load videos: complete', 'Zoom introduction: open']);
    // And back to a mentor's mark: locked again on the next read.
    await t.database.db.update(cohortStages).set({ completeRequirements: [{ kind: 'mentor-marked-complete', params: {} }] }).where(eq(cohortStages.title, 'Pre-load videos'));
    expect(await statuses(candidate)).toEqual(['Pre-load videos: open', 'Zoom introduction: locked']);

    // A mentor marks pre-load complete: the next stage opens.
    await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/stages/${await stageId('Pre-load videos')}/complete`).send({ note: 'Watched with me' }).expect(201);
    expect(await statuses(candidate)).toEqual(['Pre-load videos: complete', 'Zoom introduction: open']);

    // A waiver of the introduction, with a reason: waived at once, and on the record.
    await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/waivers`).send({ stageId: await stageId('Zoom introduction'), reason: 'Met the team in person instead' }).expect(201);
    expect(await statuses(candidate)).toEqual(['Pre-load videos: complete', 'Zoom introduction: waived']);
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`).expect(200);
    expect(page.text).toContain('Met the team in person instead');

    expect(await versionOf(w.b.cohort.id)).toBe(otherCohort);
  });

  it('the timeline page, kept per kind of viewer, shows each write at the next view to each of them', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const candidate = await t.loginAs(w.a.candidate.email);
    const lead = await t.loginAs(w.a.lead.email);
    const timeline = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`;
    const seen = async (agent: Awaited<ReturnType<TestApp['loginAs']>>) => {
      const html = (await agent.get(timeline).expect(200)).text;
      const statuses = [...html.matchAll(/data-status="([a-z_]+)"/g)].map((m) => m[1]);
      return { statuses, own: html.includes('Your programme') };
    };
    // Each viewer twice (the second from memory): the candidate's own page, the mentor's and the lead's differ.
    for (let i = 0; i < 2; i++) {
      expect(await seen(candidate)).toMatchObject({ own: true, statuses: ['open', 'locked'] });
      expect(await seen(mentor)).toMatchObject({ own: false, statuses: ['open', 'locked'] });
      expect(await seen(lead)).toMatchObject({ own: false, statuses: ['open', 'locked'] });
    }
    const mentorPage = (await mentor.get(timeline).expect(200)).text;
    const leadPage = (await lead.get(timeline).expect(200)).text;
    expect(mentorPage).toContain('/waivers');
    expect(leadPage).not.toContain('/waivers');
    // A changed requirement (as applying an edited programme does) opens the next stage for every viewer at their next view.
    await t.database.db.update(cohortStages).set({ completeRequirements: [{ kind: 'date-reached', params: { date: '2020-01-01' } }] }).where(eq(cohortStages.title, 'Pre-load videos'));
    for (const agent of [candidate, mentor, lead]) expect((await seen(agent)).statuses).toEqual(['complete', 'open']);
    // A mentor's waiver, likewise.
    await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/waivers`).send({ stageId: await stageId('Zoom introduction'), reason: 'Met the team in person instead' }).expect(201);
    for (const agent of [candidate, mentor, lead]) expect((await seen(agent)).statuses).toEqual(['complete', 'waived']);
    // The mentor loses the cohort: their next view is refused, whatever was kept for mentors.
    await t.database.db.delete(cohortMembers).where(and(eq(cohortMembers.userId, w.a.mentor.id), eq(cohortMembers.cohortId, w.a.cohort.id)));
    t.cadre.ctx.actors.invalidate(w.a.mentor.id);
    expect([403, 404]).toContain((await mentor.get(timeline)).status);
  });

  it('a kept page body carries each session’s own CSRF token, and a notice shows only on the view it was for', async () => {
    const timeline = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`;
    const first = await t.loginAs(w.a.mentor.email);
    const second = await t.loginAs(w.a.mentor.email);
    const tokens = (html: string) => new Set([...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]));
    // Twice each: the second view of each session renders only the layout around the body kept for the mentors' model.
    const pages: string[][] = [[], []];
    for (let i = 0; i < 2; i++) for (const [n, agent] of [first, second].entries()) pages[n].push((await agent.get(timeline).expect(200)).text);
    expect(pages[0][1]).toBe(pages[0][0]);
    expect(pages[1][1]).toBe(pages[1][0]);
    // Every form on a session's page (the waivers' and the log-out) carries that session's token, and only it.
    const [a, b] = [tokens(pages[0][1]), tokens(pages[1][1])];
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
    expect([...a][0]).not.toBe([...b][0]);
    expect(pages[1][1].match(/action="[^"]*\/waivers"/g)?.length).toBeGreaterThan(1);

    // The second session waives from its page, as a browser would post the form; the notice shows on the page it lands on.
    const posted = await second.post(`${timeline}/waivers`).type('form').send({ _csrf: [...b][0], stageId: await stageId('Zoom introduction'), reason: 'Met the team in person instead' }).expect(303);
    const landed = await second.get(posted.headers.location as string).expect(200);
    expect(landed.text).toContain('The waiver is recorded.');
    const again = (await second.get(timeline).expect(200)).text;
    expect(again).not.toContain('The waiver is recorded.');
    expect([...again.matchAll(/data-status="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['open', 'waived']);
    expect(tokens(again)).toEqual(b);
  });

  it('a heartbeat and a new video in the library change the candidate’s reasons on the next read', async () => {
    const { video } = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Non-escalation basics', durationSeconds: 100 });
    const candidate = await t.loginAs(w.a.candidate.email);
    const reason = async () => ((await candidate.get(progressUrl()).expect(200)).body as { stages: { requirements: { reason: string }[] }[] }).stages[0].requirements[0].reason;
    expect(await reason()).toContain('you are at 0%');
    await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/stages/preload-video/heartbeats`).send({ videoId: video.id, from: 0, to: 4 }).expect(200);
    expect(await reason()).toContain('you are at 4%');
    await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Restraint as a last resort', durationSeconds: 50 });
    expect(await reason()).toContain('Restraint as a last resort');
  });

  it('a new candidate, a renamed one and a changed rubric reach the lead’s dashboard at once', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const names = async () => ((await lead.get('/api/v1/dashboards/lead').expect(200)).body as { cohorts: { counts: { candidates: number } }[] }).cohorts[0].counts.candidates;
    expect(await names()).toBe(2);
    const newcomer = await buildUser(t.database.db, { email: 'newcomer@a.test', name: 'New Comer', organisationId: w.a.org.id, role: 'candidate' });
    await addToCohort(t.database.db, w.a.cohort.id, newcomer.id, 'candidate');
    expect(await names()).toBe(3);
    await t.database.db.update(users).set({ name: 'Renamed Person' }).where(eq(users.id, newcomer.id));
    expect((await lead.get(`/cohorts/${w.a.cohort.id}/readiness`).expect(200)).text).toContain('Renamed Person');
    // Reference data every cohort reads: a rubric changed anywhere moves the global version.
    const global = await versionOf(GLOBAL_SCOPE);
    await t.database.db.insert(rubrics).values({ key: 'new-rubric', name: 'A new rubric', passThreshold: 50 });
    expect(await versionOf(GLOBAL_SCOPE)).not.toBe(global);
  });

  it('a renamed cohort, a renamed candidate and a removed one reach the timeline at once (its rows are cached too)', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const timeline = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`;
    const first = await mentor.get(timeline).expect(200);
    expect(first.text).toContain(w.a.candidate.name);
    await t.database.db.update(cohorts).set({ name: 'Spring cohort, renamed' }).where(eq(cohorts.id, w.a.cohort.id));
    await t.database.db.update(users).set({ name: 'Robin Renamed' }).where(eq(users.id, w.a.candidate.id));
    const again = await mentor.get(timeline).expect(200);
    expect(again.text).toContain('Spring cohort, renamed');
    expect(again.text).toContain('Robin Renamed');
    await t.database.db.delete(cohortMembers).where(eq(cohortMembers.userId, w.a.candidate.id));
    await mentor.get(timeline).expect(404);
  });

  it('a kept value that the clock alone changes (a readiness verdict’s next change) is worked out again once that time comes', async () => {
    const cache = new VersionedCache<{ n: number; until: number }>();
    let n = 0;
    const get = async (until: number) => (await cache.get(t.database.db, ['k'], () => w.a.cohort.id, '', async () => new Map([['k', { n: ++n, until }]]), (v) => v.until)).get('k')?.n;
    expect(await get(Date.now() - 1)).toBe(1);
    expect(await get(Date.now() + 60_000)).toBe(2); // the first was past its time: worked out again
    expect(await get(Date.now() + 60_000)).toBe(2); // kept
  });

  it('a new day opens a dated stage without any write', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await t.database.db.update(cohortStages).set({ openRequirements: [{ kind: 'date-reached', params: { date: tomorrow } }] }).where(eq(cohortStages.title, 'Pre-load videos'));
    const status = async (now: Date) => (await computeProgress(t.cadre.ctx, { cohortIds: [w.a.cohort.id], now })).get(w.a.cohort.id)?.get(w.a.candidate.id)?.[0].status;
    expect(await status(new Date())).toBe('locked');
    expect(await status(new Date(Date.now() + 2 * 86_400_000))).toBe('open');
    expect(await status(new Date())).toBe('locked');
  });
});
