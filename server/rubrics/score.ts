/** Rubric arithmetic, pure: weighted percentage, must-pass check, pass decision, and assessors' agreement. */
import { ValidationError } from '../errors';

/** The parts of a rubric that scoring needs. */
export type ScorableRubric = {
  passThreshold: number;
  levels: { position: number; points: number; label?: string }[];
  criteria: { id: string; title?: string; weight: number; mustPass: boolean; passLevel: number }[];
};

/** The outcome of scoring: percent (2 decimals), whether a must-pass criterion failed, and pass/fail. */
export type Score = { percent: number; mustPassFailed: boolean; failedCriteria: string[]; passed: boolean };

/**
 * Scores `levels` (criterion id → level position) against `rubric`:
 * percent = Σ(weight × points/maxPoints) ÷ Σ weight × 100, rounded to 2 decimals before comparing, so a score
 * exactly at the threshold passes; passed = percent ≥ threshold and no must-pass criterion below its pass level.
 */
export function scoreAssessment(rubric: ScorableRubric, levels: Record<string, number>): Score {
  const byPosition = new Map(rubric.levels.map((l) => [l.position, l.points]));
  const maxPoints = Math.max(...rubric.levels.map((l) => l.points));
  const problems = rubric.criteria
    .filter((c) => !byPosition.has(levels[c.id]))
    .map((c) => ({ field: `levels.${c.id}`, message: `Choose a level for “${c.title ?? c.id}”.` }));
  if (problems.length) throw new ValidationError(`Choose a level for every criterion — ${problems.length} still to do.`, problems);
  if (!(maxPoints > 0)) throw new ValidationError('This rubric has no levels worth any points.', [{ field: 'levels', message: 'at least one level must be worth points' }]);
  let weighted = 0;
  let totalWeight = 0;
  const failedCriteria: string[] = [];
  for (const c of rubric.criteria) {
    const position = levels[c.id];
    weighted += c.weight * ((byPosition.get(position) ?? 0) / maxPoints);
    totalWeight += c.weight;
    if (c.mustPass && position < c.passLevel) failedCriteria.push(c.id);
  }
  const percent = totalWeight > 0 ? Math.round((weighted / totalWeight) * 100 * 100) / 100 : 0;
  const mustPassFailed = failedCriteria.length > 0;
  return { percent, mustPassFailed, failedCriteria, passed: percent >= rubric.passThreshold && !mustPassFailed };
}

/** How closely assessors agree: % of (criterion, pair of assessors) with equal levels, and within one level. */
export type Agreement = { pairs: number; exact: number; withinOne: number };

/** Agreement across every pair of assessments on every criterion both scored; null with fewer than two. */
export function agreement(assessments: Record<string, number>[], criterionIds: string[]): Agreement | null {
  if (assessments.length < 2) return null;
  let pairs = 0;
  let exact = 0;
  let near = 0;
  for (let i = 0; i < assessments.length; i++) {
    for (let j = i + 1; j < assessments.length; j++) {
      for (const c of criterionIds) {
        const a = assessments[i][c];
        const b = assessments[j][c];
        if (a === undefined || b === undefined) continue;
        pairs += 1;
        if (a === b) exact += 1;
        if (Math.abs(a - b) <= 1) near += 1;
      }
    }
  }
  if (!pairs) return null;
  return { pairs, exact: Math.round((exact / pairs) * 100), withinOne: Math.round((near / pairs) * 100) };
}

/** The candidate's self-assessment against every mentor's view: agreement with each mentor in turn (self × mentor
 * pairs only, never mentor × mentor) and pooled over all of them; null without a self-assessment or a mentor. */
export function selfVersusMentors(self: Record<string, number> | undefined, mentors: { name: string; levels: Record<string, number> }[], criterionIds: string[]) {
  if (!self || !mentors.length) return null;
  const each = mentors.map((m) => ({ name: m.name, agreement: agreement([self, m.levels], criterionIds) })).filter((m): m is { name: string; agreement: Agreement } => m.agreement !== null);
  if (!each.length) return null;
  const pairs = each.reduce((s, m) => s + m.agreement.pairs, 0);
  const weighted = (k: 'exact' | 'withinOne') => Math.round(each.reduce((s, m) => s + m.agreement[k] * m.agreement.pairs, 0) / pairs);
  return { pairs, exact: weighted('exact'), withinOne: weighted('withinOne'), mentors: each };
}
