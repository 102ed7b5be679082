/** Projects week's requirement kind: every assigned knowledge module passed at its latest mentor assessment. */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { answerAll, assessments, distinct, type Db, type RequirementKind } from '../../server/modules/kit';
import { projectsWeekAssignments, projectsWeekModules } from './schema';

const params = z.object({}).strict();

/** A module title short enough for a sentence. */
export function shortTitle(title: string, max = 32): string {
  if (title.length <= max) return title;
  const cut = title.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s:;,.–—-]+$/, '')}…`;
}

/** Each assignment of the given stages and candidates with its latest mentor assessment (two queries). */
export async function assignmentResults(db: Db, stageIds: string[], candidateIds: string[]) {
  if (!stageIds.length || !candidateIds.length) return [];
  const rows = await db
    .select({
      id: projectsWeekAssignments.id,
      stageId: projectsWeekAssignments.cohortStageId,
      candidateId: projectsWeekAssignments.candidateId,
      moduleId: projectsWeekModules.id,
      title: projectsWeekModules.title,
      position: projectsWeekModules.position,
      rubricKey: projectsWeekModules.rubricKey,
      slotAt: projectsWeekAssignments.slotAt,
      meetingUrl: projectsWeekAssignments.meetingUrl,
    })
    .from(projectsWeekAssignments)
    .innerJoin(projectsWeekModules, eq(projectsWeekModules.id, projectsWeekAssignments.moduleId))
    .where(and(inArray(projectsWeekAssignments.cohortStageId, stageIds), inArray(projectsWeekAssignments.candidateId, candidateIds)))
    .orderBy(projectsWeekModules.position);
  if (!rows.length) return [];
  const latest = await db
    .selectDistinctOn([assessments.contextId], { contextId: assessments.contextId, percent: assessments.percent, passed: assessments.passed, mustPassFailed: assessments.mustPassFailed, at: assessments.createdAt })
    .from(assessments)
    .where(and(eq(assessments.contextType, 'module'), eq(assessments.kind, 'mentor'), inArray(assessments.contextId, rows.map((r) => r.id))))
    .orderBy(assessments.contextId, desc(assessments.createdAt), desc(sql`${assessments.id}`));
  const byId = new Map(latest.map((a) => [a.contextId, a]));
  return rows.map((r) => ({ ...r, assessment: byId.get(r.id) ?? null }));
}

/** What one assignment's state is, in words. */
export function assignmentState(a: { assessment: { percent: number; passed: boolean; mustPassFailed: boolean } | null }): { state: 'passed' | 'not_passed' | 'not_assessed'; words: string } {
  if (!a.assessment) return { state: 'not_assessed', words: 'not yet assessed' };
  if (a.assessment.passed) return { state: 'passed', words: `passed (${Math.round(a.assessment.percent)}%)` };
  return {
    state: 'not_passed',
    words: a.assessment.mustPassFailed ? `not passed yet — a must-pass criterion was missed (${Math.round(a.assessment.percent)}%)` : `not passed yet (${Math.round(a.assessment.percent)}%)`,
  };
}

/** `projects-week:modules-passed` {}: every assigned module's latest mentor assessment passed. */
export const modulesPassedKind: RequirementKind<typeof params> = {
  params,
  describe: () => 'Pass every assigned knowledge module at its latest mentor assessment',
  form: { title: 'Knowledge modules passed' },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const rows = await assignmentResults(db, distinct(items, (i) => i.stage.id), distinct(items, (i) => i.candidateIds));
    const byKey = new Map<string, typeof rows>();
    for (const r of rows) byKey.set(`${r.stageId}|${r.candidateId}`, [...(byKey.get(`${r.stageId}|${r.candidateId}`) ?? []), r]);
    return answerAll(items, (item, c) => {
      const mine = byKey.get(`${item.stage.id}|${c}`) ?? [];
      if (!mine.length) return { met: false, reason: 'No knowledge modules are assigned to you yet — your mentor will assign them.', progress: { done: 0, of: 0 } };
      const passed = mine.filter((a) => a.assessment?.passed);
      const progress = { done: passed.length, of: mine.length };
      if (passed.length === mine.length) return { met: true, reason: `${mine.length === 1 ? 'Your assigned module is' : `All ${mine.length} assigned modules are`} passed.`, progress };
      const open = mine.filter((a) => !a.assessment?.passed).map((a) => `'${shortTitle(a.title)}' ${assignmentState(a).words}`);
      return { met: false, reason: `${passed.length} of ${mine.length} modules passed — ${open.join('; ')}.`, progress };
    });
  },
};
