/** Remedial workshop: a pre-filled deep-dive agenda, candidates' topic requests, the rollout-readiness checklist and
 * the mentor's final readiness sign-off. */
import path from 'node:path';
import { and, inArray } from 'drizzle-orm';
import { batchActivity, defineCapabilities, defineStage } from '../../server/modules/kit';
import { remedialWorkshopSignoffs, remedialWorkshopTopics } from './schema';
import * as schema from './schema';
import { readinessSignedKind, topicsCoveredKind } from './kinds';
import { DEFAULT_CHECKLIST } from './checklist';
import { remedialWorkshopPages } from './pages';
import { remedialWorkshopApi } from './api';
import { seedRemedialWorkshop } from './seed';
import { readinessReport, readinessSignoffProjection } from './ledger';

/** Who in a cohort holds each of this module's capabilities. */
const capabilities = defineCapabilities('remedial-workshop', {
    'remedial-workshop:view': ['admin', 'lead', 'mentor', 'candidate', 'observer'],
    'remedial-workshop:see-all': ['admin', 'lead', 'mentor'],
    'remedial-workshop:view-agenda': ['admin', 'lead', 'mentor', 'candidate'],
    'remedial-workshop:request-topic': ['candidate'],
    'remedial-workshop:cover': ['mentor'],
    'remedial-workshop:tick-lead': ['lead'],
    'remedial-workshop:tick-mentor': ['mentor'],
    'remedial-workshop:sign-readiness': ['mentor'],
});

declare module '../../server/modules/kit' {
  /** This module's capabilities, for the type-check of every `authorize`/`can`. */
  interface ModuleCapabilities extends Record<keyof typeof capabilities, true> {}
}

export default defineStage({
  key: 'remedial-workshop',
  title: 'Remedial workshop',
  summary: 'A workshop on what each candidate still finds hard, then the rollout-readiness checklist and the mentor’s final sign-off.',
  requires: [],
  capabilities,
  requirementKinds: {
    'remedial-workshop:topics-covered': topicsCoveredKind,
    'remedial-workshop:readiness-signed': readinessSignedKind,
  },
  defaults: {
    config: { checklist: DEFAULT_CHECKLIST },
    open: [{ kind: 'previous-stage-complete', params: {} }],
    complete: [
      { kind: 'remedial-workshop:topics-covered', params: {} },
      { kind: 'remedial-workshop:readiness-signed', params: {} },
    ],
  },
  routes: remedialWorkshopPages,
  api: remedialWorkshopApi,
  views: path.join(__dirname, 'views'),
  programme: { order: 6, startDay: 70, endDay: 71 },
  schema,
  migrations: path.join(__dirname, 'migrations'),
  // Anyone who asked for a topic in the stage (every stage asked in one query).
  activity: batchActivity((db, stageIds, candidateIds) =>
    db
      .selectDistinct({ stageId: remedialWorkshopTopics.cohortStageId, candidateId: remedialWorkshopTopics.candidateId })
      .from(remedialWorkshopTopics)
      .where(and(inArray(remedialWorkshopTopics.cohortStageId, stageIds), inArray(remedialWorkshopTopics.candidateId, candidateIds))),
  ),
  // The mentor's final readiness sign-off is when a candidate is certified as a trainer.
  async certifications(db, stages) {
    if (!stages.length) return [];
    const rows = await db
      .select({ stageId: remedialWorkshopSignoffs.cohortStageId, candidateId: remedialWorkshopSignoffs.candidateId, at: remedialWorkshopSignoffs.createdAt })
      .from(remedialWorkshopSignoffs)
      .where(inArray(remedialWorkshopSignoffs.cohortStageId, stages.map((s) => s.id)));
    return rows;
  },
  seed: seedRemedialWorkshop,
  ledger: [readinessSignoffProjection],
  report: readinessReport,
});
