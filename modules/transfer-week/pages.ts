/** Transfer-week pages: the stage page (days, moments, standings), the tablet day register, and their forms. */
import type { Response } from 'express';
import { z } from 'zod';
import { can, cohortPeople, formOf, invalid, seeOther, ValidationError, type Actor, type FieldProblem, type StageCandidateSubject, type StagePages, type StageRuntime, type StageSubject } from '../../server/modules/kit';
import type { AttendanceMark } from './schema';
import { dayInput, decisionInput, mark, momentInput, returnInput } from './inputs';
import { decideMoment, getDay, getMoment, logMoment, mayDecide, mayRevise, reviseMoment, saveRegister, scheduleDay } from './commands';
import { listDays, listMoments, marksOf, registerRows, standings } from './queries';

/** Reads `mark-<candidateId>` radio fields; names every field that is not one, or has a value that is not a mark (the
 * register form's schema below runs it, so the route parses the form once, at the edge). */
export function readRegisterForm(body: Record<string, unknown>): { field: string; candidateId: string; mark: AttendanceMark }[] {
  const problems: FieldProblem[] = [];
  const marks: { field: string; candidateId: string; mark: AttendanceMark }[] = [];
  for (const [field, value] of Object.entries(body)) {
    const m = /^mark-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(field);
    if (!m) {
      problems.push({ field, message: 'is not a field of the register' });
      continue;
    }
    const parsed = mark.safeParse(value);
    if (parsed.success) marks.push({ field, candidateId: m[1], mark: parsed.data });
    else problems.push({ field, message: 'must be present, late or absent' });
  }
  if (problems.length) throw invalid(problems);
  return marks;
}

/** The register form as the router parses it (and the OpenAPI document shows): `mark-<candidateId>` → a mark. */
export const registerForm = z
  .record(z.string(), z.unknown())
  .describe('One field per candidate: mark-<candidateId> = present, late or absent')
  .transform((fields, zctx) => {
    try {
      return readRegisterForm(fields);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const f of err.fields) zctx.addIssue({ code: 'custom', path: [f.field], message: f.message });
      return z.NEVER;
    }
  });

const pageQuery = z.object({ saved: z.string().max(40).optional() });

