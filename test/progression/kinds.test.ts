import { computeProgress } from '../../server/progression/engine';
import { eq } from 'drizzle-orm';
import { cohorts, stageCompletionMarks, stageWaivers, competencyFrameworks, competencyAreas, competencies, signoffRequests } from '../../server/db/tables';
import { preloadVideoProgress } from '../../modules/preload-video/schema';
import { zoomIntroAttendance } from '../../modules/zoom-intro/schema';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildCohort, buildUser, buildWorld, type World } from '../support/factories';
import { addStages, assess, buildRubric, buildVideo, countingDb } from './support';

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

const db = () => t.database.db;
async function stagesOf(cohortId: string, candidateId: string, now?: Date) {
  return (await computeProgress(t.cadre.ctx, { cohortIds: [cohortId], candidateIds: [candidateId], now })).get(cohortId)?.get(candidateId) ?? [];
}

describe('previous-stage-complete and mentor-marked-complete', () => {
  it('keeps stage 2 locked until stage 1 is marked complete, then opens it', async () => {
    const [s1, s2] = await addStages(db(), w.a.cohort.id, [
      { moduleKey: 'x-one', title: 'First', complete: [{ kind: 'mentor-marked-complete', params: {} }] },
      { moduleKey: 'x-two', title: 'Second', open: [{ kind: 'previous-stage-complete', params: {} }], complete: [{ kind: 'mentor-marked-complete', params: {} }] },
    ]);
    let [p1, p2] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p1.status).toBe('open');
    expect(p1.complete[0]).toMatchObject({ met: false, reason: expect.stringMatching(/not marked yet/) });
    expect(p2.status).toBe('locked');
    expect(p2.open[0]).toMatchObject({ kind: 'previous-stage-complete', key: 'open:0:previous-stage-complete', met: false, reason: "Complete 'First' first." });
    await db().insert(stageCompletionMarks).values({ cohortStageId: s1.id, candidateId: w.a.candidate.id, mentorId: w.a.mentor.id });
    [p1, p2] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p1.status).toBe('complete');
    expect(p2.status).toBe('open');
    // The other candidate is unaffected.
    const [o1] = await stagesOf(w.a.cohort.id, w.a.otherCandidate.id);
    expect(o1.status).toBe('open');
    void s2;
  });
});

describe('date-reached', () => {
  it('is unmet the day before the start date with the date in words, and met on the day', async () => {
    await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', title: 'Dated', startsOn: '2027-03-03', open: [{ kind: 'date-reached', params: {} }], complete: [{ kind: 'mentor-marked-complete', params: {} }] }]);
    const [before] = await stagesOf(w.a.cohort.id, w.a.candidate.id, new Date('2027-03-02T23:30:00Z'));
    expect(before.status).toBe('locked');
    expect(before.open[0]).toMatchObject({ met: false, reason: 'Opens on 3 March.' });
    const [onDay] = await stagesOf(w.a.cohort.id, w.a.candidate.id, new Date('2027-03-03T00:30:00Z'));
    expect(onDay.status).toBe('open');
    expect(onDay.open[0]).toMatchObject({ met: true, reason: 'Opened on 3 March.' });
    const [otherYear] = await stagesOf(w.a.cohort.id, w.a.candidate.id, new Date('2026-12-01T12:00:00Z'));
    expect(otherYear.open[0].reason).toBe('Opens on 3 March 2027.');
  });
});

describe('attendance (delegated to the stage module)', () => {
  it('needs the candidate recorded present at the zoom introduction', async () => {
    const [s] = await addStages(db(), w.a.cohort.id, [{ moduleKey: 'zoom-intro', title: 'Intro', complete: [{ kind: 'attendance', params: { sessions: 1 } }] }]);
    let [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ kind: 'attendance', met: false, progress: { done: 0, of: 1 } });
    expect(p.complete[0].reason).toMatch(/not scheduled it yet/);
    await db().insert(zoomIntroAttendance).values({ cohortStageId: s.id, candidateId: w.a.candidate.id, present: false, source: 'register' });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0].met).toBe(false);
    expect(p.status).toBe('in_progress');
    await db().update(zoomIntroAttendance).set({ present: true });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: true, progress: { done: 1, of: 1 } });
    expect(p.status).toBe('complete');
  });

  it('explains when the stage type records no attendance', async () => {
    await addStages(db(), w.a.cohort.id, [{ moduleKey: 'no-such-module', complete: [{ kind: 'attendance', params: { sessions: 2 } }] }]);
    const [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: false, reason: expect.stringMatching(/does not record attendance/) });
  });
});

