/** Transfer-week JSON API: days, registers and trainer-role moments. */
import type { Request } from 'express';
import { authorize, can, cohortPeople, parse, pathId, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { dayInput, decisionInput, momentInput, registerInput, returnInput } from './inputs';
import { decideMoment, getDay, getMoment, logMoment, reviseMoment, saveRegister, scheduleDay } from './commands';
import { listDays, listMoments, registerRows, standings } from './queries';

const tags = ['transfer-week'];

/** Mounts the transfer-week API. */
export function transferWeekApi(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;

  const context = (req: Request) => rt.stage.context(req);

  r.get('/', { summary: 'Transfer week: days, moments and standings (a candidate sees their own)', tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const seeAll = can(actor, 'transfer-week:see-all', { type: 'cohort', cohort });
    const days = await listDays(db, stage.id);
    const moments = await listMoments(db, stage.id, seeAll ? undefined : actor.id);
    const ids = seeAll ? (await cohortPeople(db, cohort.id, 'candidate')).map((p) => p.userId) : [actor.id];
    const standing = await standings(db, stage, ids);
    res.json({
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      days: days.map((d) => ({ id: d.id, day: d.day, venue: d.venue, notes: d.notes, present: d.present, late: d.late, absent: d.absent })),
      moments,
      standings: [...standing].map(([candidateId, s]) => ({ candidateId, days: s.days, moments: s.moments })),
    });
  });

  r.post('/days', { summary: 'Schedule an in-person transfer-week day', tags, body: dayInput, success: { status: 201, description: 'The day' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:schedule', { type: 'cohort', cohort });
    const day = await scheduleDay(rt, actor.id, stage, parse(dayInput, req.body));
    res.status(201).json({ day });
  });

  r.get('/days/:dayId/register', { summary: "A day's register: every candidate with their mark", tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:register', { type: 'cohort', cohort });
    const day = await getDay(rt, stage, pathId(req.params.dayId, 'That transfer-week day'));
    res.json({ day, rows: await registerRows(db, cohort.id, day.id) });
  });

  r.put('/days/:dayId/register', { summary: "Save a day's register (present, late or absent per candidate)", tags, body: registerInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:register', { type: 'cohort', cohort });
    const day = await getDay(rt, stage, pathId(req.params.dayId, 'That transfer-week day'));
    const { marks } = parse(registerInput, req.body, 'register');
    const saved = await saveRegister(rt, actor.id, stage, day.id, marks.map((m, i) => ({ ...m, field: `marks.${i}.candidateId` })));
    res.json({ saved, rows: await registerRows(db, cohort.id, day.id) });
  });

  r.post('/moments', { summary: 'Log a trainer-role moment (the segment led and a reflection on how it went)', tags, body: momentInput, success: { status: 201, description: 'The moment, waiting for a mentor' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:log-moment', { type: 'candidate', cohort, candidateId: actor.id });
    await rt.stage.assertOpenFor(cohort.id, actor.id);
    const moment = await logMoment(rt, actor.id, stage, parse(momentInput, req.body, 'moment'));
    res.status(201).json({ moment });
  });

  r.put('/moments/:momentId', { summary: 'Revise your own trainer-role moment (not once confirmed)', tags, body: momentInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'transfer-week:log-moment', { type: 'candidate', cohort, candidateId: actor.id });
    await rt.stage.assertOpenFor(cohort.id, actor.id);
    const moment = await reviseMoment(rt, actor.id, stage, pathId(req.params.momentId, 'That trainer-role moment'), parse(momentInput, req.body, 'moment'));
    res.json({ moment });
  });

  r.post('/moments/:momentId/confirm', { summary: "Confirm a candidate's trainer-role moment (mentor)", tags, body: decisionInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const moment = await getMoment(rt, stage, pathId(req.params.momentId, 'That trainer-role moment'));
    authorize(actor, 'transfer-week:confirm', { type: 'candidate', cohort, candidateId: moment.candidateId });
    const { comment } = parse(decisionInput, req.body, 'decision');
    res.json({ moment: await decideMoment(rt, actor.id, stage, moment.id, 'confirmed', comment) });
  });

  r.post('/moments/:momentId/return', { summary: 'Return a trainer-role moment to the candidate with a comment (mentor)', tags, body: returnInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const moment = await getMoment(rt, stage, pathId(req.params.momentId, 'That trainer-role moment'));
    authorize(actor, 'transfer-week:confirm', { type: 'candidate', cohort, candidateId: moment.candidateId });
    const { comment } = parse(returnInput, req.body, 'decision');
    res.json({ moment: await decideMoment(rt, actor.id, stage, moment.id, 'returned', comment) });
  });
}
