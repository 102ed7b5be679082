/** The pre-load stage page (player, progress, knowledge check) and its JSON API (heartbeats, progress). */
import { asc, eq } from 'drizzle-orm';
import type { Response } from 'express';
import { z } from 'zod';
import { audit, candidateStage, cohortPeople, ConflictError, formOf, GateClosedError, NotFoundError, reply, seeOther, unmetReasons, ValidationError, type Actor, type StageApi, type StageContext, type StagePages, type StageRuntime, type StageSubject } from '../../server/modules/kit';
import { presentProgress, presentWatch } from './present';
import { watchedPercent } from './intervals';
import { preloadVideoQuestions, preloadVideoQuizAttempts } from './schema';
import { exemptionKey, exemptionsIn, percentsFor, videosByCohort, videosForStage, watchedByCandidates } from './videos';
import { recordHeartbeat } from './watch';

const KEY = 'preload-video';

async function stageVideos(ctx: StageRuntime, s: Pick<StageContext, 'cohort' | 'stage'>) {
  return videosForStage((await videosByCohort(ctx.db, [s.cohort.id])).get(s.cohort.id) ?? [], s.stage);
}

/** A transcript's paragraphs (blank lines separate them; none for no text). */
function paragraphs(text: string | null): string[] {
  return (text ?? '').split(/\r?\n\s*\r?\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** The knowledge check of the cohort's programme, in order (none when the cohort has no programme). */
async function programmeQuestions(ctx: StageRuntime, s: Pick<StageContext, 'cohort'>) {
  const programmeId = s.cohort.programmeTemplateId;
  if (!programmeId) return [];
  return ctx.db.select().from(preloadVideoQuestions).where(eq(preloadVideoQuestions.programmeTemplateId, programmeId)).orderBy(asc(preloadVideoQuestions.position));
}

function quizPassMark(s: Pick<StageContext, 'stage'>): number | null {
  const spec = s.stage.completeRequirements.find((r) => r.kind === 'preload-video:quiz-passed');
  return spec ? Number((spec.params as { passMark?: number }).passMark ?? 80) : null;
}

/** The last attempt read back question by question: the answer chosen, the right one, and the admin's explanation
 * beside each wrong answer. Questions added since, or edited so the chosen answer no longer exists, are left out. */
export function attemptReview(questions: { id: string; prompt: string; options: string[]; correctIndex: number; explanation: string | null }[], answers: Record<string, number>) {
  const items = questions
    .map((q, n) => ({ q, n }))
    .filter(({ q }) => answers[q.id] !== undefined && answers[q.id] < q.options.length)
    .map(({ q, n }) => ({ number: n + 1, prompt: q.prompt, chosen: q.options[answers[q.id]], correct: q.options[q.correctIndex], right: answers[q.id] === q.correctIndex, explanation: q.explanation }));
  return { wrong: items.filter((i) => !i.right).length, items };
}

/** The stage page's address: which video the player shows. */
const pageQuery = z.object({ video: z.string().max(80).optional() });

/** The knowledge check as posted: `q_<question id>` → the chosen option's number (which questions must be answered
 * is the programme's, checked against its questions). */
const quizForm = formOf(z.record(z.string().max(60), z.string().max(6, 'must be one of the options')));

/** Page routes under /cohorts/:cohortId/stages/preload-video. */
export function pageRoutes(r: StagePages, ctx: StageRuntime): void {
  /** The stage page (the route authorised `cohort:view`): the staff's watching grid, or the candidate's player and quiz. */
  const render = async (res: Response, actor: Actor, subject: Pick<StageSubject, 'cohort' | 'stage'>, wanted: string | undefined, extra: Record<string, unknown> = {}) => {
    const s = { actor, cohort: subject.cohort, stage: subject.stage, ...ctx.stage.standing(actor, subject.cohort) };
    const videos = await stageVideos(ctx, s);
    const base = { title: s.stage.title, cohort: s.cohort, stage: s.stage, ...extra };
    if (!s.isCandidate) {
      if (!s.isStaff) throw new NotFoundError('That stage');
      const people = await cohortPeople(ctx.db, s.cohort.id, 'candidate');
      const seconds = await watchedByCandidates(ctx.db, videos.map((v) => v.id), [s.cohort.id]);
      const exempt = await exemptionsIn(ctx.db, [s.stage.id]);
      return void res.render(ctx.view('staff'), {
        ...base,
        programmeId: s.cohort.programmeTemplateId,
        videos,
        rows: people.map((p) => ({
          ...p,
          cells: videos.map((v) => {
            const pct = watchedPercent(seconds.get(`${v.id}|${p.userId}`) ?? 0, v.durationSeconds);
            return { pct, met: pct >= v.threshold, notRequired: exempt.has(exemptionKey(s.stage.id, p.userId, v.id)) };
          }),
        })),
      });
    }
    const progress = await candidateStage(ctx, s.cohort.id, s.actor.id, KEY);
    const percents = await percentsFor(ctx.db, s.actor.id, videos);
    const exempt = await exemptionsIn(ctx.db, [s.stage.id]);
    const optional = (videoId: string) => exempt.has(exemptionKey(s.stage.id, s.actor.id, videoId));
    const selectedId = wanted ?? videos.find((v) => (percents.get(v.id) ?? 0) < v.threshold)?.id;
    const selected = videos.find((v) => v.id === selectedId) ?? videos[0];
    const questions = await programmeQuestions(ctx, s);
    const attempts = await ctx.db.select().from(preloadVideoQuizAttempts).where(eq(preloadVideoQuizAttempts.cohortStageId, s.stage.id));
    const mine = attempts.filter((a) => a.userId === s.actor.id).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const locked = progress?.status === 'locked';
    // After a refused attempt the answers already chosen stay chosen.
    const typed = (extra.typed ?? {}) as Record<string, unknown>;
    res.render(ctx.view('page'), {
      ...base,
      progress,
      locked,
      reasons: progress ? unmetReasons(progress) : [],
      videos: videos.map((v) => ({ ...v, pct: percents.get(v.id) ?? 0, met: (percents.get(v.id) ?? 0) >= v.threshold, current: v.id === selected?.id, optional: optional(v.id) })),
      selected: locked ? null : selected ? { ...selected, pct: percents.get(selected.id) ?? 0, optional: optional(selected.id), hasCaptions: !!selected.captionsFileId, transcript: paragraphs(selected.transcript || selected.captionsText) } : null,
      heartbeatUrl: `/api/v1/cohorts/${s.cohort.id}/stages/${KEY}/heartbeats`,
      quiz: questions.length && quizPassMark(s) !== null && !locked ? { passMark: quizPassMark(s), questions: questions.map((q) => ({ id: q.id, prompt: q.prompt, options: q.options.map((o, i) => ({ i, text: o, checked: typed[`q_${q.id}`] === String(i) })) })) } : null,
      lastAttempt: mine[0] ?? null,
      review: mine[0] ? attemptReview(questions, mine[0].answers) : null,
    });
  };

  r.get('/', { summary: 'The pre-load stage: the player, watched time and the knowledge check; the watching grid for staff', query: pageQuery, authorize: ctx.stage.on('cohort:view') }, ({ actor, subject, query }, _req, res) => render(res, actor, subject, query.video));

  r.form('/quiz', { summary: 'Take the knowledge check (form: one answer per question, q_<question id>)', body: quizForm, authorize: ctx.stage.onSelf('candidate:act-as-self') }, async ({ actor, subject, body }, _req, res) => {
    const s = { actor, cohort: subject.cohort, stage: subject.stage };
    const progress = await candidateStage(ctx, s.cohort.id, s.actor.id, KEY);
    if (progress?.status === 'locked') throw new GateClosedError(unmetReasons(progress).join(' '));
    const questions = await programmeQuestions(ctx, s);
    if (!questions.length) throw new ConflictError('There is no knowledge check to take for this stage.');
    const answers: Record<string, number> = {};
    const missing = questions.filter((q) => {
      const v = body[`q_${q.id}`];
      if (typeof v !== 'string' || !/^\d+$/.test(v)) return true;
      answers[q.id] = Number(v);
      return false;
    });
    if (missing.length) {
      return render(res.status(400), actor, subject, undefined, { typed: body, error: { message: `Answer every question — ${missing.length} still to answer.`, fields: missing.map((q) => ({ field: `q_${q.id}`, message: `Choose an answer to question ${questions.indexOf(q) + 1}.` })) } });
    }
    const score = questions.filter((q) => answers[q.id] === q.correctIndex).length;
    const percent = Math.round((score / questions.length) * 100);
    const passMark = quizPassMark(s) ?? 80;
    await ctx.db.transaction(async (tx) => {
      const [row] = await tx.insert(preloadVideoQuizAttempts).values({ cohortStageId: s.stage.id, userId: s.actor.id, score, outOf: questions.length, percent, passed: percent >= passMark, answers }).returning();
      await audit(tx, { actorId: s.actor.id, action: 'preload-video.quiz_attempted', subjectType: 'preload_video_quiz_attempt', subjectId: row.id, after: { score, outOf: questions.length, percent } });
    });
    return seeOther(`/cohorts/${s.cohort.id}/stages/${KEY}#quiz`);
  });
}

const heartbeat = z.object({
  videoId: z.uuid({ message: 'must be a video id' }),
  from: z.number({ message: 'must be a number of seconds' }).min(0),
  to: z.number({ message: 'must be a number of seconds' }).min(0),
});

/** JSON routes under /api/v1/cohorts/:cohortId/stages/preload-video. */
export function apiRoutes(r: StageApi, ctx: StageRuntime): void {
  const self = ctx.stage.onSelf('candidate:act-as-self');

  r.post('/heartbeats', { summary: 'Record an interval of a pre-load video the candidate actually played', tags: ['preload-video'], body: heartbeat, authorize: self }, async ({ actor, subject: s, body: beat }) => {
    const video = (await stageVideos(ctx, s)).find((v) => v.id === beat.videoId);
    if (!video) throw new ValidationError('That video is not part of this stage.', [{ field: 'videoId', message: 'not a video of this stage' }]);
    const progress = await candidateStage(ctx, s.cohort.id, actor.id, KEY);
    if (progress?.status === 'locked') throw new GateClosedError(unmetReasons(progress).join(' '));
    return reply(presentWatch(await recordHeartbeat(ctx.db, actor.id, video, beat)));
  });

  r.get('/progress', { summary: 'The candidate’s watched percent for each pre-load video', tags: ['preload-video'], authorize: self }, async ({ actor, subject }) => {
    const videos = await stageVideos(ctx, subject);
    return reply(presentProgress(videos, await percentsFor(ctx.db, actor.id, videos)));
  });
}
