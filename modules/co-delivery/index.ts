/** Co-delivery: candidates lead small groups on the course for frontline staff and record learners' attainment. */
import path from 'node:path';
import { coDeliveryContexts } from './contexts';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { batchActivity, defineCapabilities, defineStage } from '../../server/modules/kit';
import { coDeliveryAttainment, coDeliveryLearners, coDeliveryOutcomes, coDeliverySessions } from './schema';
import * as schema from './schema';
import { attainmentRecordedKind } from './kinds';
import { coDeliveryPages } from './pages';
import { coDeliveryApi } from './api';
import { seedCoDelivery } from './seed';
import { liveRouters, registerLiveHandlers } from './live';
import { liveNoteEvidence } from './live/evidence';
import { runningNow } from './running';
import { sessionEvidence } from './session-evidence';

/** Who in a cohort holds each of this module's capabilities. */
const capabilities = defineCapabilities('co-delivery', {
    'co-delivery:view': ['admin', 'lead', 'mentor', 'candidate', 'observer'],
    'co-delivery:see-all': ['admin', 'lead', 'mentor'],
    'co-delivery:manage': ['admin', 'mentor'],
    'co-delivery:roster': ['admin', 'mentor', 'lead'],
    'co-delivery:record': ['candidate'],
    'co-delivery:shadow': ['mentor'],
    'co-delivery:assess': ['mentor'],
    // Live feedback rooms: mentors post, the candidate receives their own room's notes, leads and observers watch.
    'co-delivery:live-post': ['mentor'],
    'co-delivery:live-receive': ['candidate'],
    'co-delivery:live-observe': ['admin', 'lead', 'observer'],
});

declare module '../../server/modules/kit' {
  /** This module's capabilities, for the type-check of every `authorize`/`can`. */
  interface ModuleCapabilities extends Record<keyof typeof capabilities, true> {}
}

export default defineStage({
  key: 'co-delivery',
  title: 'Co-delivery',
  summary: 'Candidates co-deliver the course to frontline staff, each leading a small group, recording learners’ attainment and being assessed by a mentor.',
  requires: [],
  capabilities,
  requirementKinds: { 'co-delivery:attainment-recorded': attainmentRecordedKind },
  defaults: {
    config: {},
    open: [{ kind: 'previous-stage-complete', params: {} }],
    complete: [
      { kind: 'co-delivery:attainment-recorded', params: {} },
      { kind: 'rubric-passed', params: { rubric: 'practical-session' } },
    ],
  },
  routes: coDeliveryPages,
  api: coDeliveryApi,
  evidenceKinds: { 'co-delivery:live-note': liveNoteEvidence, 'co-delivery:session': sessionEvidence },
  routers: liveRouters,
  // The candidate's live notes: the rooms opened for them and each ended room's timeline.
  nav: [{ label: 'Live notes', href: '/cohorts/:cohortId/live', for: ['candidate'] }],
  sockets: registerLiveHandlers,
  views: path.join(__dirname, 'views'),
  programme: { order: 5, startDay: 56, endDay: 60 },
  schema,
  assessmentContexts: coDeliveryContexts,
  migrations: path.join(__dirname, 'migrations'),
  // Anyone who recorded a learner's attainment as the candidate in the stage (every stage asked in one query).
  activity: batchActivity((db, stageIds, candidateIds) =>
    db
      .selectDistinct({ stageId: coDeliveryLearners.cohortStageId, candidateId: coDeliveryAttainment.recorderId })
      .from(coDeliveryAttainment)
      .innerJoin(coDeliveryLearners, eq(coDeliveryLearners.id, coDeliveryAttainment.learnerId))
      .where(and(inArray(coDeliveryLearners.cohortStageId, stageIds), eq(coDeliveryAttainment.role, 'candidate'), inArray(coDeliveryAttainment.recorderId, candidateIds))),
  ),
  // The practical sessions of the co-delivered course, and its learning outcomes (asked about before and after).
  async curriculum(db, stages) {
    const ids = stages.map((s) => s.id);
    const [sessions, outcomes] = await Promise.all([
      db.select({ title: coDeliverySessions.title }).from(coDeliverySessions).where(inArray(coDeliverySessions.cohortStageId, ids)).orderBy(asc(coDeliverySessions.startsAt)),
      db.select({ text: coDeliveryOutcomes.text }).from(coDeliveryOutcomes).where(inArray(coDeliveryOutcomes.cohortStageId, ids)).orderBy(asc(coDeliveryOutcomes.position)),
    ]);
    return [...sessions.map((s) => ({ kind: 'practical' as const, title: s.title })), ...outcomes.map((o) => ({ kind: 'outcome' as const, title: o.text }))];
  },
  seed: seedCoDelivery,
  runningNow,
});
