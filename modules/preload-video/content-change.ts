/**
 * Changing a programme's content never silently rewrites a candidate's history. Before a new video, a stricter video
 * or a first knowledge-check question applies, `affectedBy` lists the candidates (by cohort) who completed the
 * pre-load stage and would lose that completion; the admin chooses `new-completions` (they are spared it: an exemption
 * each) or `everyone` (it is required of them too, and each is told through a notification after commit).
 */
import { and, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { cohortPeople, cohorts, cohortStages, computeProgress, notify, type Db, type StageRow, type StageRuntime } from '../../server/modules/kit';
import { watchedPercent } from './intervals';
import { preloadVideoExemptions } from './schema';
import { exemptionKey, exemptionsIn, watchedByCandidates, type VideoRow } from './videos';

/** Below this position a cohort stage is live (retired stages are parked at 1000 and above). */
const LIVE_BELOW = 1000;

/** What changes: a video to be added or edited (its values after the change), or the knowledge check gaining questions. */
export type ContentChange = { kind: 'video'; video: Pick<VideoRow, 'id' | 'title' | 'threshold' | 'durationSeconds'>; isNew: boolean } | { kind: 'quiz' };

/** One cohort's candidates who completed the stage and would lose that completion. */
export type AffectedGroup = { cohortId: string; cohortName: string; stageId: string; stageTitle: string; people: { userId: string; name: string }[] };

/** The admin's choice, as the review form sends it. */
export const applyChoice = z.enum(['new-completions', 'everyone'], { message: 'choose whether the change applies to new completions only or to everyone' });

/** The admin's choice. */
export type ApplyChoice = z.output<typeof applyChoice>;

function explicitVideoIds(stage: Pick<StageRow, 'config' | 'completeRequirements'>): string[] | null {
  const lists = [stage.config.videoIds, ...stage.completeRequirements.filter((r) => r.kind === 'preload-video:watched').map((r) => r.params.videoIds)];
  const chosen = lists.filter((l): l is string[] => Array.isArray(l) && l.length > 0);
  return chosen.length ? chosen.flat() : null;
}

/** Whether a live pre-load stage is concerned by the change at all. */
function concerns(stage: Pick<StageRow, 'config' | 'completeRequirements'>, change: ContentChange): boolean {
  if (change.kind === 'quiz') return stage.completeRequirements.some((r) => r.kind === 'preload-video:quiz-passed');
  if (!stage.completeRequirements.some((r) => r.kind === 'preload-video:watched')) return false;
  const ids = explicitVideoIds(stage);
  return ids === null || ids.includes(change.video.id);
}

/** The candidates of the programme's cohorts who completed the pre-load stage and whom the change would re-open. */
export async function affectedBy(ctx: StageRuntime, programmeId: string, change: ContentChange): Promise<AffectedGroup[]> {
  const { db } = ctx;
  const rows = await db
    .select({ stage: cohortStages, cohortName: cohorts.name })
    .from(cohortStages)
    .innerJoin(cohorts, eq(cohorts.id, cohortStages.cohortId))
    .where(and(eq(cohorts.programmeTemplateId, programmeId), eq(cohortStages.moduleKey, 'preload-video'), lt(cohortStages.position, LIVE_BELOW)));
  const stages = rows.filter((r) => concerns(r.stage, change));
  if (!stages.length) return [];
  const cohortIds = [...new Set(stages.map((s) => s.stage.cohortId))];
  const progress = await computeProgress(ctx, { cohortIds });
  const exempt = await exemptionsIn(db, stages.map((s) => s.stage.id));
  const videoId = change.kind === 'video' ? change.video.id : null;
  const seconds = change.kind === 'video' && !change.isNew ? await watchedByCandidates(db, [change.video.id], cohortIds) : new Map<string, number>();
  const groups: AffectedGroup[] = [];
  for (const { stage, cohortName } of stages) {
    const done = new Set<string>();
    for (const [candidateId, list] of progress.get(stage.cohortId) ?? []) {
      if (list.find((p) => p.stageId === stage.id)?.status !== 'complete') continue;
      if (exempt.has(exemptionKey(stage.id, candidateId, videoId))) continue;
      if (change.kind === 'video' && !change.isNew) {
        // An edit re-opens only those it would put below the (new) threshold.
        if (watchedPercent(seconds.get(`${change.video.id}|${candidateId}`) ?? 0, change.video.durationSeconds) >= change.video.threshold) continue;
      }
      done.add(candidateId);
    }
    if (!done.size) continue;
    const people = (await cohortPeople(db, stage.cohortId, 'candidate')).filter((p) => done.has(p.userId)).map((p) => ({ userId: p.userId, name: p.name }));
    groups.push({ cohortId: stage.cohortId, cohortName, stageId: stage.id, stageTitle: stage.title, people });
  }
  return groups;
}

/** How many people the groups name. */
export const affectedCount = (groups: AffectedGroup[]) => groups.reduce((n, g) => n + g.people.length, 0);

/**
 * Applies the admin's choice in the caller's transaction: exemptions for `new-completions`, notifications for
 * `everyone` (returned, to deliver after commit).
 */
export async function applyChoiceTo(tx: Db, decidedBy: string, groups: AffectedGroup[], change: ContentChange, choice: ApplyChoice) {
  const videoId = change.kind === 'video' ? change.video.id : null;
  const pairs = groups.flatMap((g) => g.people.map((p) => ({ group: g, person: p })));
  if (!pairs.length) return [];
  if (choice === 'new-completions') {
    await tx
      .insert(preloadVideoExemptions)
      .values(pairs.map(({ group, person }) => ({ cohortStageId: group.stageId, userId: person.userId, videoId, decidedBy })))
      .onConflictDoNothing();
    return [];
  }
  const what = change.kind === 'video' ? `the video “${change.video.title}”` : 'a knowledge check';
  return notify(
    tx,
    pairs.map(({ group, person }) => ({
      userId: person.userId,
      kind: 'preload-video.content-changed',
      title: `${group.stageTitle}: there is something new to do`,
      body: `Your training provider ${change.kind === 'video' && !change.isNew ? 'changed' : 'added'} ${what} and asks everyone to complete it, including people who had already finished ${group.stageTitle}. Until you do, the stage shows as in progress again.`,
      link: `/cohorts/${group.cohortId}/stages/preload-video`,
    })),
  );
}
