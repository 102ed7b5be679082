/** The projection checkers the full check runs: core's (sign-offs, waivers, completion marks, certificates, course observations and picks, trainer records) then each module's. */
import type { StageManifest } from '../modules/types';
import { eligibilityProjection } from '../eligibility/ledger';
import { markProjection, waiverProjection } from '../progression/ledger';
import { observationProjection, pickProjection } from '../sampling/ledger';
import { signoffProjection } from '../signoffs/ledger';
import { certificateProjection } from '../credentials/ledger';
import { trainerRecordProjection } from '../register/ledger';
import type { LedgerProjection } from './projections';

/** Core's checkers, in the order they run. */
export const CORE_PROJECTIONS: LedgerProjection[] = [signoffProjection, waiverProjection, markProjection, certificateProjection, eligibilityProjection, observationProjection, pickProjection, trainerRecordProjection];

/** Core's checkers followed by those the modules declare in their manifests (`ledger: [...]`). */
export function ledgerProjections(modules: Pick<StageManifest, 'ledger'>[]): LedgerProjection[] {
  return [...CORE_PROJECTIONS, ...modules.flatMap((m) => m.ledger ?? [])];
}
