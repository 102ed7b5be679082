/** What an assessment can be about, named for people: each stage of the cohort as a whole, and the sessions and
 * knowledge modules the stage modules list for the candidate (their `assessmentContexts` hook). The scoring form offers
 * exactly these (so it always saves with its default) and every page names an assessment's context from this list. */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { cohortStages } from '../db/tables';

/** One thing a candidate can be assessed on. `label` is what a person reads ("Knowledge module: Duty of care — 18 Nov, 10:00"). */
export type AssessmentContext = { type: 'stage' | 'session' | 'module'; id: string; cohortStageId: string; label: string };

/** A stage module's sessions or modules a candidate can be assessed on in a cohort (a fixed number of queries). */
export type AssessmentContextsHook = (db: Db, scope: { cohortId: string; candidateId: string }) => Promise<AssessmentContext[]>;

/** The form value of a context (its kind and id; never shown). */
export function contextValue(c: { type: string; id: string }): string {
  return `${c.type}:${c.id}`;
}

/** Every context a candidate can be assessed on in the cohort: the stages first (in order), then the modules' own. */
export async function assessmentContexts(ctx: { db: Db; registry: { assessmentContexts: AssessmentContextsHook[] } }, cohortId: string, candidateId: string): Promise<AssessmentContext[]> {
  const stages = await ctx.db.select({ id: cohortStages.id, title: cohortStages.title, position: cohortStages.position }).from(cohortStages).where(eq(cohortStages.cohortId, cohortId)).orderBy(asc(cohortStages.position));
  const own = (await Promise.all(ctx.registry.assessmentContexts.map((hook) => hook(ctx.db, { cohortId, candidateId })))).flat();
  return [...stages.map((s) => ({ type: 'stage' as const, id: s.id, cohortStageId: s.id, label: `${s.position}. ${s.title} — the stage as a whole` })), ...own];
}

/** The name of a stored context; an id no list knows (a removed session) reads as such, never as the id. */
export function contextLabel(contexts: AssessmentContext[], type: string, id: string): string {
  const found = contexts.find((c) => c.type === type && c.id === id);
  if (found) return found.label;
  return type === 'session' ? 'A session no longer on the programme' : type === 'module' ? 'A module no longer on the programme' : 'A stage no longer on the programme';
}
