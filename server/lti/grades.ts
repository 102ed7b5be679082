/** Grades (AGS 2.0): each linked stage has a completion line item (1/1 when the stage is complete or waived), each
 * rubric gate a score line item (the gate's combined result — every mentor's latest by default, as combine.ts rules —
 * so the gradebook says what the gate judges). A sync computes what the gradebook should
 * say, posts only what changed since the last answer, and records every post with the platform's answer. */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context';
import { cohortStages, ltiContexts, ltiLineItems, ltiRegistrations, ltiResourceLinks, ltiScorePosts, rubrics } from '../db/tables';
import { computeProgress } from '../progression/engine';
import { COMBINE_LABELS, COMBINE_RULES } from '../rubrics/combine';
import { loadGateAssessments, type GateAssessments, type RubricGate } from '../rubrics/gate-results';
import { RETIRED_POSITION } from '../progression/registry';
import { MEDIA, SCOPE } from './claims';
import { subsFor } from './people';
import { PlatformError, type PlatformServices } from './services';

type Registration = typeof ltiRegistrations.$inferSelect;
type Link = typeof ltiResourceLinks.$inferSelect;
type LineItem = typeof ltiLineItems.$inferSelect;
type Stage = { id: string; title: string; moduleKey: string; completeRequirements: { kind: string; params: Record<string, unknown> }[] };

/** The scopes a grade sync asks for. */
export const GRADE_SCOPES = [SCOPE.lineItem, SCOPE.score];

/** One score as AGS carries it. */
export type ScoreState = { scoreGiven?: number; scoreMaximum: number; activityProgress: string; gradingProgress: string; comment?: string };

const lineItemDoc = z.object({ id: z.string(), resourceId: z.string().optional(), tag: z.string().optional(), resourceLinkId: z.string().optional() });

/** The address scores are posted to: the line item's path + `/scores`, its query kept. */
export function scoresUrl(lineItemUrl: string): string {
  const u = new URL(lineItemUrl);
  u.pathname = `${u.pathname.replace(/\/$/, '')}/scores`;
  return u.toString();
}

function fingerprint(s: ScoreState): string {
  // The comment says passed or not: a must-pass criterion missed at the same score is a change the gradebook hears.
  const said = [s.scoreGiven ?? null, s.scoreMaximum, s.activityProgress, s.gradingProgress, ...(s.comment ? [s.comment] : [])];
  return createHash('sha256').update(JSON.stringify(said)).digest('hex');
}

function rubricGates(stage: Stage): string[] {
  return [...new Set(stage.completeRequirements.filter((r) => r.kind === 'rubric-passed' && typeof r.params.rubric === 'string').map((r) => r.params.rubric as string))];
}

/** The stage's rubric gate for `key` as its requirement names it (the first, when two name the same rubric). */
function gateOf(stage: Stage, key: string): RubricGate {
  const p = stage.completeRequirements.find((r) => r.kind === 'rubric-passed' && r.params.rubric === key)?.params ?? {};
  const combine = COMBINE_RULES.find((c) => c === p.combine);
  return { stageId: stage.id, rubric: key, threshold: typeof p.threshold === 'number' ? p.threshold : undefined, combine };
}

type Wanted = { kind: 'completion' | 'rubric'; stage: Stage; rubricKey: string; label: string; scoreMaximum: number };

/** Finds or makes the line items a link needs: the platform's own line item for a stage link's completion, one found
 * by resourceId/tag in the course's container, or a new one. */
