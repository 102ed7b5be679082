/** The pre-load stage's requirement kinds: videos watched (actually played) and the knowledge check passed. */
import { and, count, eq, inArray, isNull, max } from 'drizzle-orm';
import { z } from 'zod';
import { answerAll, cohortMembers, cohorts, distinct, withBatch, type BatchActivity, type Db, type RequirementKind, type StageRow } from '../../server/modules/kit';
import { watchedPercent } from './intervals';
import { preloadVideoProgress, preloadVideoQuestions, preloadVideoQuizAttempts, preloadVideoVideos } from './schema';
import { exemptionKey, exemptionsIn, videosByCohort, videosForStage, watchedByCandidates } from './videos';

const watchedParams = z
  .object({
    videoIds: z.array(z.uuid()).optional(),
    threshold: z.number().int().min(1).max(100).optional(),
  })
  .strict();

/** Every video of the stage (its cohort's programme's) played to its threshold (default 90%), except content the
 * admin chose not to require of someone who had already completed the stage; three queries for every item. */
export const watched: RequirementKind<typeof watchedParams> = {
  params: watchedParams,
  describe: (p, _stage, names) =>
    `Watch ${p.videoIds?.length ? p.videoIds.map((v) => `'${names ? names('video', v) : v}'`).join(', ') : 'every pre-load video'} to ${p.threshold ? `${p.threshold}%` : 'its threshold (usually 90%)'}`,
  form: {
    title: 'Videos watched',
    fields: {
      videoIds: { label: 'Videos', hint: 'Leave all unticked to require every video of the programme.', picker: 'video' },
      threshold: { label: 'Watched to (%)', hint: 'Leave empty to use each video’s own threshold.' },
    },
  },
  async choices(picker, { db, programmeId }) {
    if (picker !== 'video' || !programmeId) return [];
    const rows = await db.select({ id: preloadVideoVideos.id, title: preloadVideoVideos.title }).from(preloadVideoVideos).where(and(eq(preloadVideoVideos.programmeTemplateId, programmeId), isNull(preloadVideoVideos.archivedAt))).orderBy(preloadVideoVideos.title);
    return rows.map((r) => ({ value: r.id, label: r.title }));
  },
  async references(p, { db, programmeId }) {
    if (!p.videoIds?.length) return [];
    const found = programmeId
      ? await db.select({ id: preloadVideoVideos.id }).from(preloadVideoVideos).where(and(eq(preloadVideoVideos.programmeTemplateId, programmeId), inArray(preloadVideoVideos.id, p.videoIds), isNull(preloadVideoVideos.archivedAt)))
      : [];
    const missing = p.videoIds.length - new Set(found.map((f) => f.id)).size;
    if (!missing) return [];
    return [{ field: 'videoIds', message: `${missing === 1 ? 'One of the videos named is' : `${missing} of the videos named are`} not ${programmeId ? 'among this programme’s videos' : 'part of the programme yet: add the programme first, then its videos'}.` }];
  },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const byCohort = await videosByCohort(db, distinct(items, (i) => i.stage.cohortId));
    const byStage = new Map(items.map((i) => [i.stage.id, videosForStage(byCohort.get(i.stage.cohortId) ?? [], i.stage, i.params.videoIds)]));
    const exempt = await exemptionsIn(db, items.map((i) => i.stage.id));
    const seconds = await watchedByCandidates(
      db,
      distinct([...byStage.values()], (vs) => vs.map((v) => v.id)),
      distinct(items, (i) => i.stage.cohortId),
    );
    return answerAll(items, (item, candidateId) => {
      const all = byStage.get(item.stage.id) ?? [];
      const videos = all.filter((v) => !exempt.has(exemptionKey(item.stage.id, candidateId, v.id)));
      if (!all.length) return { met: false, reason: 'No videos have been added yet — your training provider will add them.' };
      if (!videos.length) return { met: true, reason: 'Watched every video required of you.' };
      const rows = videos.map((v) => {
        const threshold = item.params.threshold ?? v.threshold;
        const pct = watchedPercent(seconds.get(`${v.id}|${candidateId}`) ?? 0, v.durationSeconds);
        return { v, threshold, pct, met: pct >= threshold };
      });
      const unmet = rows.filter((r) => !r.met);
      const progress = { done: rows.length - unmet.length, of: rows.length };
      if (!unmet.length) return { met: true, reason: `Watched ${rows.length === 1 ? 'the video' : `all ${rows.length} videos`}.`, progress };
      return { met: false, reason: `Watch ${unmet.map((r) => `'${r.v.title}' to ${r.threshold}% — you are at ${r.pct}%`).join('; ')}.`, progress };
    });
  },
};

const quizParams = z.object({ passMark: z.number().int().min(1).max(100).default(80) }).strict();

