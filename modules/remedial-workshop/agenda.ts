/** The pre-filled agenda: criteria a candidate scored below pass level in their latest mentor assessments, and
 * criteria where their self-rating and the mentor's rating differ by two levels or more. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { assessments, assessmentScores, rubricCriteria, rubricLevels, rubrics, type Db } from '../../server/modules/kit';

/** One agenda item: a criterion and the reasons it is on the agenda. */
export type AgendaItem = { criterionId: string; criterion: string; rubric: string; reasons: string[] };

/** Agenda items per candidate of a cohort (two queries for any number of candidates). */
export async function agendaFor(db: Db, cohortId: string, candidateIds: string[]): Promise<Map<string, AgendaItem[]>> {
  const out = new Map<string, AgendaItem[]>(candidateIds.map((c) => [c, []]));
  if (!candidateIds.length) return out;
  // The latest assessment of each kind per candidate, rubric and piece of work.
  const latest = await db
    .selectDistinctOn([assessments.candidateId, assessments.rubricId, assessments.contextType, assessments.contextId, assessments.kind], {
      id: assessments.id,
      candidateId: assessments.candidateId,
      rubricId: assessments.rubricId,
      context: assessments.contextId,
      contextType: assessments.contextType,
      kind: assessments.kind,
    })
    .from(assessments)
    .where(and(eq(assessments.cohortId, cohortId), inArray(assessments.candidateId, candidateIds), inArray(assessments.kind, ['mentor', 'self'])))
    .orderBy(assessments.candidateId, assessments.rubricId, assessments.contextType, assessments.contextId, assessments.kind, desc(assessments.createdAt));
  if (!latest.length) return out;
  const scores = await db
    .select({
      assessmentId: assessmentScores.assessmentId,
      criterionId: rubricCriteria.id,
      criterion: rubricCriteria.title,
      criterionPosition: rubricCriteria.position,
      passLevel: rubricCriteria.passLevel,
      level: assessmentScores.levelPosition,
      levelLabel: rubricLevels.label,
      rubric: rubrics.name,
    })
    .from(assessmentScores)
    .innerJoin(rubricCriteria, eq(rubricCriteria.id, assessmentScores.criterionId))
    .innerJoin(rubrics, eq(rubrics.id, rubricCriteria.rubricId))
    .leftJoin(rubricLevels, and(eq(rubricLevels.rubricId, rubricCriteria.rubricId), eq(rubricLevels.position, assessmentScores.levelPosition)))
    .where(inArray(assessmentScores.assessmentId, latest.map((a) => a.id)));
  const passLabels = await db
    .select({ rubricId: rubricLevels.rubricId, position: rubricLevels.position, label: rubricLevels.label })
    .from(rubricLevels)
    .where(inArray(rubricLevels.rubricId, [...new Set(latest.map((a) => a.rubricId))]));
  const labelAt = (rubricId: string, position: number) => passLabels.find((l) => l.rubricId === rubricId && l.position === position)?.label ?? `level ${position}`;
  const byAssessment = new Map<string, typeof scores>();
  for (const s of scores) byAssessment.set(s.assessmentId, [...(byAssessment.get(s.assessmentId) ?? []), s]);
  const items = new Map<string, Map<string, AgendaItem>>();
  const add = (candidateId: string, s: (typeof scores)[number], reason: string) => {
    const mine = items.get(candidateId) ?? new Map<string, AgendaItem>();
    const item = mine.get(s.criterionId) ?? { criterionId: s.criterionId, criterion: s.criterion, rubric: s.rubric, reasons: [] };
    if (!item.reasons.includes(reason)) item.reasons.push(reason);
    mine.set(s.criterionId, item);
    items.set(candidateId, mine);
  };
  const selfOf = new Map(latest.filter((a) => a.kind === 'self').map((a) => [`${a.candidateId}|${a.rubricId}|${a.contextType}|${a.context}`, a.id]));
  for (const a of latest.filter((x) => x.kind === 'mentor')) {
    const mentorScores = byAssessment.get(a.id) ?? [];
    for (const s of mentorScores) {
      if (s.level < s.passLevel) add(a.candidateId, s, `Scored “${s.levelLabel ?? `level ${s.level}`}” by a mentor; the pass level is “${labelAt(a.rubricId, s.passLevel)}”.`);
    }
    const selfId = selfOf.get(`${a.candidateId}|${a.rubricId}|${a.contextType}|${a.context}`);
    if (!selfId) continue;
    for (const self of byAssessment.get(selfId) ?? []) {
      const m = mentorScores.find((s) => s.criterionId === self.criterionId);
      if (m && Math.abs(self.level - m.level) >= 2) {
        add(a.candidateId, m, `You rated yourself “${self.levelLabel ?? `level ${self.level}`}”; the mentor rated “${m.levelLabel ?? `level ${m.level}`}”.`);
      }
    }
  }
  for (const [candidateId, mine] of items) out.set(candidateId, [...mine.values()].sort((x, y) => x.rubric.localeCompare(y.rubric) || x.criterion.localeCompare(y.criterion)));
  return out;
}
