/** The progression engine: every candidate's status in every stage, computed on read from the data. */
import { and, asc, desc, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { cohortMembers, cohortStages, stageWaivers } from '../db/tables';
import type { AppRegistry } from '../modules/registry';
import { RETIRED_POSITION } from './registry';
import type { Evaluation, EvaluationItem, RequirementAct, RequirementKind, StageRow, StageStatus } from './types';
import { londonDate } from './kinds/answers';
import { VersionedCache } from '../db/versions';

/** What the engine reads with: the database and the app's requirement kinds and activity hooks (`ctx` will do). */
export type ProgressContext = { db: Db; registry: Pick<AppRegistry, 'requirementKinds' | 'activity'> };

/** One requirement's outcome for one candidate, as shown on the timeline and in the API. */
export type RequirementResult = {
  kind: string;
  /** Stable key within the stage: `${'open'|'complete'}:${index}:${kind}` (what a waiver names). */
  key: string;
  met: boolean;
  reason: string;
  progress?: { done: number; of: number };
  waived: boolean;
  /** The mentor's reason, when this requirement was waived. */
  waiverReason?: string;
  /** Where the candidate acts on it, when unmet (from the evaluator). */
  act?: RequirementAct;
};

/** A candidate's position in one stage. */
export type StageProgress = {
  stageId: string;
  key: string;
  title: string;
  position: number;
  status: StageStatus;
  startsOn: string | null;
  endsOn: string | null;
  open: RequirementResult[];
  complete: RequirementResult[];
  waiver?: { reason: string; mentorId: string; at: Date };
  /** The stage's one-sentence summary (from the template). */
  summary?: string | null;
};

/** Which candidates to compute, and when "now" is. */
export type ProgressQuery = { cohortIds: string[]; candidateIds?: string[]; now?: Date };

type Planned = { stage: StageRow; stages: StageRow[]; key: string; kind: string; params: Record<string, unknown> };
type Slot = { list: 'open' | 'complete'; index: number; kind: string; key: string; broken?: string };

/** The key a waiver uses to name one requirement of a stage. */
export function requirementKey(list: 'open' | 'complete', index: number, kind: string): string {
  return `${list}:${index}:${kind}`;
}

/** Each app's cohorts' computed progress (per registry: two apps in one process may install different kinds). */
const progressCaches = new WeakMap<ProgressContext['registry'], VersionedCache<Map<string, StageProgress[]>>>();

/**
 * Every candidate's stages for the given cohorts: cohort id → candidate id → stages in order (shared and frozen: read,
 * never change them). A cohort is computed when its data version or the UK date changed since it was last computed
 * (the only clock a kind may read is `londonDate(now)`), else answered from memory: one statement for the versions.
 */
export async function computeProgress(ctx: ProgressContext, query: ProgressQuery): Promise<Map<string, Map<string, StageProgress[]>>> {
  const now = query.now ?? new Date();
  const out = new Map<string, Map<string, StageProgress[]>>();
  const cohortIds = [...new Set(query.cohortIds)];
  if (!cohortIds.length || (query.candidateIds && !query.candidateIds.length)) return out;
  let cache = progressCaches.get(ctx.registry);
  if (!cache) progressCaches.set(ctx.registry, (cache = new VersionedCache(2000)));
  const byCohort = await cache.get(ctx.db, cohortIds, (id) => id, londonDate(now), (missing) => computeFresh(ctx, { cohortIds: missing, now }));
  const only = query.candidateIds ? new Set(query.candidateIds) : null;
  for (const cohortId of cohortIds) {
    const all = byCohort.get(cohortId) ?? new Map<string, StageProgress[]>();
    out.set(cohortId, only ? new Map([...all].filter(([candidateId]) => only.has(candidateId))) : all);
  }
  return out;
}

/**
 * Computes every candidate's stages for the given cohorts from the data: cohort id → candidate id → stages in order.
 * Set-based: a fixed number of queries per requirement kind, whatever the number of candidates or cohorts.
 */
async function computeFresh(ctx: ProgressContext, query: { cohortIds: string[]; now: Date }): Promise<Map<string, Map<string, StageProgress[]>>> {
  const { db } = ctx;
  const kinds = ctx.registry.requirementKinds;
  const requirementKind = (name: string) => kinds.get(name);
  const activityHook = (moduleKey: string) => ctx.registry.activity.get(moduleKey);
  const now = query.now;
  const out = new Map<string, Map<string, StageProgress[]>>();
  const cohortIds = [...new Set(query.cohortIds)];
  if (!cohortIds.length) return out;

  const [stageRows, members, waivers] = await Promise.all([
    db
      .select()
      .from(cohortStages)
      .where(and(inArray(cohortStages.cohortId, cohortIds), gt(cohortStages.position, 0), lt(cohortStages.position, RETIRED_POSITION)))
      .orderBy(asc(cohortStages.cohortId), asc(cohortStages.position)),
    db
      .select({ cohortId: cohortMembers.cohortId, userId: cohortMembers.userId })
      .from(cohortMembers)
      .where(
        and(
          inArray(cohortMembers.cohortId, cohortIds),
          eq(cohortMembers.role, 'candidate'),
        ),
      ),
    db
      .select({
        stageId: stageWaivers.cohortStageId,
        candidateId: stageWaivers.candidateId,
        scope: stageWaivers.scope,
        requirementKey: stageWaivers.requirementKey,
        reason: stageWaivers.reason,
        mentorId: stageWaivers.mentorId,
        at: stageWaivers.createdAt,
      })
      .from(stageWaivers)
      .innerJoin(cohortStages, eq(cohortStages.id, stageWaivers.cohortStageId))
      .where(and(inArray(cohortStages.cohortId, cohortIds), isNull(stageWaivers.withdrawnAt)))
      .orderBy(desc(stageWaivers.createdAt)),
  ]);

  const stagesByCohort = new Map<string, StageRow[]>();
  for (const s of stageRows) {
    const row: StageRow = {
      id: s.id,
      cohortId: s.cohortId,
      position: s.position,
      moduleKey: s.moduleKey,
      title: s.title,
      config: s.config,
      openRequirements: s.openRequirements,
      completeRequirements: s.completeRequirements,
      startsOn: s.startsOn,
      endsOn: s.endsOn,
    };
    const list = stagesByCohort.get(s.cohortId);
    if (list) list.push(row);
    else stagesByCohort.set(s.cohortId, [row]);
  }
  const summaries = new Map(stageRows.map((s) => [s.id, s.summary]));
  const candidatesByCohort = new Map<string, string[]>();
  for (const m of members) {
    const list = candidatesByCohort.get(m.cohortId);
    if (list) list.push(m.userId);
    else candidatesByCohort.set(m.cohortId, [m.userId]);
  }
  // Newest first, so the first waiver seen for a (stage, candidate[, requirement]) wins.
  const stageWaiver = new Map<string, (typeof waivers)[number]>();
  const reqWaiver = new Map<string, (typeof waivers)[number]>();
  for (const w of waivers) {
    const k = w.scope === 'stage' ? `${w.stageId}|${w.candidateId}` : `${w.stageId}|${w.candidateId}|${w.requirementKey}`;
    const target = w.scope === 'stage' ? stageWaiver : reqWaiver;
    if (!target.has(k)) target.set(k, w);
  }

  // Plan every requirement of every stage that has candidates; broken specs are answered without a query.
  const slots = new Map<string, Slot[]>();
  const plannedNow: Planned[] = [];
  const plannedLater: Planned[] = [];
  for (const [cohortId, stages] of stagesByCohort) {
    if (!candidatesByCohort.get(cohortId)?.length) continue;
    for (const stage of stages) {
      const list: Slot[] = [];
      for (const which of ['open', 'complete'] as const) {
        const specs = which === 'open' ? stage.openRequirements : stage.completeRequirements;
        specs.forEach((spec, index) => {
          const key = requirementKey(which, index, spec.kind);
          const kind = requirementKind(spec.kind);
          if (!kind) return list.push({ list: which, index, kind: spec.kind, key, broken: `This requirement ('${spec.kind}') is not available; please tell your mentor.` });
          const parsed = kind.params.safeParse(spec.params ?? {});
          if (!parsed.success) return list.push({ list: which, index, kind: spec.kind, key, broken: `This requirement ('${spec.kind}') is not set up correctly; please tell your mentor.` });
          list.push({ list: which, index, kind: spec.kind, key });
          (kind.usesEarlier ? plannedLater : plannedNow).push({ stage, stages, key, kind: spec.kind, params: parsed.data as Record<string, unknown> });
        });
      }
      slots.set(stage.id, list);
    }
  }

  const evaluations = new Map<string, Map<string, Evaluation>>(); // `${stageId}|${key}` → candidate → evaluation
  const earlier = new Map<string, Map<string, StageStatus>>();
  const run = async (planned: Planned[]) => {
    const byKind = new Map<string, Planned[]>();
    for (const p of planned) {
      const list = byKind.get(p.kind);
      if (list) list.push(p);
      else byKind.set(p.kind, [p]);
    }
    await Promise.all(
      [...byKind].map(async ([kindName, list]) => {
        const kind = requirementKind(kindName) as RequirementKind;
        // A stage may hold the same kind twice (two rubrics): evaluate in rounds with each stage once per round.
        for (const round of rounds(list)) {
          const items: EvaluationItem[] = round.map((p) => ({ stage: p.stage, stages: p.stages, candidateIds: candidatesByCohort.get(p.stage.cohortId) ?? [], params: p.params }));
          const result = await kind.evaluate({ db, now, items, earlier, kinds });
          for (const p of round) evaluations.set(`${p.stage.id}|${p.key}`, result.get(p.stage.id) ?? new Map());
        }
      }),
    );
  };
  await run(plannedNow);

  const positions = [...new Set(stageRows.map((s) => s.position))].sort((a, b) => a - b);
  const results = new Map<string, Map<string, StageProgress>>(); // stage id → candidate → progress
  for (const position of positions) {
    const here = [...stagesByCohort.values()].flatMap((stages) => stages.filter((s) => s.position === position));
    await run(plannedLater.filter((p) => p.stage.position === position));
    const pendingActivity: { stage: StageRow; candidateIds: string[] }[] = [];
    for (const stage of here) {
      const perCandidate = new Map<string, StageProgress>();
      for (const candidateId of candidatesByCohort.get(stage.cohortId) ?? []) {
        const requirement = (slot: Slot): RequirementResult => {
          const ev: Evaluation = slot.broken ? { met: false, reason: slot.broken } : (evaluations.get(`${stage.id}|${slot.key}`)?.get(candidateId) ?? { met: false, reason: 'Not evaluated.' });
          const w = reqWaiver.get(`${stage.id}|${candidateId}|${slot.key}`);
          return {
            kind: slot.kind,
            key: slot.key,
            met: ev.met || !!w,
            reason: w && !ev.met ? `Waived by your mentor: ${w.reason}` : ev.reason,
            ...(ev.progress ? { progress: ev.progress } : {}),
            waived: !!w,
            ...(w ? { waiverReason: w.reason } : {}),
            ...(ev.act && !ev.met && !w ? { act: ev.act } : {}),
          };
        };
        const list = slots.get(stage.id) ?? [];
        const open = list.filter((s) => s.list === 'open').map(requirement);
        const complete = list.filter((s) => s.list === 'complete').map(requirement);
        const w = stageWaiver.get(`${stage.id}|${candidateId}`);
        // Locked outranks complete: a stage cannot count as done before it has opened, so nothing opens early.
        const status: StageStatus = w ? 'waived' : open.some((r) => !r.met) ? 'locked' : complete.length && complete.every((r) => r.met) ? 'complete' : 'open';
        perCandidate.set(candidateId, {
          stageId: stage.id,
          key: stage.moduleKey,
          title: stage.title,
          position: stage.position,
          status,
          startsOn: stage.startsOn,
          endsOn: stage.endsOn,
          open,
          complete,
          ...(w ? { waiver: { reason: w.reason, mentorId: w.mentorId, at: w.at } } : {}),
          summary: summaries.get(stage.id) ?? null,
        });
      }
      results.set(stage.id, perCandidate);
      const openOnes = [...perCandidate].filter(([, p]) => p.status === 'open').map(([c]) => c);
      if (openOnes.length && activityHook(stage.moduleKey)) pendingActivity.push({ stage, candidateIds: openOnes });
    }
    // Only stages where someone is "open" ask their module whether anything has happened yet (batched per module).
    const byModule = new Map<string, typeof pendingActivity>();
    for (const p of pendingActivity) {
      const list = byModule.get(p.stage.moduleKey);
      if (list) list.push(p);
      else byModule.set(p.stage.moduleKey, [p]);
    }
    const answers = await Promise.all(
      [...byModule].map(async ([moduleKey, items]) => {
        const hook = activityHook(moduleKey) as NonNullable<ReturnType<typeof activityHook>>;
        if (hook.batch) return hook.batch(db, items);
        return new Map(await Promise.all(items.map(async (i) => [i.stage.id, await hook(db, i.stage, i.candidateIds)] as const)));
      }),
    );
    for (const answer of answers) {
      for (const [stageId, active] of answer) {
        const perCandidate = results.get(stageId);
        for (const c of active) {
          const p = perCandidate?.get(c);
          if (p && p.status === 'open') p.status = 'in_progress';
        }
      }
    }
    for (const stage of here) earlier.set(stage.id, new Map([...(results.get(stage.id) ?? new Map<string, StageProgress>())].map(([c, p]) => [c, p.status])));
  }

  for (const [cohortId, stages] of stagesByCohort) {
    const perCandidate = new Map<string, StageProgress[]>();
    for (const candidateId of candidatesByCohort.get(cohortId) ?? []) {
      perCandidate.set(
        candidateId,
        stages.map((s) => results.get(s.id)?.get(candidateId)).filter((p): p is StageProgress => !!p),
      );
    }
    out.set(cohortId, perCandidate);
  }
  for (const cohortId of cohortIds) if (!out.has(cohortId)) out.set(cohortId, new Map((candidatesByCohort.get(cohortId) ?? []).map((c) => [c, []])));
  return out;
}

/** Splits planned items into rounds in which each stage appears at most once. */
function rounds(list: Planned[]): Planned[][] {
  const out: Planned[][] = [];
  const seen = new Map<string, number>();
  for (const p of list) {
    const n = seen.get(p.stage.id) ?? 0;
    seen.set(p.stage.id, n + 1);
    (out[n] ??= []).push(p);
  }
  return out;
}
