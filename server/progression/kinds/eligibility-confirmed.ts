/** "Eligibility confirmed" (17.1): the candidate recorded a professional qualification, two years in a support or
 * care role and current first aid with ILS, and a mentor confirmed each; the reason says what is still missing. */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { eligibilityRecords, files } from '../../db/tables';
import { eligibilityOf } from '../../eligibility/rules';
import type { EligibilityRecordRow } from '../../eligibility/queries';
import type { RequirementKind } from '../types';
import { answerAll, londonDate } from './answers';

const params = z.object({}).strict();

/** Met when every eligibility requirement is confirmed (and the first aid certificate has not expired). One query. */
export const eligibilityConfirmed: RequirementKind<typeof params> = {
  params,
  describe: () => 'A mentor has confirmed the candidate’s eligibility: a professional qualification, two years in a support or care role and current first aid with immediate life support',
  form: { title: 'Eligibility confirmed by a mentor' },
  async evaluate({ db, items, now }) {
    const cohortIds = [...new Set(items.map((i) => i.stage.cohortId))];
    const candidateIds = [...new Set(items.flatMap((i) => i.candidateIds))];
    const rows = cohortIds.length && candidateIds.length
      ? await db
          .select({ r: eligibilityRecords, fileName: files.displayName, fileType: files.mimeType })
          .from(eligibilityRecords)
          .leftJoin(files, eq(files.id, eligibilityRecords.fileId))
          .where(and(inArray(eligibilityRecords.cohortId, cohortIds), inArray(eligibilityRecords.candidateId, candidateIds)))
      : [];
    const byPerson = new Map<string, EligibilityRecordRow[]>();
    for (const x of rows) {
      const key = `${x.r.cohortId}|${x.r.candidateId}`;
      const list = byPerson.get(key) ?? [];
      list.push({ ...x.r, fileName: x.fileName, fileType: x.fileType, fileKey: null });
      byPerson.set(key, list);
    }
    const today = londonDate(now);
    return answerAll(items, (item, candidateId) => {
      const { eligible, items: standing } = eligibilityOf(byPerson.get(`${item.stage.cohortId}|${candidateId}`) ?? [], today, now);
      const done = standing.filter((s) => s.state === 'confirmed').length;
      if (eligible) return { met: true, reason: 'A mentor has confirmed your eligibility.', progress: { done, of: standing.length } };
      const open = standing.filter((s) => s.state !== 'confirmed');
      return {
        met: false,
        reason: open.map((s) => s.sentence).join(' '),
        progress: { done, of: standing.length },
        act: { href: `/cohorts/${item.stage.cohortId}/candidates/${candidateId}/eligibility`, label: open.some((s) => s.state !== 'waiting') ? 'Record your eligibility evidence' : 'See your eligibility evidence' },
      };
    });
  },
};
