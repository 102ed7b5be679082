/** "Rubric passed": mentors' assessments with a rubric in this stage, combined by the gate's rule (default: every
 * mentor who assessed must pass, each mentor's latest counting), at or above the threshold with every must-pass
 * criterion passed. The reason names the rule, so a candidate knows how several mentors' views count. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { rubrics } from '../../db/tables';
import { COMBINE_LABELS, COMBINE_RULES, DEFAULT_COMBINE, combineClause } from '../../rubrics/combine';
import { loadGateAssessments } from '../../rubrics/gate-results';
import type { RequirementKind } from '../types';
import { answerAll, distinct } from './answers';

const params = z
  .object({
    rubric: z.string().min(1, 'name the rubric by its key').meta({ label: 'rubric', missing: 'Choose the rubric' }),
    threshold: z.number().min(0).max(100).optional(),
    combine: z.enum(COMBINE_RULES, { message: 'must be every-mentor, latest, highest or mean' }).optional(),
  })
  .strict();

const pct = (n: number) => `${Math.round(n)}%`;
const possessive = (name: string) => (name.endsWith('s') ? `${name}’` : `${name}’s`);

/** Two queries for every item: the rubrics named, and every mentor assessment with them in these stages. */
export const rubricPassed: RequirementKind<typeof params> = {
  params,
  form: {
    title: 'Rubric passed',
    fields: {
      rubric: { label: 'Rubric', picker: 'rubric' },
      threshold: { label: 'Pass mark (%)', hint: 'Leave empty to use the rubric’s own pass mark.' },
      combine: { label: 'When several mentors assess', options: COMBINE_LABELS, empty: 'The default: every mentor who assesses must pass' },
    },
  },
  describe: (p, _stage, names) =>
    `Assessed with rubric '${names ? names('rubric', p.rubric) : p.rubric}' at ${p.threshold !== undefined ? `${p.threshold}%` : 'its pass mark'} or above, every must-pass criterion passed — ${COMBINE_LABELS[p.combine ?? DEFAULT_COMBINE].toLowerCase()}`,
  async references(p, { db }) {
    const [found] = await db.select({ key: rubrics.key }).from(rubrics).where(eq(rubrics.key, p.rubric)).limit(1);
    return found ? [] : [{ field: 'rubric', message: `There is no rubric with the key '${p.rubric}': choose one of the rubrics.` }];
  },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const gates = await loadGateAssessments(
      db,
      items.map((i) => i.stage.id),
      distinct(items, (i) => i.params.rubric),
    );
    return answerAll(items, (item, candidateId) => {
      const { name, threshold, rule, combined: c } = gates.judge({ stageId: item.stage.id, ...item.params }, candidateId);
      const how = combineClause(rule);
      // Where the candidate acts on an unmet rubric gate: their assessments (self-assess, see each mentor's scores).
      const act = { href: `/cohorts/${item.stage.cohortId}/candidates/${candidateId}/assessments`, label: `See your assessments and self-assess on '${name}'` };
      if (!c) return { met: false, reason: `Be assessed by a mentor on '${name}' at ${threshold}% or above — not assessed yet (${how}).`, progress: { done: 0, of: 100 }, act };
      const progress = { done: Math.round(c.percent), of: 100 };
      if (c.met) {
        const scores = rule === 'every-mentor' || rule === 'mean' ? c.counted.map((a) => `${a.assessorName} ${pct(a.percent)}`).join(', ') : pct(c.percent);
        return { met: true, reason: `Passed '${name}' ${rule === 'every-mentor' || rule === 'mean' ? `— ${scores}` : `at ${scores}`} (pass mark ${threshold}%; ${how}).`, progress };
      }
      if (rule === 'every-mentor') {
        const why = c.failing.map((a) => `${possessive(a.assessorName)} latest assessment ${a.percent < threshold ? `scored ${pct(a.percent)}` : `(${pct(a.percent)}) missed a must-pass criterion`}`).join('; ');
        return { met: false, reason: `Reach ${threshold}% on '${name}' with every must-pass criterion passed — ${why} (${how}).`, progress, act };
      }
      const which = rule === 'mean' ? 'the average of your mentors’ latest assessments' : rule === 'highest' ? 'your best assessment so far' : 'your latest assessment';
      if (c.percent < threshold) return { met: false, reason: `Reach ${threshold}% on '${name}' — ${which} ${rule === 'mean' ? 'is' : 'scored'} ${pct(c.percent)} (${how}).`, progress, act };
      return { met: false, reason: `Pass every must-pass criterion of '${name}' — ${rule === 'mean' ? c.failing.filter((a) => a.mustPassFailed).map((a) => `${possessive(a.assessorName)} latest assessment`).join(' and ') : `${which} (${pct(c.percent)})`} missed at least one (${how}).`, progress, act };
    });
  },
};
