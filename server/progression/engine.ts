/** The progression engine's public contract (implemented by the progression feature). */
import type { Db } from '../db';
import type { StageStatus } from './types';

/** One requirement's outcome for one candidate, as shown on the timeline and in the API. */
export type RequirementResult = {
  kind: string;
  /** Stable key within the stage: `${'open'|'complete'}:${index}:${kind}` (what a waiver names). */
  key: string;
  met: boolean;
  reason: string;
  progress?: { done: number; of: number };
  waived: boolean;
};

/** A candidate's position in one stage. */
export type StageProgress = {
  stageId: string;
  key: string;
  title: string;
  position: number;
  status: StageStatus;
  startsOn: string | null;
  endsOn: string | null;
  open: RequirementResult[];
  complete: RequirementResult[];
  waiver?: { reason: string; mentorId: string; at: Date };
};

/** Which candidates to compute, and when "now" is. */
export type ProgressQuery = { cohortIds: string[]; candidateIds?: string[]; now?: Date };

/**
 * Computes every candidate's stages for the given cohorts: cohort id → candidate id → stages in order.
 * Set-based: a fixed number of queries per requirement kind, whatever the number of candidates or cohorts.
 */
export async function computeProgress(db: Db, query: ProgressQuery): Promise<Map<string, Map<string, StageProgress[]>>> {
  void db;
  void query;
  throw new Error('computeProgress is not implemented yet');
}
