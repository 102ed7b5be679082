/** The trainer record's pages: one trainer's record on one organisation's register (the trainer, the organisation's
 * leads, admins) and "My trainer record" for someone on several registers. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import { getOrganisation } from '../cohorts/queries';
import { NotFoundError, type AppError } from '../errors';
import { formOf } from '../http/forms';
import { seeOther } from '../http/present';
import type { Action, Grant, RouteRegistry } from '../http/router';
import { text } from '../http/validate';
import { sendStoredFile } from '../evidence/routes';
import { evidenceUpload } from '../evidence/store';
import { londonDate } from '../progression/kinds/answers';
import { changeStanding } from './changes';
import { addCpd, cpdEntryOf, cpdForm, deleteCpd, editCpd, type CpdEntryRow } from './cpd';
import { firstAidForm, renewFirstAid } from './first-aid';
import { and, eq } from 'drizzle-orm';
import { files, trainerRecordChanges } from '../db/tables';
import type { StandingChange } from './ledger';
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

/** What a page problem belongs to: which form on the record page. */
export type RecordForm = StandingChange | 'cpd' | 'cpd-edit' | 'first-aid';

/** What the record page shows besides the record: a notice, or a form's problem with what was typed. */
export type RecordExtra = { done?: string; error?: AppError; values?: Record<string, unknown>; errorFor?: RecordForm; editing?: CpdEntryRow };

const DONE: Record<string, string> = {
  promote: 'Promoted to senior trainer. The history below records it with the reason.',
  suspend: 'Suspended. The register and the verification page now show the trainer as suspended.',
  reinstate: 'Reinstated. The register shows the trainer’s standing from their certificate again.',
  'cpd-added': 'CPD entry added to your log.',
  'cpd-edited': 'CPD entry saved.',
  'cpd-deleted': 'CPD entry deleted. The history keeps a line saying what it was.',
  'first-aid': 'First aid (ILS) expiry recorded. The register and the expiry reminders use the new date.',
};

const doneQuery = z.object({ done: z.enum(Object.keys(DONE) as [string, ...string[]]).optional() });

const REASON: Record<StandingChange, string> = {
  promote: 'Give the reason for promoting this trainer (at least 10 characters)',
  suspend: 'Give the reason for suspending this trainer (at least 10 characters)',
  reinstate: 'Give the reason for reinstating this trainer (at least 10 characters)',
};
const reasonForm = (change: StandingChange) => formOf(z.strictObject({ reason: text(1000, 10).meta({ label: 'reason', missing: REASON[change] }) }));

