/** The shapes the progression engine and every requirement evaluator share. */
import type { z } from 'zod';
import type { Db } from '../db';
import type { RequirementSpec } from '../db/tables';

export type { RequirementSpec } from '../db/tables';

/** The outcome of one requirement for one candidate; `reason` is shown to the candidate verbatim. */
export type Evaluation = { met: boolean; reason: string; progress?: { done: number; of: number }; act?: RequirementAct };

/** Where the candidate acts on an unmet requirement ("Request sign-off for D1 and D2" → that form), when it is not
 * simply the stage's own page; the timeline links each unmet requirement to it. */
export type RequirementAct = { href: string; label: string };

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

/** One stage of one cohort to evaluate for some of its candidates, with this requirement's parameters. */
export type EvaluationItem<P = Record<string, unknown>> = {
  stage: StageRow;
  /** Every stage of the same cohort, in order (for "previous stage complete" and similar). */
  stages: StageRow[];
  candidateIds: string[];
  params: P;
};

/**
 * What an evaluator is given: many (stage, candidates) items at once — possibly across hundreds of cohorts —
 * so an evaluator answers all of them with a fixed number of set-based queries, never one per candidate.
 */
export type EvaluationInput<P = Record<string, unknown>> = {
  db: Db;
  now: Date;
  items: EvaluationItem<P>[];
  /** Statuses already computed for earlier stages: stage id → candidate id → status. */
  earlier: Map<string, Map<string, StageStatus>>;
  /** The app's requirement kinds, given by the engine (a kind may delegate to another, as `attendance` does to
   * `<module>:attendance`); absent when a module calls its own evaluator directly. */
  kinds?: ReadonlyMap<string, RequirementKind>;
};

/** An evaluator's answer: stage id → candidate id → evaluation (every item's candidates must be answered). */
export type EvaluationResult = Map<string, Map<string, Evaluation>>;

/** A kind of requirement: its parameters, a plain description, and a batch evaluator. */
export type RequirementKind<S extends z.ZodType = z.ZodType> = {
  params: S;
  /** "Watch every pre-load video to 90%" — used in templates and admin screens. */
  describe: (params: z.output<S>, stage: StageRow, names?: NameOf) => string;
  evaluate: (input: EvaluationInput<z.output<S>>) => Promise<EvaluationResult>;
  /** True when the evaluator reads `earlier` (statuses of earlier stages); such kinds are evaluated stage by stage. */
  usesEarlier?: boolean;
  /** When a programme is saved: what the parameters name that does not exist (a rubric, a competency code, a video),
   * one problem per parameter (`field` is the parameter's path, `message` a sentence). */
  references?: (params: z.output<S>, scope: ReferenceScope) => Promise<{ field: string; message: string }[]>;
  /** How the admin's gate form shows this kind: its name and each parameter's label, hint and picker
   * (the parameter's type, bounds and whether it is required come from `params`). */
  form?: KindForm;
  /** The choices of a picker this kind's module owns (the programme's videos): value → what people read. */
  choices?: (picker: PickerName, scope: ReferenceScope) => Promise<Choice[]>;
};

/** The pickers a gate form offers instead of typing a key, code or id. */
export type PickerName = 'rubric' | 'competency' | 'stage' | 'video' | 'knowledge-check' | 'session';

/** One choice of a picker: the stored value and the name people read. */
export type Choice = { value: string; label: string };

/** What a parameter's form field shows: a label, a hint, and a picker when the value names something. */
export type ParamField = { label: string; hint?: string; picker?: PickerName; options?: Record<string, string>; /** What leaving it empty means ("The stage just before this one"). */ empty?: string };

/** A kind's form: the name admins choose it by, and its parameters' fields (in the order shown). */
export type KindForm = { title: string; fields?: Record<string, ParamField> };

/** The name people read for a picked value ('non-escalation' → 'Non-escalation in practice'), or the value itself. */
export type NameOf = (picker: PickerName, value: string) => string;

/** What a kind's reference check may consult: the database, the programme being saved and the stage's module. */
export type ReferenceScope = { db: Db; programmeId: string | null; frameworkId: string | null; moduleKey: string };

/** A candidate's status in a stage. */
export type StageStatus = 'locked' | 'open' | 'in_progress' | 'complete' | 'waived';

/** Many stages at once: stage id → candidates who have done anything (one set-based query for all stages). */
export type BatchActivity = (db: Db, items: { stage: StageRow; candidateIds: string[] }[]) => Promise<Map<string, Set<string>>>;

/** Which candidates have done anything in a stage (a module's `activity` hook); a hook may carry a `batch`
 * form, which the engine prefers so that activity costs a fixed number of queries however many cohorts. */
export type ActivityHook = ((db: Db, stage: StageRow, candidateIds: string[]) => Promise<Set<string>>) & { batch?: BatchActivity };
