/**
 * The one surface a stage module imports from core (`import { … } from '../../server/modules/kit'`). A module never
 * imports another core file or another module; the lint rule in eslint.config.js enforces it. What is here:
 * the manifest and its context, database helpers and core tables (read them; write core rows only through the
 * core commands below), the errors, the policies, input validation, page/form helpers, requirement-kind helpers
 * and the stage helpers (`rt.stage` in every hook).
 */

// The manifest, the context every hook receives, the seed context and the stage helpers' types.
export { defineStage, type SeedContext, type StageApi, type StageGlobal, type StageManifest, type StagePages, type StageRuntime, type StageWebhooks } from './types';
export type { StageCandidateSubject, StageContext, StageHelpers, StageSubject } from './stage-helpers';
export type { AppContext } from '../context';

// Database: the handle, the core tables (by id), the audit trail and notifications (written inside a transaction).
export type { Db } from '../db';
export * from '../db/tables';
export { audit } from '../audit';
export { deliver, notify } from '../notifications';

// People and cohorts.
export type { Actor } from '../auth/actor';
export { addDays } from '../cohorts/commands';
export { assertWithinCohort } from '../cohorts/dates';
export { cohortPeople, getCandidate, getCohort, isCandidate, visibleCohorts, type CohortRow } from '../cohorts/queries';

// File storage (streamed, never buffered whole) and the multer engine that checks a file from its first bytes.
export { readAll, StoredTooLargeError, type FileStorage } from '../storage';
export { concurrentUploads, singleFileUpload, streamingEngine, type HeadVerdict, type StoredUpload } from '../storage/upload-engine';

// Errors a person can cause, mapped to 4xx by the one error middleware.
export * from '../errors';

// Policies: one authorize()/can() for routes, sockets and views.
export { authorize, can, refuseOwnRecord, type Action, type CapabilityVerb, type CohortRef, type Grantee, type ModuleCapabilities, type Subject } from '../policies';
export { defineCapabilities } from './types';
export type { ModuleLink, RunningNow, RunningNowHook } from './registry';

// Evidence a sign-off can cite from a module's tables (declared in the manifest's `evidenceKinds`).
export { resolveEvidence, type ChoiceScope, type EvidenceAnswer, type EvidenceChoice, type EvidenceKind, type EvidenceScope, type ResolvedEvidence } from '../evidence/kinds';

// Formatting: date formatters built once (never construct an Intl.DateTimeFormat per call).
export { dateFormat, londonToUtc } from '../util/dates';
export { DEFAULT_TIME_ZONE, timeZoneWords, zonedLocalTime, zonedToUtc } from '../util/time-zones';
export type { AssessmentContext, AssessmentContextsHook } from '../rubrics/contexts';

// Requests: validation at the edge, the actor, routers, plain-form helpers.
export { email, id, invalid, isoDate, paramId, parse, text } from '../http/validate';
export { actorOf } from '../http/request-context';
export { eventListener, onEvent, socketActor, socketError, type Ack, type SocketError, type SocketInput } from '../sockets';
export { grant, type CadreRouter, type Grant, type RouteRegistry } from '../http/router';
export { plain, presented, presenter, reply, seeOther, type Presented } from '../http/present';
export { onCandidate, onCohort, onProvider, type CandidateSubject, type CohortSubject } from '../http/grants';
export { redirectField, sameOriginPath } from '../http/redirects';
export { afterCommit, type Effects, type Emit } from '../after-commit';
export { formAction, formBody, formOf, pathId } from '../http/forms';

// Progression: requirement kinds (batch evaluators), their answer helpers, activity hooks and progress.
export type { Choice, Evaluation, EvaluationItem, EvaluationResult, KindForm, ParamField, PickerName, RequirementKind, StageRow } from '../progression/types';
export { answerAll, count, distinct } from '../progression/kinds/answers';
export { candidateStage, unmetReasons } from '../progression/queries';
export { batchActivity, withBatch, type BatchActivity } from '../progression/registry';
export { computeProgress, type StageProgress } from '../progression/engine';

// The ledger: a module appends its ledgered records in the same transaction as their rows, and declares a projection
// checker for them in the manifest (`ledger: [...]`) so `npm run verify-ledger` and the report vouch for them.
export { appendLedger, type LedgerRow } from '../ledger';
export { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, num, str, type Disagreement, type LedgerFact, type LedgerProjection, type ProjectionScope } from '../ledger/projections';

// Certificates: a final sign-off calls `certify(tx, { cohortId, candidateId, signedBy, at })` inside its own
// transaction; core issues the candidate's certificate (or, for a refresher, renews it) — ledgered with the sign-off.
// After the commit, `rolesChanged(ctx, candidateId)`: a first certificate makes the person a trainer (their menu's
// "My trainer record", their programme page), so every node reloads them.
export { certify, type Certified, type CertifyFacts } from '../credentials/issue';
export { rolesChanged } from '../auth/authority';

// Readiness: what the readiness model says still stands between candidates and "ready" (for a final sign-off).
export { finalSignoffGaps, type FinalStage } from '../readiness/gaps';
export type { ReadinessGap } from '../readiness/model';
export type { ReportSection } from '../readiness/pdf';