async function ensureLineItems(ctx: AppContext, services: PlatformServices, reg: Registration, link: Link, lineItemsUrl: string | null, stages: Stage[]): Promise<LineItem[]> {
  const have = await ctx.db.select().from(ltiLineItems).where(eq(ltiLineItems.resourceLinkRowId, link.id));
  const rubricNames = new Map((await ctx.db.select({ key: rubrics.key, name: rubrics.name }).from(rubrics).where(inArray(rubrics.key, [...new Set(stages.flatMap(rubricGates)), '']))).map((r) => [r.key as string, r.name]));
  const wanted: Wanted[] = stages.flatMap((stage) => [
    { kind: 'completion' as const, stage, rubricKey: '', label: `${stage.title} — completion`, scoreMaximum: 1 },
    ...rubricGates(stage).map((key) => ({ kind: 'rubric' as const, stage, rubricKey: key, label: `${stage.title} — ${rubricNames.get(key) ?? key}`, scoreMaximum: 100 })),
  ]);
  const missing = wanted.filter((w) => !have.some((h) => h.kind === w.kind && h.cohortStageId === w.stage.id && h.rubricKey === w.rubricKey));
  if (!missing.length) return have;
  let existing: z.output<typeof lineItemDoc>[] | null = null;
  for (const w of missing) {
    const resourceId = w.kind === 'completion' ? w.stage.id : `${w.stage.id}:${w.rubricKey}`;
    const tag = `cadre-${w.kind}`;
    let url: string | undefined;
    if (w.kind === 'completion' && link.lineItemUrl && link.cohortStageId === w.stage.id) url = link.lineItemUrl;
    if (!url && lineItemsUrl) {
      if (!existing) {
        const list = new URL(lineItemsUrl);
        list.searchParams.set('resource_link_id', link.resourceLinkId);
        const { text } = await services.call(reg, GRADE_SCOPES, list.toString(), { accept: MEDIA.lineItems });
        existing = z.array(lineItemDoc).catch([]).parse(safeJson(text));
      }
      url = existing.find((e) => e.resourceId === resourceId && e.tag === tag)?.id;
      if (!url) {
        const { text } = await services.call(reg, GRADE_SCOPES, lineItemsUrl, {
          method: 'POST',
          accept: MEDIA.lineItem,
          contentType: MEDIA.lineItem,
          body: { scoreMaximum: w.scoreMaximum, label: w.label, resourceId, tag, resourceLinkId: link.resourceLinkId },
        });
        const made = lineItemDoc.safeParse(safeJson(text));
        if (!made.success) throw new PlatformError('The platform made a line item but did not say its address.', 502, text);
        url = made.data.id;
      }
    }
    if (!url) continue; // The platform offers no line items service for this course: nothing to post to.
    await ctx.db.insert(ltiLineItems).values({ resourceLinkRowId: link.id, kind: w.kind, cohortStageId: w.stage.id, rubricKey: w.rubricKey, url, label: w.label, scoreMaximum: w.scoreMaximum }).onConflictDoNothing();
  }
  return ctx.db.select().from(ltiLineItems).where(eq(ltiLineItems.resourceLinkRowId, link.id));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** What one post did. */
export type PostOutcome = { lineItemId: string; userId: string; outcome: 'accepted' | 'refused' | 'failed'; status: number };

/** Syncs every linked resource link of a cohort: returns the posts made; throws when a post may succeed on retry. */
export async function syncCohortGrades(ctx: AppContext, services: PlatformServices, cohortId: string, attempt = 1): Promise<PostOutcome[]> {
  const links = await ctx.db
    .select({ link: ltiResourceLinks, reg: ltiRegistrations, lineItemsUrl: ltiContexts.lineItemsUrl })
    .from(ltiResourceLinks)
    .innerJoin(ltiRegistrations, eq(ltiRegistrations.id, ltiResourceLinks.registrationId))
    .leftJoin(ltiContexts, eq(ltiContexts.id, ltiResourceLinks.contextRowId))
    .where(eq(ltiResourceLinks.cohortId, cohortId));
  if (!links.length) return [];
  const stages: Stage[] = await ctx.db
    .select({ id: cohortStages.id, title: cohortStages.title, moduleKey: cohortStages.moduleKey, completeRequirements: cohortStages.completeRequirements })
    .from(cohortStages)
    .where(and(eq(cohortStages.cohortId, cohortId), gt(cohortStages.position, 0), lt(cohortStages.position, RETIRED_POSITION)))
    .orderBy(asc(cohortStages.position));
  const progress = (await computeProgress(ctx, { cohortIds: [cohortId] })).get(cohortId) ?? new Map();
  const candidateIds = [...progress.keys()];
  const gates = await loadGateAssessments(ctx.db, stages.map((s) => s.id), [...new Set(stages.flatMap(rubricGates))]);
  const outcomes: PostOutcome[] = [];
  let retry: PlatformError | null = null;
  for (const { link, reg, lineItemsUrl } of links) {
    const subs = await subsFor(ctx.db, reg.id, candidateIds);
    if (!subs.size) continue;
    const covered = link.cohortStageId ? stages.filter((s) => s.id === link.cohortStageId) : stages;
    let items: LineItem[];
    try {
      items = await ensureLineItems(ctx, services, reg, link, lineItemsUrl, covered);
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      ctx.logger.warn({ err, linkId: link.id, status: err.status }, 'LTI: line items could not be prepared');
      if (err.retryable) retry = err;
      continue;
    }
    const last = await lastPosted(ctx, items.map((i) => i.id));
    for (const item of items) {
      for (const [userId, sub] of subs) {
        const status = (progress.get(userId) as { stageId: string; status: string }[] | undefined)?.find((s) => s.stageId === item.cohortStageId)?.status;
        const state = item.kind === 'completion' ? completionState(status, last.has(`${item.id}|${userId}`)) : rubricStateOf(gates, stages, item, userId);
        if (!state) continue;
        const print = fingerprint(state);
        if (last.get(`${item.id}|${userId}`) === print) continue;
        const outcome = await postScore(ctx, services, reg, item, userId, sub, state, print, attempt);
        outcomes.push(outcome);
        if (outcome.outcome === 'failed') retry = new PlatformError('A score could not be posted.', outcome.status, '');
      }
    }
  }
  if (retry) throw retry;
  return outcomes;
}

function completionState(status: string | undefined, postedBefore: boolean): ScoreState | null {
  if (status === 'complete' || status === 'waived') return { scoreGiven: 1, scoreMaximum: 1, activityProgress: 'Completed', gradingProgress: 'FullyGraded' };
  if (status === 'in_progress') return { scoreMaximum: 1, activityProgress: 'InProgress', gradingProgress: 'NotReady' };
  // Open or locked: nothing to say, unless the gradebook was told more before (a revoked sign-off).
  return postedBefore ? { scoreMaximum: 1, activityProgress: 'Initialized', gradingProgress: 'NotReady' } : null;
}

function rubricStateOf(gates: GateAssessments, stages: Stage[], item: LineItem, userId: string): ScoreState | null {
  const stage = stages.find((s) => s.id === item.cohortStageId);
  if (!stage) return null;
  const { threshold, rule, combined } = gates.judge(gateOf(stage, item.rubricKey), userId);
  if (!combined) return null;
  const said = `${combined.met ? 'Passed' : 'Not passed yet'} (pass mark ${threshold}%). ${COMBINE_LABELS[rule]}.`;
  return { scoreGiven: combined.percent, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', comment: said };
}

/** The fingerprint of the last answered post per (line item, user): accepted, or refused (not repeated until the state
 * changes); failed posts are retried. */
async function lastPosted(ctx: AppContext, lineItemIds: string[]): Promise<Map<string, string>> {
  if (!lineItemIds.length) return new Map();
  const rows = await ctx.db
    .selectDistinctOn([ltiScorePosts.lineItemId, ltiScorePosts.userId], { lineItemId: ltiScorePosts.lineItemId, userId: ltiScorePosts.userId, fingerprint: ltiScorePosts.fingerprint })
    .from(ltiScorePosts)
    .where(and(inArray(ltiScorePosts.lineItemId, lineItemIds), inArray(ltiScorePosts.outcome, ['accepted', 'refused']), isNotNull(ltiScorePosts.fingerprint)))
    .orderBy(ltiScorePosts.lineItemId, ltiScorePosts.userId, desc(ltiScorePosts.id));
  return new Map(rows.map((r) => [`${r.lineItemId}|${r.userId}`, r.fingerprint]));
}

async function postScore(ctx: AppContext, services: PlatformServices, reg: Registration, item: LineItem, userId: string, sub: string, state: ScoreState, print: string, attempt: number): Promise<PostOutcome> {
  const body = { userId: sub, ...state, timestamp: new Date().toISOString() };
  let outcome: 'accepted' | 'refused' | 'failed' = 'accepted';
  let status = 0;
  let answer = '';
  try {
    ({ status, text: answer } = await services.call(reg, GRADE_SCOPES, scoresUrl(item.url), { method: 'POST', accept: 'application/json', contentType: MEDIA.score, body }));
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    status = err.status;
    answer = err.answer || err.message;
    outcome = err.retryable ? 'failed' : 'refused';
    ctx.logger.warn({ lineItemId: item.id, status, attempt }, 'LTI: score not accepted');
  }
  await ctx.db.insert(ltiScorePosts).values({
    lineItemId: item.id,
    userId,
    scoreGiven: state.scoreGiven ?? null,
    scoreMaximum: state.scoreMaximum,
    activityProgress: state.activityProgress,
    gradingProgress: state.gradingProgress,
    fingerprint: print,
    outcome,
    httpStatus: status || null,
    answer: answer.slice(0, 2000),
    attempt,
  });
  return { lineItemId: item.id, userId, outcome, status };
}

/** The newest posts of a registration's line items, for the admin page. */
export async function recentPosts(ctx: AppContext, registrationId: string, limit = 20) {
  return ctx.db
    .select({ id: ltiScorePosts.id, label: ltiLineItems.label, userId: ltiScorePosts.userId, scoreGiven: ltiScorePosts.scoreGiven, scoreMaximum: ltiScorePosts.scoreMaximum, activityProgress: ltiScorePosts.activityProgress, gradingProgress: ltiScorePosts.gradingProgress, outcome: ltiScorePosts.outcome, httpStatus: ltiScorePosts.httpStatus, answer: ltiScorePosts.answer, attempt: ltiScorePosts.attempt, createdAt: ltiScorePosts.createdAt })
    .from(ltiScorePosts)
    .innerJoin(ltiLineItems, eq(ltiLineItems.id, ltiScorePosts.lineItemId))
    .innerJoin(ltiResourceLinks, eq(ltiResourceLinks.id, ltiLineItems.resourceLinkRowId))
    .where(eq(ltiResourceLinks.registrationId, registrationId))
    .orderBy(desc(ltiScorePosts.id))
    .limit(limit);
}
