/** The sign-off state machine: which action is allowed from which status, and the words people read. */
import type { SignoffStatus } from '../db/tables';
import { ConflictError } from '../errors';

/** A mentor's decision on a request. */
export type DecisionAction = 'sign_off' | 'decline' | 'more_evidence' | 'countersign' | 'revoke';

/** Every decision action, for validation. */
export const DECISION_ACTIONS = ['sign_off', 'decline', 'more_evidence', 'countersign', 'revoke'] as const;

/** From which statuses each action may be taken. */
export const ALLOWED_FROM: Record<DecisionAction, SignoffStatus[]> = {
  sign_off: ['pending', 'more_evidence'],
  decline: ['pending', 'more_evidence'],
  more_evidence: ['pending'],
  countersign: ['awaiting_countersign'],
  revoke: ['signed', 'awaiting_countersign'],
};

/** Statuses in which a candidate may (re)submit the same request. */
export const RESUBMITTABLE: SignoffStatus[] = ['declined', 'more_evidence'];

/** Statuses in which a request is still live (a new request for the same competency is refused). */
export const LIVE: SignoffStatus[] = ['pending', 'awaiting_countersign', 'signed'];

/** Whether `action` may be taken on a request in `status` (the rule `assertTransition` enforces; pages offer buttons by it). */
export const mayTake = (action: DecisionAction, status: SignoffStatus): boolean => ALLOWED_FROM[action].includes(status);

/** Whether the candidate may request (or resubmit) a competency whose request is in `status` — `requestSignoff` refuses a
 * live one; pages offer the form by it. */
export const mayRequest = (status: SignoffStatus | 'not_started'): boolean => status === 'not_started' || !LIVE.includes(status);

/** Plain words for a status. */
export const STATUS_WORDS: Record<SignoffStatus | 'not_started', string> = {
  not_started: 'Not requested yet',
  pending: 'Pending — waiting for a mentor',
  more_evidence: 'More evidence asked for',
  declined: 'Declined — resubmit',
  awaiting_countersign: 'Needs countersignature',
  signed: 'Signed',
  revoked: 'Revoked',
};

const VERBS: Record<DecisionAction, string> = {
  sign_off: 'sign off',
  decline: 'decline',
  more_evidence: 'ask for more evidence on',
  countersign: 'countersign',
  revoke: 'revoke',
};

/** Throws 409 with a plain message unless `action` is allowed from `status`. */
export function assertTransition(action: DecisionAction, status: SignoffStatus, competencyName: string, safetyCritical: boolean): void {
  if (mayTake(action, status)) return;
  if (action === 'countersign' && !safetyCritical) throw new ConflictError(`“${competencyName}” is not safety-critical, so it needs no countersignature.`);
  throw new ConflictError(`You cannot ${VERBS[action]} “${competencyName}” now: it is ${STATUS_WORDS[status].toLowerCase()}.`);
}