/** The knowledge check of the cohort's programme passed at the pass mark in this stage (met when it has no questions, or
 * when it was added after the candidate completed and the admin chose not to require it of them); three queries. */
export const quizPassed: RequirementKind<typeof quizParams> = {
  params: quizParams,
  describe: (p) => `Pass the knowledge check (${p.passMark}%)`,
  form: { title: 'Knowledge check passed', fields: { passMark: { label: 'Pass mark (%)' } } },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const counts = await db
      .select({ cohortId: cohorts.id, n: count(preloadVideoQuestions.id) })
      .from(cohorts)
      .innerJoin(preloadVideoQuestions, eq(preloadVideoQuestions.programmeTemplateId, cohorts.programmeTemplateId))
      .where(inArray(cohorts.id, distinct(items, (i) => i.stage.cohortId)))
      .groupBy(cohorts.id);
    const questionsOf = new Map(counts.map((c) => [c.cohortId, Number(c.n)]));
    const exempt = await exemptionsIn(db, items.map((i) => i.stage.id));
    const best = await db
      .select({ stageId: preloadVideoQuizAttempts.cohortStageId, userId: preloadVideoQuizAttempts.userId, best: max(preloadVideoQuizAttempts.percent) })
      .from(preloadVideoQuizAttempts)
      .where(inArray(preloadVideoQuizAttempts.cohortStageId, items.map((i) => i.stage.id)))
      .groupBy(preloadVideoQuizAttempts.cohortStageId, preloadVideoQuizAttempts.userId);
    const bestOf = new Map(best.map((b) => [`${b.stageId}|${b.userId}`, Number(b.best)]));
    return answerAll(items, (item, candidateId) => {
      const n = questionsOf.get(item.stage.cohortId) ?? 0;
      if (!n) return { met: true, reason: 'There is no knowledge check for this stage.' };
      if (exempt.has(exemptionKey(item.stage.id, candidateId, null))) return { met: true, reason: 'The knowledge check was added after you completed this stage; it is not required of you.' };
      const score = bestOf.get(`${item.stage.id}|${candidateId}`);
      const pass = item.params.passMark;
      if (score === undefined) return { met: false, reason: `Pass the knowledge check (${n} questions, pass mark ${pass}%) — not taken yet.`, progress: { done: 0, of: 100 } };
      if (score < pass) return { met: false, reason: `Pass the knowledge check at ${pass}% — your best so far is ${score}%.`, progress: { done: score, of: 100 } };
      return { met: true, reason: `Passed the knowledge check with ${score}%.`, progress: { done: score, of: 100 } };
    });
  },
};

/** Candidates who have played any of a stage's videos or tried its knowledge check — for many stages, three queries. */
export const activityBatch: BatchActivity = async (db, items) => {
  const out = new Map<string, Set<string>>();
  if (!items.length) return out;
  const byCohort = await videosByCohort(db, distinct(items, (i) => i.stage.cohortId));
  const videosOf = new Map(items.map((i) => [i.stage.id, videosForStage(byCohort.get(i.stage.cohortId) ?? [], i.stage)]));
  const played = await db
    .selectDistinct({ videoId: preloadVideoProgress.videoId, userId: preloadVideoProgress.userId, cohortId: cohortMembers.cohortId })
    .from(preloadVideoProgress)
    .innerJoin(cohortMembers, and(eq(cohortMembers.userId, preloadVideoProgress.userId), eq(cohortMembers.role, 'candidate')))
    .where(and(inArray(cohortMembers.cohortId, distinct(items, (i) => i.stage.cohortId)), inArray(preloadVideoProgress.videoId, distinct([...videosOf.values()], (vs) => vs.map((v) => v.id)))));
  const tried = await db
    .selectDistinct({ stageId: preloadVideoQuizAttempts.cohortStageId, userId: preloadVideoQuizAttempts.userId })
    .from(preloadVideoQuizAttempts)
    .where(inArray(preloadVideoQuizAttempts.cohortStageId, items.map((i) => i.stage.id)));
  for (const item of items) {
    const wanted = new Set(item.candidateIds);
    const ids = new Set((videosOf.get(item.stage.id) ?? []).map((v) => v.id));
    const active = new Set<string>();
    for (const p of played) if (p.cohortId === item.stage.cohortId && ids.has(p.videoId) && wanted.has(p.userId)) active.add(p.userId);
    for (const q of tried) if (q.stageId === item.stage.id && wanted.has(q.userId)) active.add(q.userId);
    out.set(item.stage.id, active);
  }
  return out;
};

/** The activity hook: which candidates have started the stage (with its batch form for the engine). */
export const activity = withBatch(async (db: Db, stage: StageRow, candidateIds: string[]) => (await activityBatch(db, [{ stage, candidateIds }])).get(stage.id) ?? new Set<string>(), activityBatch);