/** Mounts the trainer record pages. */
export function recordRoutes(registry: RouteRegistry, ctx: AppContext) {
  const trainers = registry.router('/organisations/:organisationId/trainers');
  const mine = registry.router('/trainers');

  async function renderRecord(res: Response, actor: Actor, subject: TrainerSubject, extra: RecordExtra = {}) {
    const record = presentRecord(await recordOrNotFound(ctx.db, subject), actor);
    const done = extra.done ? (DONE[extra.done] ?? extra.done) : undefined;
    const typed = (form: RecordForm) => (extra.errorFor === form ? (extra.values ?? {}) : {});
    const e = extra.editing;
    const editing = e && {
      action: `${record.href}/cpd/${e.id}`,
      fileName: e.fileName,
      form: { doneOn: e.doneOn, hours: String(Number(e.hours)), activity: e.activity, reflection: e.reflection, ...typed('cpd-edit') },
    };
    res.render('register/record', {
      title: record.own ? 'My trainer record' : `Trainer record — ${record.name}`,
      record,
      done,
      error: extra.error,
      errorFor: extra.errorFor,
      values: extra.values ?? {},
      today: londonDate(new Date()),
      cpdForm: typed('cpd'),
      firstAidForm: typed('first-aid'),
      editing,
    });
  }

  trainers.get('/:userId', { summary: 'A trainer’s record: level, standing, certificates, refresher, first aid, CPD log and history of changes', query: doneQuery, authorize: onTrainer(ctx.db, 'trainer:view') }, async ({ actor, subject, query }, _req, res) => {
    await renderRecord(res, actor, subject, { done: query.done });
  });

  const changes: [StandingChange, string][] = [
    ['promote', 'Promote an associate trainer to senior trainer, with a reason (admins; form)'],
    ['suspend', 'Suspend a trainer from delivering, with a reason (admins; form)'],
    ['reinstate', 'Reinstate a suspended trainer, with a reason (admins; form)'],
  ];
  for (const [change, summary] of changes) {
    trainers.form(
      `/:userId/${change}`,
      { summary, body: reasonForm(change), authorize: onTrainer(ctx.db, 'trainer:manage'), rerender: (_req, res, { error, values, actor, subject }) => renderRecord(res, actor, subject, { error, values, errorFor: change }) },
      async ({ body, actor, subject }) => {
        await recordOrNotFound(ctx.db, subject);
        await changeStanding(ctx, actor.id, subject, change, body.reason);
        return seeOther(`${recordHref(subject.organisationId, subject.userId)}?done=${change}#standing-h`);
      },
    );
  }

  const entryOf = async (subject: TrainerSubject, entryId: string) => cpdEntryOf(ctx.db, entryId, (await recordOrNotFound(ctx.db, subject)).entry.recordId);
  const uploaded = (req: Request) => (Array.isArray(req.files) ? req.files : []);

  trainers.form(
    '/:userId/cpd',
    {
      summary: 'The trainer adds a CPD entry to their log: date, hours, activity, reflection, optional evidence file (form; one file in `files`)',
      body: cpdForm,
      multipart: true,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      authorize: onTrainer(ctx.db, 'trainer:keep'),
      rerender: (_req, res, { error, values, actor, subject }) => renderRecord(res, actor, subject, { error, values, errorFor: 'cpd' }),
    },
    async ({ body, actor, subject }, req) => {
      await recordOrNotFound(ctx.db, subject);
      await addCpd(ctx, actor, subject, body, uploaded(req));
      return seeOther(`${recordHref(subject.organisationId, subject.userId)}?done=cpd-added#cpd-h`);
    },
  );

  trainers.get('/:userId/cpd/:entryId/edit', { summary: 'The trainer edits one of their CPD entries (the record page with the entry’s form)', authorize: onTrainer(ctx.db, 'trainer:keep') }, async ({ actor, subject, params }, _req, res) => {
    await renderRecord(res, actor, subject, { editing: await entryOf(subject, params.entryId) });
  });

  trainers.form(
    '/:userId/cpd/:entryId',
    {
      summary: 'The trainer saves an edited CPD entry; a new file replaces the evidence, none keeps it (form; one file in `files`)',
      body: cpdForm,
      multipart: true,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      authorize: onTrainer(ctx.db, 'trainer:keep'),
      rerender: async (_req, res, { error, values, actor, subject, params }) => renderRecord(res, actor, subject, { error, values, errorFor: 'cpd-edit', editing: await entryOf(subject, params.entryId) }),
    },
    async ({ body, actor, subject, params }, req) => {
      await editCpd(ctx, actor, await entryOf(subject, params.entryId), body, uploaded(req));
      return seeOther(`${recordHref(subject.organisationId, subject.userId)}?done=cpd-edited#cpd-h`);
    },
  );

  trainers.form('/:userId/cpd/:entryId/delete', { summary: 'The trainer deletes one of their CPD entries (form)', authorize: onTrainer(ctx.db, 'trainer:keep') }, async ({ actor, subject, params }) => {
    await deleteCpd(ctx, actor, await entryOf(subject, params.entryId));
    return seeOther(`${recordHref(subject.organisationId, subject.userId)}?done=cpd-deleted#cpd-h`);
  });


  trainers.get(
    '/:userId/cpd/:entryId/file',
    { summary: 'The evidence file of a CPD entry, as a download (the trainer, their lead, admins)', produces: 'application/octet-stream', authorize: onTrainer(ctx.db, 'trainer:view') },
    async ({ subject, params }, _req, res) => {
      const entry = await entryOf(subject, params.entryId);
      await sendStoredFile(ctx.storage, res, { key: entry.fileKey, name: entry.fileName, type: entry.fileType });
    },
  );

  trainers.form(
    '/:userId/first-aid',
    {
      summary: 'The trainer records a renewed first aid (ILS) certificate: the new expiry date with evidence (form; one file in `files`, or a described document)',
      body: firstAidForm,
      multipart: true,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      authorize: onTrainer(ctx.db, 'trainer:keep'),
      rerender: (_req, res, { error, values, actor, subject }) => renderRecord(res, actor, subject, { error, values, errorFor: 'first-aid' }),
    },
    async ({ body, actor, subject }, req) => {
      await recordOrNotFound(ctx.db, subject);
      await renewFirstAid(ctx, actor, subject, body, uploaded(req));
      return seeOther(`${recordHref(subject.organisationId, subject.userId)}?done=first-aid#standing-h`);
    },
  );

  trainers.get(
    '/:userId/changes/:changeId/file',
    { summary: 'The evidence file of a change in a trainer record’s history (a renewed first aid certificate), as a download', produces: 'application/octet-stream', authorize: onTrainer(ctx.db, 'trainer:view') },
    async ({ subject, params }, _req, res) => {
      const { entry } = await recordOrNotFound(ctx.db, subject);
      const [change] = entry.recordId
        ? await ctx.db
            .select({ key: files.storageKey, name: files.displayName, type: files.mimeType })
            .from(trainerRecordChanges)
            .innerJoin(files, eq(files.id, trainerRecordChanges.fileId))
            .where(and(eq(trainerRecordChanges.id, params.changeId), eq(trainerRecordChanges.trainerRecordId, entry.recordId)))
        : [];
      if (!change) throw new NotFoundError('That file');
      await sendStoredFile(ctx.storage, res, change);
    },
  );

  mine.get('/mine', { summary: 'My trainer records: straight to the one, or a list when on several organisations’ registers', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    const entries = await recordsOfPerson(ctx.db, actor.id);
    if (entries.length === 1) return res.redirect(303, recordHref(entries[0].organisationId, actor.id));
    res.render('register/mine', { title: 'My trainer records', entries: entries.map((e) => ({ organisationName: e.organisationName, statusWords: STATUS_WORDS[e.status], statusStyle: `status-${e.status}`, href: recordHref(e.organisationId, actor.id) })) });
  });
  return [trainers, mine];
}
