/** The co-delivered sessions a candidate can be assessed on: every session of the cohort's co-delivery stages. */
import { and, asc, eq } from 'drizzle-orm';
import { cohortStages, dateFormat, getCohort, type AssessmentContextsHook } from '../../server/modules/kit';
import { coDeliverySessions } from './schema';

const when = (zone: string) => dateFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone });

/** Each session as "Session: Breakaway techniques with the night team — 30 Nov, 09:30". */
export const coDeliveryContexts: AssessmentContextsHook = async (db, { cohortId }) => {
  const rows = await db
    .select({ id: coDeliverySessions.id, stageId: coDeliverySessions.cohortStageId, title: coDeliverySessions.title, startsAt: coDeliverySessions.startsAt })
    .from(coDeliverySessions)
    .innerJoin(cohortStages, eq(cohortStages.id, coDeliverySessions.cohortStageId))
    .where(and(eq(cohortStages.cohortId, cohortId), eq(cohortStages.moduleKey, 'co-delivery')))
    .orderBy(asc(coDeliverySessions.startsAt));
  // In the cohort's organisation's time zone (the cohort row is cached while its version holds).
  const zone = (await getCohort(db, cohortId)).timeZone;
  return rows.map((r) => ({ type: 'session' as const, id: r.id, cohortStageId: r.stageId, label: `Session: ${r.title} — ${when(zone).format(r.startsAt)}` }));
};
