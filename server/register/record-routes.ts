/** The trainer record's pages: one trainer's record on one organisation's register (the trainer, the organisation's
 * leads, admins) and "My trainer record" for someone on several registers. */
import type { Request } from 'express';
import type { AppContext } from '../context';
import { getOrganisation } from '../cohorts/queries';
import { NotFoundError } from '../errors';
import type { Action, Grant, RouteRegistry } from '../http/router';
import { presentRecord, recordHref } from './record-present';
import { recordsOfPerson, trainerRecordOf, type TrainerRecordView } from './record';
import { STATUS_WORDS } from './model';

/** A trainer record subject: the person, the client organisation (loaded). */
export type TrainerSubject = { type: 'trainer'; userId: string; organisationId: string; organisationName: string };

/** Authorises `action` on the trainer record `:userId` of client organisation `:organisationId` (404 "That trainer
 * record" outside the actor's world). */
export function onTrainer(db: AppContext['db'], action: Action) {
  return async (_req: Request, input: { params: { organisationId: string; userId: string } }): Promise<Grant<TrainerSubject>> => {
    const org = await getOrganisation(db, input.params.organisationId);
    if (org.kind !== 'client') throw new NotFoundError('That trainer record');
    return [action, { type: 'trainer', userId: input.params.userId, organisationId: org.id, organisationName: org.name }, 'That trainer record'];
  };
}

/** The record of a trainer on the register (404 when the person is not on it). */
export async function recordOrNotFound(db: AppContext['db'], subject: TrainerSubject, now: Date = new Date()): Promise<TrainerRecordView> {
  const view = await trainerRecordOf(db, subject.userId, subject.organisationId, now);
  if (!view) throw new NotFoundError('That trainer record');
  return view;
}

/** Mounts the trainer record pages. */
export function recordRoutes(registry: RouteRegistry, ctx: AppContext) {
  const trainers = registry.router('/organisations/:organisationId/trainers');
  const mine = registry.router('/trainers');

  trainers.get('/:userId', { summary: 'A trainer’s record: level, standing, certificates, refresher, first aid, CPD log and history of changes', authorize: onTrainer(ctx.db, 'trainer:view') }, async ({ actor, subject }, _req, res) => {
    const record = presentRecord(await recordOrNotFound(ctx.db, subject), actor);
    res.render('register/record', { title: record.own ? 'My trainer record' : `Trainer record — ${record.name}`, record });
  });

  mine.get('/mine', { summary: 'My trainer records: straight to the one, or a list when on several organisations’ registers', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    const entries = await recordsOfPerson(ctx.db, actor.id);
    if (entries.length === 1) return res.redirect(303, recordHref(entries[0].organisationId, actor.id));
    res.render('register/mine', { title: 'My trainer records', entries: entries.map((e) => ({ organisationName: e.organisationName, statusWords: STATUS_WORDS[e.status], statusStyle: `status-${e.status}`, href: recordHref(e.organisationId, actor.id) })) });
  });
  return [trainers, mine];
}