/** Mounts the transfer-week pages. */
export function transferWeekPages(r: StagePages, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;
  const day = (action: 'transfer-week:register') => rt.stage.onRow(action, (stage, { params }: { params: { cohortId: string; dayId: string } }) => getDay(rt, stage, params.dayId));
  const moment = (action: 'transfer-week:log-moment' | 'transfer-week:confirm') =>
    rt.stage.onRecordOf(action, (stage, { params }: { params: { cohortId: string; momentId: string } }) => getMoment(rt, stage, params.momentId));

  /** The stage page; the route authorised the actor on the cohort (or on a record in it). */
  async function renderStage(res: Response, actor: Actor, s: StageSubject | StageCandidateSubject, extra: Record<string, unknown> = {}) {
    const { cohort, stage } = s;
    const subject = { type: 'cohort' as const, cohort };
    const self = { type: 'candidate' as const, cohort, candidateId: actor.id };
    const flags = {
      schedule: can(actor, 'transfer-week:schedule', subject),
      register: can(actor, 'transfer-week:register', subject),
      confirm: can(actor, 'transfer-week:confirm', subject),
      logMoment: can(actor, 'transfer-week:log-moment', self),
      seeAll: can(actor, 'transfer-week:see-all', subject),
    };
    const days = await listDays(db, stage.id);
    let mine: Record<string, unknown> | undefined;
    if (flags.logMoment) {
      const [marks, moments, standing, lock] = await Promise.all([marksOf(db, stage.id, actor.id), listMoments(db, stage.id, actor.id), standings(db, stage, [actor.id]), rt.stage.lockReason(cohort.id, actor.id)]);
      const markOf = new Map(marks.map((m) => [m.dayId, m.mark]));
      // Logging and revising are refused while the stage is locked for the candidate (assertOpenFor): no form then.
      const open = lock === null;
      mine = { lock, days: days.map((d) => ({ ...d, mark: markOf.get(d.id) ?? null })), moments: moments.map((m) => ({ ...m, canRevise: open && m.status === 'returned' && mayRevise(m.status) })), standing: standing.get(actor.id), canLog: open };
    }
    let staff: Record<string, unknown> | undefined;
    if (flags.seeAll) {
      const [people, moments] = await Promise.all([cohortPeople(db, cohort.id, 'candidate'), listMoments(db, stage.id)]);
      const standing = await standings(db, stage, people.map((p) => p.userId));
      staff = {
        candidates: people.map((p) => ({ id: p.userId, name: p.name, ...standing.get(p.userId) })),
        // Confirm/return only where decideMoment accepts it, and never on the mentor's own record (the route's grant).
        waiting: moments
          .filter((m) => m.status === 'submitted')
          .map((m) => ({ ...m, own: m.candidateId === actor.id, canDecide: mayDecide(m.status, 'confirmed') && can(actor, 'transfer-week:confirm', { type: 'candidate', cohort, candidateId: m.candidateId }) })),
        decided: moments.filter((m) => m.status !== 'submitted'),
      };
    }
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, days, mine, staff, can: flags, ...extra });
  }

  r.get('/', { summary: 'Transfer week: the days, your moments and standing; the register and decisions for mentors', query: pageQuery, authorize: rt.stage.on('transfer-week:view') }, ({ actor, subject, query }, _req, res) =>
    renderStage(res, actor, subject, { saved: query.saved }),
  );

  r.form(
    '/days',
    {
      summary: 'Schedule an in-person day (form)',
      body: formOf(dayInput),
      authorize: rt.stage.on('transfer-week:schedule'),
      rerender: (_req, res, { error, values, actor, subject }) => renderStage(res, actor, subject, { dayError: error, dayForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await scheduleDay(rt, actor.id, stage, body);
      return seeOther(`${base(cohort.id)}?saved=day`);
    },
  );

  type DaySubject = StageSubject & { row: Awaited<ReturnType<typeof getDay>> };
  async function renderRegister(res: Response, s: DaySubject, extra: Record<string, unknown> = {}) {
    const { cohort, stage, row } = s;
    const rows = await registerRows(db, cohort.id, row.id);
    res.render(rt.view('register'), { title: `Register — ${row.venue}`, cohort, stage, day: row, rows, ...extra });
  }

  r.get('/days/:dayId/register', { summary: "A day's register on a tablet (mentor)", query: pageQuery, authorize: day('transfer-week:register') }, ({ subject, query }, _req, res) =>
    renderRegister(res, subject, { saved: query.saved === '1' }),
  );

  r.form(
    '/days/:dayId/register',
    { summary: "Save a day's register (form)", body: registerForm, authorize: day('transfer-week:register'), rerender: (_req, res, { error, subject }) => renderRegister(res, subject, { error }) },
    async ({ body: marks, actor, subject: { cohort, stage, row } }) => {
      if (!marks.length) return seeOther(`${base(cohort.id)}/days/${row.id}/register`);
      await saveRegister(rt, actor.id, stage, row.id, marks);
      return seeOther(`${base(cohort.id)}/days/${row.id}/register?saved=1`);
    },
  );

  r.form(
    '/moments',
    {
      summary: 'Log a trainer-role moment (form)',
      body: formOf(momentInput),
      authorize: rt.stage.onSelf('transfer-week:log-moment'),
      rerender: (_req, res, { error, values, actor, subject }) => renderStage(res, actor, subject, { momentError: error, momentForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await rt.stage.assertOpenFor(cohort.id, actor.id);
      await logMoment(rt, actor.id, stage, body);
      return seeOther(`${base(cohort.id)}?saved=moment`);
    },
  );

  r.form(
    '/moments/:momentId',
    {
      summary: 'Revise your own trainer-role moment (form)',
      body: formOf(momentInput),
      authorize: moment('transfer-week:log-moment'),
      rerender: (_req, res, { error, values, actor, subject }) => renderStage(res, actor, subject, { reviseError: error, reviseId: subject.row.id, reviseForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage, row } }) => {
      await rt.stage.assertOpenFor(cohort.id, actor.id);
      await reviseMoment(rt, actor.id, stage, row.id, body);
      return seeOther(`${base(cohort.id)}?saved=moment`);
    },
  );

  for (const decision of ['confirm', 'return'] as const) {
    r.form(
      `/moments/:momentId/${decision}`,
      {
        summary: decision === 'confirm' ? "Confirm a candidate's trainer-role moment (form)" : 'Return a trainer-role moment with a comment (form)',
        body: formOf(decision === 'confirm' ? decisionInput : returnInput),
        authorize: moment('transfer-week:confirm'),
        rerender: (_req, res, { error, values, actor, subject }) => renderStage(res, actor, subject, { decisionError: error, decisionId: subject.row.id, decisionForm: values }),
      },
      async ({ body, actor, subject: { cohort, stage, row } }) => {
        await decideMoment(rt, actor.id, stage, row.id, decision === 'confirm' ? 'confirmed' : 'returned', body.comment);
        return seeOther(`${base(cohort.id)}?saved=${decision}`);
      },
    );
  }
}
