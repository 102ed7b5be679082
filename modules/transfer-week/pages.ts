/** Transfer-week pages: the stage page (days, moments, standings), the tablet day register, and their forms. */
import type { Request, Response } from 'express';
import { authorize, can, cohortPeople, formAction, formBody, parse, pathId, ValidationError, type AppError, type CadreRouter, type FieldProblem, type StageRuntime } from '../../server/modules/kit';
import type { AttendanceMark } from './schema';
import { dayInput, decisionInput, mark, momentInput, returnInput } from './inputs';
import { decideMoment, getDay, getMoment, logMoment, reviseMoment, saveRegister, scheduleDay } from './commands';
import { listDays, listMoments, marksOf, registerRows, standings } from './queries';

/** Reads `mark-<candidateId>` radio fields; names every field that is not one, or has a value that is not a mark. */
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
  if (problems.length) throw new ValidationError(`The register has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.map((p) => `${p.field} — ${p.message}`).join('; ')}`, problems);
  return marks;
}

/** Mounts the transfer-week pages. */
export function transferWeekPages(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;

  const context = (req: Request) => rt.stage.context(req);

  async function renderStage(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const { actor, cohort, stage } = await context(req);
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
      const [marks, moments, standing] = await Promise.all([marksOf(db, stage.id, actor.id), listMoments(db, stage.id, actor.id), standings(db, stage, [actor.id])]);
      const markOf = new Map(marks.map((m) => [m.dayId, m.mark]));
      mine = { lock: await rt.stage.lockReason(cohort.id, actor.id), days: days.map((d) => ({ ...d, mark: markOf.get(d.id) ?? null })), moments, standing: standing.get(actor.id) };
    }
    let staff: Record<string, unknown> | undefined;
    if (flags.seeAll) {
      const [people, moments] = await Promise.all([cohortPeople(db, cohort.id, 'candidate'), listMoments(db, stage.id)]);
      const standing = await standings(db, stage, people.map((p) => p.userId));
      staff = {
        candidates: people.map((p) => ({ id: p.userId, name: p.name, ...standing.get(p.userId) })),
        waiting: moments.filter((m) => m.status === 'submitted'),
        decided: moments.filter((m) => m.status !== 'submitted'),
      };
    }
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, days, mine, staff, can: flags, saved: req.query.saved, ...extra });
  }

  r.get('/', (req, res) => renderStage(req, res));

  r.post('/days', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:schedule', { type: 'cohort', cohort });
    await formAction(
      res,
      async () => {
        await scheduleDay(rt, actor.id, stage, parse(dayInput, formBody(req), 'day form'));
        return `${base(cohort.id)}?saved=day`;
      },
      (error: AppError) => renderStage(req, res, { dayError: error, dayForm: req.body }),
    );
  });

  async function renderRegister(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:register', { type: 'cohort', cohort });
    const day = await getDay(rt, stage, pathId(req.params.dayId, 'That transfer-week day'));
    const rows = await registerRows(db, cohort.id, day.id);
    res.render(rt.view('register'), { title: `Register — ${day.venue}`, cohort, stage, day, rows, saved: req.query.saved === '1', ...extra });
  }

  r.get('/days/:dayId/register', (req, res) => renderRegister(req, res));

  r.post('/days/:dayId/register', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:register', { type: 'cohort', cohort });
    const day = await getDay(rt, stage, pathId(req.params.dayId, 'That transfer-week day'));
    await formAction(
      res,
      async () => {
        const marks = readRegisterForm(formBody(req));
        if (!marks.length) return `${base(cohort.id)}/days/${day.id}/register`;
        await saveRegister(rt, actor.id, stage, day.id, marks);
        return `${base(cohort.id)}/days/${day.id}/register?saved=1`;
      },
      (error: AppError) => renderRegister(req, res, { error }),
    );
  });

  r.post('/moments', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:log-moment', { type: 'candidate', cohort, candidateId: actor.id });
    await rt.stage.assertOpenFor(cohort.id, actor.id);
    await formAction(
      res,
      async () => {
        await logMoment(rt, actor.id, stage, parse(momentInput, formBody(req), 'moment form'));
        return `${base(cohort.id)}?saved=moment`;
      },
      (error: AppError) => renderStage(req, res, { momentError: error, momentForm: req.body }),
    );
  });

  r.post('/moments/:momentId', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:log-moment', { type: 'candidate', cohort, candidateId: actor.id });
    await rt.stage.assertOpenFor(cohort.id, actor.id);
    const momentId = pathId(req.params.momentId, 'That trainer-role moment');
    await formAction(
      res,
      async () => {
        await reviseMoment(rt, actor.id, stage, momentId, parse(momentInput, formBody(req), 'moment form'));
        return `${base(cohort.id)}?saved=moment`;
      },
      (error: AppError) => renderStage(req, res, { reviseError: error, reviseId: momentId }),
    );
  });

  for (const decision of ['confirm', 'return'] as const) {
    r.post(`/moments/:momentId/${decision}`, async (req, res) => {
      const { actor, cohort, stage } = await context(req);
      const moment = await getMoment(rt, stage, pathId(req.params.momentId, 'That trainer-role moment'));
      authorize(actor, 'transfer-week:confirm', { type: 'candidate', cohort, candidateId: moment.candidateId });
      await formAction(
        res,
        async () => {
          const { comment } = parse(decision === 'confirm' ? decisionInput : returnInput, formBody(req), 'decision');
          await decideMoment(rt, actor.id, stage, moment.id, decision === 'confirm' ? 'confirmed' : 'returned', comment);
          return `${base(cohort.id)}?saved=${decision}`;
        },
        (error: AppError) => renderStage(req, res, { decisionError: error, decisionId: moment.id }),
      );
    });
  }
}