describe('rubric-passed', () => {
  it('uses the latest mentor assessment: below the threshold, at it, and a failed must-pass criterion', async () => {
    const [s] = await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', title: 'Projects', complete: [{ kind: 'rubric-passed', params: { rubric: 'delivery' } }] }]);
    const rubric = await buildRubric(db(), 'delivery', 70, 'Delivery');
    const base = { rubricId: rubric.id, cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, assessorId: w.a.mentor.id, stageId: s.id };
    let [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    // Every reason says how mentors' assessments count (the default rule: every mentor who assessed must pass).
    expect(p.complete[0].reason).toBe("Be assessed by a mentor on 'Delivery' at 70% or above — not assessed yet (every mentor who assesses you must pass you; each mentor’s latest assessment counts).");
    await assess(db(), { ...base, percent: 69, at: new Date('2026-01-01T10:00:00Z') });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: false, reason: `Reach 70% on 'Delivery' with every must-pass criterion passed — ${w.a.mentor.name}’s latest assessment scored 69% (every mentor who assesses you must pass you; each mentor’s latest assessment counts).`, progress: { done: 69, of: 100 } });
    await assess(db(), { ...base, percent: 95, kind: 'self', at: new Date('2026-01-02T10:00:00Z') });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0].met).toBe(false); // a self-assessment never counts
    await assess(db(), { ...base, percent: 70, at: new Date('2026-01-03T10:00:00Z') });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: true, reason: `Passed 'Delivery' — ${w.a.mentor.name} 70% (pass mark 70%; every mentor who assesses you must pass you; each mentor’s latest assessment counts).` });
    expect(p.status).toBe('complete');
    await assess(db(), { ...base, percent: 85, mustPassFailed: true, at: new Date('2026-01-04T10:00:00Z') });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: false, reason: expect.stringMatching(/must-pass criterion .* \(85%\) missed/) });
  });

  it('honours a threshold given in the requirement over the rubric’s pass mark', async () => {
    const [s] = await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', complete: [{ kind: 'rubric-passed', params: { rubric: 'delivery', threshold: 80 } }] }]);
    const rubric = await buildRubric(db(), 'delivery', 70, 'Delivery');
    await assess(db(), { rubricId: rubric.id, cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, assessorId: w.a.mentor.id, stageId: s.id, percent: 79 });
    const [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0].reason).toBe(`Reach 80% on 'Delivery' with every must-pass criterion passed — ${w.a.mentor.name}’s latest assessment scored 79% (every mentor who assesses you must pass you; each mentor’s latest assessment counts).`);
  });
});

