/** Transfer week's requirement kinds: days attended (present or late) and mentor-confirmed trainer-role moments. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { answerAll, count, distinct, type Db, type RequirementKind } from '../../server/modules/kit';
import { transferWeekAttendance, transferWeekDays, transferWeekMoments } from './schema';

const minParams = (fallback: number) => z.object({ min: z.number().int().min(1, 'must be at least 1').max(30).default(fallback) }).strict();
const attendedParams = minParams(3);
const momentsParams = minParams(2);
const sessionsParams = z.object({ sessions: z.number().int().min(1).default(1) }).strict();

/** Per stage: days scheduled; per stage × candidate: days attended. Two queries for any number of items. */
export async function attendedDays(db: Db, stageIds: string[], candidateIds: string[]) {
  const [scheduled, attended] = await Promise.all([
    db
      .select({ stageId: transferWeekDays.cohortStageId, n: sql<number>`count(*)::int` })
      .from(transferWeekDays)
      .where(inArray(transferWeekDays.cohortStageId, stageIds))
      .groupBy(transferWeekDays.cohortStageId),
    candidateIds.length
      ? db
          .select({ stageId: transferWeekDays.cohortStageId, candidateId: transferWeekAttendance.candidateId, n: sql<number>`count(*)::int` })
          .from(transferWeekAttendance)
          .innerJoin(transferWeekDays, eq(transferWeekDays.id, transferWeekAttendance.dayId))
          .where(
            and(
              inArray(transferWeekDays.cohortStageId, stageIds),
              inArray(transferWeekAttendance.candidateId, candidateIds),
              inArray(transferWeekAttendance.mark, ['present', 'late']),
            ),
          )
          .groupBy(transferWeekDays.cohortStageId, transferWeekAttendance.candidateId)
      : Promise.resolve([]),
  ]);
  return {
    scheduled: new Map(scheduled.map((r) => [r.stageId, r.n])),
    attended: new Map(attended.map((r) => [`${r.stageId}|${r.candidateId}`, r.n])),
  };
}

function attendedReason(min: number, total: number, attended: number) {
  const progress = { done: Math.min(attended, min), of: min };
  if (attended >= min) return { met: true, reason: `Attended ${attended} of ${total} transfer-week days (${min} needed).`, progress };
  if (total === 0) return { met: false, reason: `Attend ${count(min, 'transfer-week day')} — none scheduled yet.`, progress };
  if (total < min) return { met: false, reason: `Attend ${count(min, 'transfer-week day')} — ${total} scheduled so far, ${attended} recorded.`, progress };
  return { met: false, reason: `Attend ${min} of ${total} transfer-week days — ${attended} recorded.`, progress };
}

/** `transfer-week:attended-days` {min}: present or late on at least `min` of the stage's days. */
export const attendedDaysKind: RequirementKind<typeof attendedParams> = {
  params: attendedParams,
  describe: (p) => `Attend ${count(p.min, 'transfer-week day')} (present or late on the mentor's register)`,
  form: { title: 'Transfer-week days attended', fields: { min: { label: 'How many days' } } },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const { scheduled, attended } = await attendedDays(db, distinct(items, (i) => i.stage.id), distinct(items, (i) => i.candidateIds));
    return answerAll(items, (item, c) => attendedReason(item.params.min, scheduled.get(item.stage.id) ?? 0, attended.get(`${item.stage.id}|${c}`) ?? 0));
  },
};

/** `transfer-week:attendance` {sessions}: the same evaluation, for the core `attendance` kind to delegate to. */
export const attendanceKind: RequirementKind<typeof sessionsParams> = {
  params: sessionsParams,
  describe: (p) => `Attend ${count(p.sessions, 'transfer-week day')}`,
  form: { title: 'Transfer-week attendance', fields: { sessions: { label: 'How many days' } } },
  async evaluate(input) {
    return attendedDaysKind.evaluate({ ...input, items: input.items.map((i) => ({ ...i, params: { min: i.params.sessions } })) });
  },
};

/** `transfer-week:confirmed-moments` {min}: at least `min` trainer-role moments confirmed by a mentor. One query. */
export const confirmedMomentsKind: RequirementKind<typeof momentsParams> = {
  params: momentsParams,
  describe: (p) => `Have ${count(p.min, 'trainer-role moment')} confirmed by a mentor`,
  form: { title: 'Trainer-role moments confirmed', fields: { min: { label: 'How many moments' } } },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const candidateIds = distinct(items, (i) => i.candidateIds);
    const rows = candidateIds.length
      ? await db
          .select({ stageId: transferWeekMoments.cohortStageId, candidateId: transferWeekMoments.candidateId, status: transferWeekMoments.status, n: sql<number>`count(*)::int` })
          .from(transferWeekMoments)
          .where(and(inArray(transferWeekMoments.cohortStageId, distinct(items, (i) => i.stage.id)), inArray(transferWeekMoments.candidateId, candidateIds)))
          .groupBy(transferWeekMoments.cohortStageId, transferWeekMoments.candidateId, transferWeekMoments.status)
      : [];
    const n = new Map(rows.map((r) => [`${r.stageId}|${r.candidateId}|${r.status}`, r.n]));
    return answerAll(items, (item, c) => {
      const at = (s: string) => n.get(`${item.stage.id}|${c}|${s}`) ?? 0;
      const confirmed = at('confirmed');
      const min = item.params.min;
      const progress = { done: Math.min(confirmed, min), of: min };
      if (confirmed >= min) return { met: true, reason: `${count(confirmed, 'trainer-role moment')} confirmed by a mentor (${min} needed).`, progress };
      const waiting = at('submitted');
      const returned = at('returned');
      const extra = [waiting ? `${waiting} waiting for a mentor` : '', returned ? `${returned} returned to you with a comment` : ''].filter(Boolean);
      return { met: false, reason: `Have ${count(min, 'trainer-role moment')} confirmed by a mentor — ${confirmed} confirmed${extra.length ? `, ${extra.join(', ')}` : ''}.`, progress };
    });
  },
};
