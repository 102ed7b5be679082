/** Transfer-week JSON API: days, registers and trainer-role moments. Each route authorises once (`rt.stage.on…`), its
 * body is parsed with the schema the OpenAPI document shows, and it answers through a presenter. */
import { can, cohortPeople, reply, type StageApi, type StageRuntime } from '../../server/modules/kit';
import { dayInput, decisionInput, momentInput, registerInput, returnInput } from './inputs';
import { decideMoment, getDay, getMoment, logMoment, reviseMoment, saveRegister, scheduleDay } from './commands';
import { presentDay, presentMoment, presentRegister, presentWeek } from './present';
import { listDays, listMoments, registerRows, standings } from './queries';

const tags = ['transfer-week'];

/** Mounts the transfer-week API. */
export function transferWeekApi(r: StageApi, rt: StageRuntime): void {
  const { db } = rt;
  const day = rt.stage.onRow('transfer-week:register', (stage, { params }: { params: { cohortId: string; dayId: string } }) => getDay(rt, stage, params.dayId));
  const moment = (action: 'transfer-week:log-moment' | 'transfer-week:confirm') =>
    rt.stage.onRecordOf(action, (stage, { params }: { params: { cohortId: string; momentId: string } }) => getMoment(rt, stage, params.momentId));

  r.get('/', { summary: 'Transfer week: days, moments and standings (a candidate sees their own)', tags, authorize: rt.stage.on('transfer-week:view') }, async ({ actor, subject: { cohort, stage } }) => {
    const seeAll = can(actor, 'transfer-week:see-all', { type: 'cohort', cohort });
    const days = await listDays(db, stage.id);
    const moments = await listMoments(db, stage.id, seeAll ? undefined : actor.id);
    const ids = seeAll ? (await cohortPeople(db, cohort.id, 'candidate')).map((p) => p.userId) : [actor.id];
    return reply(presentWeek(actor, cohort, stage, days, moments, await standings(db, stage, ids)));
  });

  r.post(
    '/days',
    { summary: 'Schedule an in-person transfer-week day', tags, body: dayInput, success: { status: 201, description: 'The day' }, authorize: rt.stage.on('transfer-week:schedule') },
    async ({ body, actor, subject: { stage } }) => reply(presentDay(await scheduleDay(rt, actor.id, stage, body))),
  );

  r.get('/days/:dayId/register', { summary: "A day's register: every candidate with their mark", tags, authorize: day }, async ({ subject: { cohort, row } }) =>
    reply(presentRegister(row, await registerRows(db, cohort.id, row.id))),
  );

  r.put('/days/:dayId/register', { summary: "Save a day's register (present, late or absent per candidate)", tags, body: registerInput, authorize: day }, async ({ body, actor, subject: { cohort, stage, row } }) => {
    const saved = await saveRegister(rt, actor.id, stage, row.id, body.marks.map((m, i) => ({ ...m, field: `marks.${i}.candidateId` })));
    return reply(presentRegister(row, await registerRows(db, cohort.id, row.id), saved));
  });

  r.post(
    '/moments',
    {
      summary: 'Log a trainer-role moment (the segment led and a reflection on how it went)',
      tags,
      body: momentInput,
      success: { status: 201, description: 'The moment, waiting for a mentor' },
      authorize: rt.stage.onSelf('transfer-week:log-moment'),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await rt.stage.assertOpenFor(cohort.id, actor.id);
      return reply(presentMoment(actor, cohort, await logMoment(rt, actor.id, stage, body)));
    },
  );

  r.put('/moments/:momentId', { summary: 'Revise your own trainer-role moment (not once confirmed)', tags, body: momentInput, authorize: moment('transfer-week:log-moment') }, async ({ body, actor, subject: { cohort, stage, row } }) => {
    await rt.stage.assertOpenFor(cohort.id, actor.id);
    return reply(presentMoment(actor, cohort, await reviseMoment(rt, actor.id, stage, row.id, body)));
  });

  r.post('/moments/:momentId/confirm', { summary: "Confirm a candidate's trainer-role moment (mentor)", tags, body: decisionInput, authorize: moment('transfer-week:confirm') }, async ({ body, actor, subject: { cohort, stage, row } }) =>
    reply(presentMoment(actor, cohort, await decideMoment(rt, actor.id, stage, row.id, 'confirmed', body.comment))),
  );

  r.post(
    '/moments/:momentId/return',
    { summary: 'Return a trainer-role moment to the candidate with a comment (mentor)', tags, body: returnInput, authorize: moment('transfer-week:confirm') },
    async ({ body, actor, subject: { cohort, stage, row } }) => reply(presentMoment(actor, cohort, await decideMoment(rt, actor.id, stage, row.id, 'returned', body.comment))),
  );
}
