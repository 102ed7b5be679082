/** The shapes the progression engine and every requirement evaluator share. */
import type { z } from 'zod';
import type { Db } from '../db';
import type { RequirementSpec } from '../db/tables';

export type { RequirementSpec } from '../db/tables';

/** The outcome of one requirement for one candidate; `reason` is shown to the candidate verbatim. */
export type Evaluation = { met: boolean; reason: string; progress?: { done: number; of: number } };

/** The cohort stage being evaluated, as stored in `cohort_stages`. */
export type StageRow = {
  id: string;
  cohortId: string;
  position: number;
  moduleKey: string;
  title: string;
  config: Record<string, unknown>;
  openRequirements: RequirementSpec[];
  completeRequirements: RequirementSpec[];
  startsOn: string | null;
  endsOn: string | null;
};

/** What an evaluator is given: a whole cohort's candidates at once, so work is set-based, never per candidate. */
export type EvaluationInput<P = Record<string, unknown>> = {
  db: Db;
  cohortId: string;
  stage: StageRow;
  /** Every stage of the cohort, in order (for "previous stage complete" and similar). */
  stages: StageRow[];
  candidateIds: string[];
  params: P;
  now: Date;
  /** Statuses of earlier stages, already computed for these candidates (stage id → candidate id → status). */
  earlier: Map<string, Map<string, StageStatus>>;
};

/** A kind of requirement: its parameters, a plain description, and a batch evaluator. */
export type RequirementKind<S extends z.ZodType = z.ZodType> = {
  params: S;
  /** "Watch every pre-load video to 90%" — used in templates and admin screens. */
  describe: (params: z.output<S>, stage: StageRow) => string;
  evaluate: (input: EvaluationInput<z.output<S>>) => Promise<Map<string, Evaluation>>;
};

/** A candidate's status in a stage. */
export type StageStatus = 'locked' | 'open' | 'in_progress' | 'complete' | 'waived';
