/** How several mentors' assessments against one rubric combine into one gate decision (pure). A rubric gate names
 * its rule; the default is that every mentor who assessed must pass, each mentor's latest assessment counting, so a
 * later pass by one mentor never silently overrides another mentor's fail. */

/** The rules a rubric gate may declare. */
export const COMBINE_RULES = ['every-mentor', 'latest', 'highest', 'mean'] as const;

/** One rule: how mentors' assessments combine. */
export type CombineRule = (typeof COMBINE_RULES)[number];

/** The rule a gate uses when it names none. */
export const DEFAULT_COMBINE: CombineRule = 'every-mentor';

/** The rules in an admin's words (for forms and the gate's description). */
export const COMBINE_LABELS: Record<CombineRule, string> = {
  'every-mentor': 'Every mentor who assesses must pass (each mentor’s latest assessment counts)',
  latest: 'The latest assessment by any mentor counts',
  highest: 'The best assessment by any mentor counts',
  mean: 'The average of each mentor’s latest assessment counts',
};

/** The rule in the candidate's words, added to every reason the gate gives. */
export function combineClause(rule: CombineRule): string {
  switch (rule) {
    case 'latest':
      return 'only the latest assessment counts';
    case 'highest':
      return 'your best assessment counts';
    case 'mean':
      return 'the average of each mentor’s latest assessment counts';
    default:
      return 'every mentor who assesses you must pass you; each mentor’s latest assessment counts';
  }
}

/** One mentor assessment as the rule reads it; `threshold` is the pass mark of the rubric version it was scored
 * against (when the gate names none), so a new version never re-fails a pass already made. */
export type RatedAssessment = { assessorId: string; assessorName: string; percent: number; mustPassFailed: boolean; createdAt: Date; threshold?: number };

/** The decision: the percent shown, whether a must-pass criterion failed, met or not, the assessments counted and,
 * of those, the ones that keep the gate shut. */
export type Combined = { percent: number; mustPassFailed: boolean; met: boolean; counted: RatedAssessment[]; failing: RatedAssessment[] };

const passes = (a: RatedAssessment, threshold: number) => a.percent >= (a.threshold ?? threshold) && !a.mustPassFailed;
const newestFirst = (a: RatedAssessment, b: RatedAssessment) => b.createdAt.getTime() - a.createdAt.getTime();

/** Each mentor's latest assessment, newest first. */
export function latestPerMentor(list: RatedAssessment[]): RatedAssessment[] {
  const seen = new Map<string, RatedAssessment>();
  for (const a of [...list].sort(newestFirst)) if (!seen.has(a.assessorId)) seen.set(a.assessorId, a);
  return [...seen.values()];
}

/** Combines mentors' assessments by `rule` against `threshold`; null when there is none. */
export function combineAssessments(list: RatedAssessment[], rule: CombineRule, threshold: number): Combined | null {
  if (!list.length) return null;
  const one = (a: RatedAssessment): Combined => ({ percent: a.percent, mustPassFailed: a.mustPassFailed, met: passes(a, threshold), counted: [a], failing: passes(a, threshold) ? [] : [a] });
  if (rule === 'latest') return one([...list].sort(newestFirst)[0]);
  if (rule === 'highest') return one([...list].sort((a, b) => Number(passes(b, threshold)) - Number(passes(a, threshold)) || b.percent - a.percent || newestFirst(b, a))[0]);
  const counted = latestPerMentor(list);
  const mustPassFailed = counted.some((a) => a.mustPassFailed);
  if (rule === 'mean') {
    const percent = Math.round((counted.reduce((s, a) => s + a.percent, 0) / counted.length) * 100) / 100;
    const met = percent >= threshold && !mustPassFailed;
    return { percent, mustPassFailed, met, counted, failing: met ? [] : counted.filter((a) => !passes(a, threshold)) };
  }
  const failing = counted.filter((a) => !passes(a, threshold));
  return { percent: Math.min(...counted.map((a) => a.percent)), mustPassFailed, met: !failing.length, counted, failing };
}
