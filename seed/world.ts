/** The demo world the core seed steps share: its cohort, people and how far each candidate has got. */
import type { StageManifest } from '../server/modules/types';
import type { StageRow } from '../server/progression/types';

/** Demo people and progress, for features that seed after the stages. */
export type DemoWorld = { cohortId: string; people: Record<string, string>; reached: Record<string, number>; stages: StageRow[]; frameworkId: string | null; modules: StageManifest[] };