describe('rubric-passed with several mentors', () => {
  // Mentor A fails the candidate on 1 Jan; a second mentor passes them later. The gate declares how that combines.
  async function twoMentors(combine?: string) {
    const [s] = await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', complete: [{ kind: 'rubric-passed', params: combine ? { rubric: 'delivery', combine } : { rubric: 'delivery' } }] }]);
    const rubric = await buildRubric(db(), 'delivery', 70, 'Delivery');
    const second = await buildUser(db(), { name: 'Tom Okafor', role: 'mentor' });
    await addToCohort(db(), w.a.cohort.id, second.id, 'mentor');
    const base = { rubricId: rubric.id, cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, stageId: s.id };
    await assess(db(), { ...base, assessorId: w.a.mentor.id, percent: 60, at: new Date('2026-01-01T10:00:00Z') });
    await assess(db(), { ...base, assessorId: second.id, percent: 90, at: new Date('2026-01-02T10:00:00Z') });
    return { base, second };
  }
  const gate = async () => (await stagesOf(w.a.cohort.id, w.a.candidate.id))[0].complete[0];

  it('by default every mentor must pass: a later pass never overrides another mentor’s fail, and the reason names who', async () => {
    const { base } = await twoMentors();
    expect(await gate()).toMatchObject({
      met: false,
      reason: `Reach 70% on 'Delivery' with every must-pass criterion passed — ${w.a.mentor.name}’s latest assessment scored 60% (every mentor who assesses you must pass you; each mentor’s latest assessment counts).`,
      progress: { done: 60, of: 100 },
    });
    // The first mentor re-assesses: their latest counts, and now both pass.
    await assess(db(), { ...base, assessorId: w.a.mentor.id, percent: 75, at: new Date('2026-01-03T10:00:00Z') });
    expect(await gate()).toMatchObject({ met: true, reason: expect.stringMatching(/^Passed 'Delivery' — .+ 75%, Tom Okafor 90% \(pass mark 70%; every mentor who assesses you must pass you/) });
  });

  it('latest: only the latest assessment counts', async () => {
    await twoMentors('latest');
    expect(await gate()).toMatchObject({ met: true, reason: "Passed 'Delivery' at 90% (pass mark 70%; only the latest assessment counts)." });
  });

  it('highest: the best assessment counts', async () => {
    const { base } = await twoMentors('highest');
    await assess(db(), { ...base, assessorId: w.a.mentor.id, percent: 50, at: new Date('2026-01-05T10:00:00Z') });
    expect(await gate()).toMatchObject({ met: true, reason: "Passed 'Delivery' at 90% (pass mark 70%; your best assessment counts)." });
  });

  it('mean: the average of each mentor’s latest assessment, and any must-pass miss keeps it shut', async () => {
    const { base, second } = await twoMentors('mean');
    expect(await gate()).toMatchObject({ met: true, reason: `Passed 'Delivery' — Tom Okafor 90%, ${w.a.mentor.name} 60% (pass mark 70%; the average of each mentor’s latest assessment counts).`, progress: { done: 75, of: 100 } });
    await assess(db(), { ...base, assessorId: second.id, percent: 78, at: new Date('2026-01-06T10:00:00Z') });
    expect(await gate()).toMatchObject({ met: false, reason: "Reach 70% on 'Delivery' — the average of your mentors’ latest assessments is 69% (the average of each mentor’s latest assessment counts).", progress: { done: 69, of: 100 } });
    await assess(db(), { ...base, assessorId: w.a.mentor.id, percent: 95, mustPassFailed: true, at: new Date('2026-01-07T10:00:00Z') });
    expect(await gate()).toMatchObject({ met: false, reason: `Pass every must-pass criterion of 'Delivery' — ${w.a.mentor.name}’s latest assessment missed at least one (the average of each mentor’s latest assessment counts).` });
  });

  it('treats a rule it does not know as a gate not set up correctly', async () => {
    await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', complete: [{ kind: 'rubric-passed', params: { rubric: 'delivery', combine: 'loudest' } }] }]);
    expect(await gate()).toMatchObject({ met: false, reason: expect.stringMatching(/not set up correctly/) });
  });
});

describe('competencies-signed', () => {
  it('counts only signed requests for the named codes in the cohort’s framework', async () => {
    const [fw] = await db().insert(competencyFrameworks).values({ name: 'F', ratingScale: { levels: ['Not yet', 'Competent'], competentFrom: 1 } }).returning();
    const [area] = await db().insert(competencyAreas).values({ frameworkId: fw.id, position: 1, name: 'Delivery' }).returning();
    const [d1, d2] = await db()
      .insert(competencies)
      .values([
        { frameworkId: fw.id, areaId: area.id, code: 'D1', name: 'Opening a session', position: 1 },
        { frameworkId: fw.id, areaId: area.id, code: 'D2', name: 'Leading a debrief', position: 2 },
      ])
      .returning();
    await db().update(cohorts).set({ frameworkId: fw.id }).where(eq(cohorts.id, w.a.cohort.id));
    await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', complete: [{ kind: 'competencies-signed', params: { codes: ['D1', 'D2'] } }] }]);
    const req = (competencyId: string, status: 'signed' | 'pending') => ({ cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, competencyId, reflection: 'r', status });
    await db().insert(signoffRequests).values([req(d1.id, 'signed'), req(d2.id, 'pending')]);
    let [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: false, progress: { done: 1, of: 2 }, reason: 'Have 2 competencies signed off — 1 signed so far; still to do: D2 Leading a debrief.' });
    await db().insert(signoffRequests).values(req(d2.id, 'signed'));
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: true, progress: { done: 2, of: 2 } });
  });
});

describe('preload-video:watched', () => {
  it('is unmet at 89% and met at 90%, naming the video and the percent', async () => {
    const { video } = await buildVideo(db(), t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Non-escalation basics', durationSeconds: 100 });
    await addStages(db(), w.a.cohort.id, [{ moduleKey: 'preload-video', complete: [{ kind: 'preload-video:watched', params: {} }] }]);
    let [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.status).toBe('open');
    expect(p.complete[0].reason).toBe("Watch 'Non-escalation basics' to 90% — you are at 0%.");
    await db().insert(preloadVideoProgress).values({ videoId: video.id, userId: w.a.candidate.id, intervals: [[0, 89.9]], watchedSeconds: 89.9 });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.status).toBe('in_progress');
    expect(p.complete[0]).toMatchObject({ met: false, reason: "Watch 'Non-escalation basics' to 90% — you are at 89%.", progress: { done: 0, of: 1 } });
    await db().update(preloadVideoProgress).set({ intervals: [[0, 90]], watchedSeconds: 90 });
    [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete[0]).toMatchObject({ met: true, progress: { done: 1, of: 1 } });
    expect(p.status).toBe('complete');
  });
});

