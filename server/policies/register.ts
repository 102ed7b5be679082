/** Trainer record policies (17.4): who sees one trainer's record on one client organisation's register, who changes
 * its level and suspension, and who keeps its CPD log and first aid. */
import type { Actor } from '../auth/actor';
import { leadsOrganisation } from './relations';

/** Actions on one trainer's record: see it (the trainer, the organisation's leads, admins); change level or suspension
 * (admins, never on their own record); keep one's own CPD log and first aid (the trainer themself). */
export type TrainerAction = 'trainer:view' | 'trainer:manage' | 'trainer:keep';

/** A trainer record as policies need it. */
export type TrainerRef = { userId: string; organisationId: string };

/** Decides a trainer-record action: hidden from anyone who is not the trainer, a lead of the organisation or an admin. */
export function decideTrainer(actor: Actor, action: string, t: TrainerRef): 'allow' | 'forbid' | 'hide' {
  const own = actor.id === t.userId;
  if (!actor.isAdmin && !own && !leadsOrganisation(actor, t.organisationId)) return 'hide';
  if (action === 'trainer:view') return 'allow';
  if (action === 'trainer:manage') return actor.isAdmin && !own ? 'allow' : 'forbid';
  if (action === 'trainer:keep') return own ? 'allow' : 'forbid';
  return 'forbid';
}
