/** "Competencies signed off": every named competency (by code, in the cohort's framework) is signed off. */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { cohorts, competencies, signoffRequests } from '../../db/tables';
import type { RequirementKind } from '../types';
import { answerAll, count, distinct } from './answers';

const params = z.object({ codes: z.array(z.string().min(1)).min(1, 'Choose at least one competency.').meta({ label: 'competencies', missing: 'Choose at least one competency' }) }).strict();

/** Two queries for every item: the competencies' names, and the signed requests for those codes. */
export const competenciesSigned: RequirementKind<typeof params> = {
  params,
  describe: (p, _stage, names) => `Have ${p.codes.length === 1 ? 'this competency' : 'these competencies'} signed off by a mentor: ${p.codes.map((c) => (names ? names('competency', c) : c)).join('; ')}`,
  form: { title: 'Competencies signed off', fields: { codes: { label: 'Competencies', hint: 'From the programme’s competency framework.', picker: 'competency' } } },
  async references(p, { db, frameworkId }) {
    const rows = await db
      .selectDistinct({ code: competencies.code })
      .from(competencies)
      .where(frameworkId ? and(eq(competencies.frameworkId, frameworkId), inArray(competencies.code, p.codes)) : inArray(competencies.code, p.codes));
    const known = new Set(rows.map((r) => r.code));
    const unknown = p.codes.filter((c) => !known.has(c));
    if (!unknown.length) return [];
    const where = frameworkId ? "in the programme's competency framework" : 'in any competency framework';
    return [{ field: 'codes', message: `${unknown.length === 1 ? `The competency code '${unknown[0]}' is` : `The competency codes ${unknown.map((c) => `'${c}'`).join(', ')} are`} not ${where}.` }];
  },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const cohortIds = distinct(items, (i) => i.stage.cohortId);
    const codes = distinct(items, (i) => i.params.codes);
    const names = await db
      .select({ cohortId: cohorts.id, code: competencies.code, name: competencies.name })
      .from(competencies)
      .innerJoin(cohorts, eq(cohorts.frameworkId, competencies.frameworkId))
      .where(and(inArray(cohorts.id, cohortIds), inArray(competencies.code, codes)));
    const signed = await db
      .selectDistinct({ cohortId: signoffRequests.cohortId, candidateId: signoffRequests.candidateId, code: competencies.code })
      .from(signoffRequests)
      .innerJoin(competencies, eq(competencies.id, signoffRequests.competencyId))
      .innerJoin(cohorts, and(eq(cohorts.id, signoffRequests.cohortId), eq(cohorts.frameworkId, competencies.frameworkId)))
      .where(and(inArray(signoffRequests.cohortId, cohortIds), eq(signoffRequests.status, 'signed'), inArray(competencies.code, codes)));
    const nameOf = new Map(names.map((n) => [`${n.cohortId}|${n.code}`, n.name]));
    const done = new Set(signed.map((s) => `${s.cohortId}|${s.candidateId}|${s.code}`));
    return answerAll(items, (item, candidateId) => {
      const wanted = item.params.codes;
      const missing = wanted.filter((c) => !done.has(`${item.stage.cohortId}|${candidateId}|${c}`));
      const progress = { done: wanted.length - missing.length, of: wanted.length };
      if (!missing.length) return { met: true, reason: `${wanted.length === 1 ? 'The competency is' : `All ${wanted.length} competencies are`} signed off.`, progress };
      const label = (c: string) => {
        const n = nameOf.get(`${item.stage.cohortId}|${c}`);
        return n ? `${c} ${n}` : c;
      };
      return {
        met: false,
        reason: `Have ${count(wanted.length, 'competency', 'competencies')} signed off — ${progress.done} signed so far; still to do: ${missing.map(label).join('; ')}.`,
        progress,
        // The competency map, opened on exactly these competencies' sign-off requests.
        act: { href: `/cohorts/${item.stage.cohortId}/candidates/${candidateId}/competencies#code-${encodeURIComponent(missing[0])}`, label: `Request sign-off for ${missing.join(', ')}` },
      };
    });
  },
};