describe('waivers in the engine', () => {
  it('a waived requirement counts as met (waived: true); a waived stage opens the next one', async () => {
    const [s1] = await addStages(db(), w.a.cohort.id, [
      { moduleKey: 'x', title: 'First', complete: [{ kind: 'mentor-marked-complete', params: {} }, { kind: 'rubric-passed', params: { rubric: 'nope' } }] },
      { moduleKey: 'y', title: 'Second', open: [{ kind: 'previous-stage-complete', params: {} }] },
    ]);
    await db().insert(stageWaivers).values({ cohortStageId: s1.id, candidateId: w.a.candidate.id, scope: 'requirement', requirementKey: 'complete:1:rubric-passed', reason: 'Assessed at a previous employer', mentorId: w.a.mentor.id });
    let [p1, p2] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p1.complete[1]).toMatchObject({ met: true, waived: true, waiverReason: 'Assessed at a previous employer', reason: 'Waived by your mentor: Assessed at a previous employer' });
    expect(p1.status).toBe('open');
    expect(p2.status).toBe('locked');
    await db().insert(stageWaivers).values({ cohortStageId: s1.id, candidateId: w.a.candidate.id, scope: 'stage', reason: 'Already a qualified trainer', mentorId: w.a.mentor.id });
    [p1, p2] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p1.status).toBe('waived');
    expect(p1.waiver?.reason).toBe('Already a qualified trainer');
    expect(p2.status).toBe('open');
    expect(p2.open[0].reason).toBe("'First' is waived.");
  });

  it('answers a broken requirement with a reason instead of failing', async () => {
    await addStages(db(), w.a.cohort.id, [{ moduleKey: 'x', complete: [{ kind: 'no-such-kind', params: {} }, { kind: 'rubric-passed', params: {} }] }]);
    const [p] = await stagesOf(w.a.cohort.id, w.a.candidate.id);
    expect(p.complete.map((r) => r.met)).toEqual([false, false]);
    expect(p.complete[0].reason).toMatch(/not available/);
    expect(p.complete[1].reason).toMatch(/not set up correctly/);
  });
});

describe('scale', () => {
  it('sends the same number of queries for 2 candidates in 1 cohort as for 40 in 8 cohorts', async () => {
    const specs = [
      { moduleKey: 'preload-video', open: [{ kind: 'date-reached', params: {} }], complete: [{ kind: 'preload-video:watched', params: {} }] },
      { moduleKey: 'zoom-intro', open: [{ kind: 'previous-stage-complete', params: {} }], complete: [{ kind: 'attendance', params: { sessions: 1 } }] },
      { moduleKey: 'x', open: [{ kind: 'previous-stage-complete', params: {} }], complete: [{ kind: 'rubric-passed', params: { rubric: 'delivery' } }, { kind: 'mentor-marked-complete', params: {} }] },
    ];
    // Content belongs to a programme: every cohort here follows the same one, so each has the video to evaluate.
    const { programmeId } = await buildVideo(db(), t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'V' });
    await addStages(db(), w.a.cohort.id, specs);
    const counter = countingDb(t.database);
    await computeProgress({ db: counter.db, registry: t.cadre.ctx.registry }, { cohortIds: [w.a.cohort.id] });
    const small = counter.count();
    const ids: string[] = [];
    for (let c = 0; c < 8; c++) {
      const cohort = await buildCohort(db(), w.a.org.id);
      await db().update(cohorts).set({ programmeTemplateId: programmeId }).where(eq(cohorts.id, cohort.id));
      await addStages(db(), cohort.id, specs);
      for (let i = 0; i < 5; i++) {
        const u = await buildUser(db(), { organisationId: w.a.org.id, role: 'candidate' });
        await addToCohort(db(), cohort.id, u.id, 'candidate');
      }
      ids.push(cohort.id);
    }
    counter.reset();
    const all = await computeProgress({ db: counter.db, registry: t.cadre.ctx.registry }, { cohortIds: ids });
    expect([...all.values()].reduce((n, m) => n + m.size, 0)).toBe(40);
    expect(counter.count()).toBe(small);
    expect(small).toBeLessThan(20);
  });
});
