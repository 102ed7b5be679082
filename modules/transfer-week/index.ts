/** Transfer week: in-person days with a tablet register, and trainer-role moments confirmed by a mentor. */
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { batchActivity, defineCapabilities, defineStage } from '../../server/modules/kit';
import * as schema from './schema';
import { transferWeekAttendance, transferWeekDays, transferWeekMoments } from './schema';
import { attendanceKind, attendedDaysKind, confirmedMomentsKind } from './kinds';
import { registerEvidence } from './evidence';
import { transferWeekPages } from './pages';
import { transferWeekApi } from './api';
import { seedTransferWeek } from './seed';

/** Who in a cohort holds each of this module's capabilities. */
const capabilities = defineCapabilities('transfer-week', {
    'transfer-week:view': ['admin', 'lead', 'mentor', 'candidate', 'observer'],
    'transfer-week:see-all': ['admin', 'lead', 'mentor'],
    'transfer-week:schedule': ['admin', 'mentor'],
    'transfer-week:register': ['mentor'],
    'transfer-week:log-moment': ['candidate'],
    'transfer-week:confirm': ['mentor'],
});

declare module '../../server/modules/kit' {
  /** This module's capabilities, for the type-check of every `authorize`/`can`. */
  interface ModuleCapabilities extends Record<keyof typeof capabilities, true> {}
}

export default defineStage({
  key: 'transfer-week',
  title: 'Transfer week',
  summary: 'In-person days where candidates practise leading parts of the course, with a mentor taking the register and confirming trainer-role moments.',
  requires: [],
  capabilities,
  requirementKinds: {
    'transfer-week:attended-days': attendedDaysKind,
    'transfer-week:confirmed-moments': confirmedMomentsKind,
    'transfer-week:attendance': attendanceKind,
  },
  evidenceKinds: { 'transfer-week:register': registerEvidence },
  defaults: {
    config: {},
    open: [{ kind: 'previous-stage-complete', params: {} }],
    complete: [
      { kind: 'transfer-week:attended-days', params: { min: 3 } },
      { kind: 'transfer-week:confirmed-moments', params: { min: 2 } },
      { kind: 'competencies-signed', params: { codes: ['D1', 'D2'] } },
    ],
  },
  routes: transferWeekPages,
  api: transferWeekApi,
  views: path.join(__dirname, 'views'),
  programme: { order: 3, startDay: 28, endDay: 32 },
  schema,
  migrations: path.join(__dirname, 'migrations'),
  // Anyone present or late on a day, or with a logged moment, in the stage (every stage asked in one query).
  activity: batchActivity((db, stageIds, candidateIds) =>
    db
      .selectDistinct({ stageId: transferWeekDays.cohortStageId, candidateId: transferWeekAttendance.candidateId })
      .from(transferWeekAttendance)
      .innerJoin(transferWeekDays, eq(transferWeekDays.id, transferWeekAttendance.dayId))
      .where(and(inArray(transferWeekDays.cohortStageId, stageIds), inArray(transferWeekAttendance.candidateId, candidateIds), inArray(transferWeekAttendance.mark, ['present', 'late'])))
      .union(
        db
          .selectDistinct({ stageId: transferWeekMoments.cohortStageId, candidateId: transferWeekMoments.candidateId })
          .from(transferWeekMoments)
          .where(and(inArray(transferWeekMoments.cohortStageId, stageIds), inArray(transferWeekMoments.candidateId, candidateIds))),
      ),
  ),
  seed: seedTransferWeek,
});
