/** "Mentor marked complete": a mentor of the cohort has marked the stage complete for the candidate. */
import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { stageCompletionMarks } from '../../db/tables';
import type { RequirementKind } from '../types';
import { answerAll } from './answers';

const params = z.object({}).strict();

/** Met when a `stage_completion_marks` row exists for (stage, candidate). One query for every item. */
export const mentorMarkedComplete: RequirementKind<typeof params> = {
  params,
  describe: () => 'A mentor marks the stage complete',
  form: { title: 'A mentor marks it complete' },
  async evaluate({ db, items }) {
    const stageIds = items.map((i) => i.stage.id);
    const rows = stageIds.length
      ? await db.select({ stageId: stageCompletionMarks.cohortStageId, candidateId: stageCompletionMarks.candidateId }).from(stageCompletionMarks).where(inArray(stageCompletionMarks.cohortStageId, stageIds))
      : [];
    const marked = new Set(rows.map((r) => `${r.stageId}|${r.candidateId}`));
    return answerAll(items, (item, candidateId) =>
      marked.has(`${item.stage.id}|${candidateId}`)
        ? { met: true, reason: 'Your mentor has marked this stage complete.' }
        : { met: false, reason: 'Your mentor marks this stage complete when you have finished it — not marked yet.' },
    );
  },
};
