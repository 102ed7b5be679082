/** The introduction page (meeting, join link, invite), the mentor's schedule and register, and the JSON API. */
import { and, eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { authorize, can, candidateStage, cohortPeople, isoDate, NotFoundError, parse, refuseOwnRecord, unmetReasons, ValidationError, type CadreRouter, type StageContext, type StageRuntime } from '../../server/modules/kit';
import { emitAttendance, scheduleMeeting, takeRegister } from './commands';
import { buildIcs } from './ics';
import { zoomIntroAttendance, zoomIntroMeetings } from './schema';
import { isTimeZone, spokenDateTime, zonedParts, zonedToUtc } from './time';

const KEY = 'zoom-intro';

const schedule = z.object({
  date: isoDate,
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (24-hour)'),
  timezone: z.string().refine(isTimeZone, 'must be a time zone such as Europe/London'),
  durationMinutes: z.coerce.number({ message: 'must be a number of minutes' }).int().min(15, 'must be at least 15 minutes').max(480).default(60),
  joinUrl: z.url({ message: 'must be the full meeting link, starting https://' }).refine((u) => u.startsWith('https://'), 'must start with https://').pipe(z.string().max(500)),
  zoomMeetingId: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d{9,12}$/, 'must be the 9–12 digit Zoom meeting ID').optional()),
});

const register = z.object({ present: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.uuid())) });

async function meetingOf(ctx: StageRuntime, stageId: string) {
  const [m] = await ctx.db.select().from(zoomIntroMeetings).where(eq(zoomIntroMeetings.cohortStageId, stageId));
  return m;
}

function present(m: Awaited<ReturnType<typeof meetingOf>>) {
  if (!m) return null;
  return { id: m.id, startsAt: m.startsAt.toISOString(), durationMinutes: m.durationMinutes, timezone: m.timezone, joinUrl: m.joinUrl, zoomMeetingId: m.zoomMeetingId, when: spokenDateTime(m.startsAt, m.timezone) };
}

async function doSchedule(ctx: StageRuntime, s: StageContext, body: unknown) {
  authorize(s.actor, 'zoom-intro:schedule', { type: 'cohort', cohort: s.cohort });
  const input = parse(schedule, body, 'meeting');
  return scheduleMeeting(ctx.db, s.actor.id, s.stage.id, { startsAt: zonedToUtc(input.date, input.time, input.timezone), durationMinutes: input.durationMinutes, timezone: input.timezone, joinUrl: input.joinUrl, zoomMeetingId: input.zoomMeetingId ?? null });
}

async function doRegister(ctx: StageRuntime, s: StageContext, presentIds: string[]) {
  authorize(s.actor, 'zoom-intro:register', { type: 'cohort', cohort: s.cohort });
  refuseOwnRecord(s.actor, presentIds, 'your own attendance');
  // A mentor who is also a candidate leaves their own row as it is: someone else takes it.
  const people = (await cohortPeople(ctx.db, s.cohort.id, 'candidate')).filter((p) => p.userId !== s.actor.id);
  const known = new Set(people.map((p) => p.userId));
  const stray = presentIds.filter((id) => !known.has(id));
  if (stray.length) throw new ValidationError('Someone on that register is not a candidate of this cohort.', [{ field: 'present', message: 'not a candidate of this cohort' }]);
  const events = await takeRegister(ctx.db, s.actor.id, s.cohort.id, s.stage.id, people.map((p) => ({ candidateId: p.userId, present: presentIds.includes(p.userId) })));
  emitAttendance(ctx, events);
  return events;
}

/** Page routes under /cohorts/:cohortId/stages/zoom-intro. */
export function pageRoutes(r: CadreRouter, ctx: StageRuntime): void {
  const render = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const s = await ctx.stage.request(req);
    const m = await meetingOf(ctx, s.stage.id);
    const base = { title: s.stage.title, cohort: s.cohort, stage: s.stage, meeting: present(m), saved: req.query.saved === '1', ...extra };
    if (s.isCandidate) {
      const progress = await candidateStage(ctx, s.cohort.id, s.actor.id, KEY);
      const [mine] = await ctx.db.select().from(zoomIntroAttendance).where(and(eq(zoomIntroAttendance.cohortStageId, s.stage.id), eq(zoomIntroAttendance.candidateId, s.actor.id)));
      return void res.render(ctx.view('page'), { ...base, progress, locked: progress?.status === 'locked', reasons: progress ? unmetReasons(progress) : [], attended: mine?.present ?? false });
    }
    if (!s.isStaff) throw new NotFoundError('That stage');
    const people = await cohortPeople(ctx.db, s.cohort.id, 'candidate');
    const rows = await ctx.db.select().from(zoomIntroAttendance).where(eq(zoomIntroAttendance.cohortStageId, s.stage.id));
    const byCandidate = new Map(rows.map((a) => [a.candidateId, a]));
    const tz = m?.timezone ?? 'Europe/London';
    res.render(ctx.view('staff'), {
      ...base,
      canSchedule: can(s.actor, 'zoom-intro:schedule', { type: 'cohort', cohort: s.cohort }),
      canRegister: can(s.actor, 'zoom-intro:register', { type: 'cohort', cohort: s.cohort }),
      form: m ? { ...zonedParts(m.startsAt, tz), timezone: tz, durationMinutes: m.durationMinutes, joinUrl: m.joinUrl, zoomMeetingId: m.zoomMeetingId ?? '' } : { date: s.stage.startsOn ?? '', time: '14:00', timezone: 'Europe/London', durationMinutes: 60, joinUrl: '', zoomMeetingId: '' },
      timezones: Intl.supportedValuesOf('timeZone'),
      candidates: people.map((p) => {
        const a = byCandidate.get(p.userId);
        return { ...p, present: a?.present ?? false, source: a?.source ?? null, joinedAt: a?.joinedAt ?? null, leftAt: a?.leftAt ?? null, recorded: !!a };
      }),
    });
  };

  r.get('/', (req, res) => render(req, res));

  r.post('/meeting', async (req, res) => {
    const s = await ctx.stage.request(req);
    try {
      await doSchedule(ctx, s, req.body);
    } catch (err) {
      if (err instanceof ValidationError) return render(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
    res.redirect(303, `/cohorts/${s.cohort.id}/stages/${KEY}?saved=1`);
  });

  r.post('/register', async (req, res) => {
    const s = await ctx.stage.request(req);
    await doRegister(ctx, s, parse(register, req.body, 'register').present);
    res.redirect(303, `/cohorts/${s.cohort.id}/stages/${KEY}?saved=1`);
  });

  r.get('/invite.ics', async (req, res) => {
    const s = await ctx.stage.request(req);
    const m = await meetingOf(ctx, s.stage.id);
    if (!m) throw new NotFoundError('That meeting');
    const ics = buildIcs({
      uid: `${m.id}@cadre`,
      sequence: m.sequence,
      start: m.startsAt,
      minutes: m.durationMinutes,
      summary: `${s.stage.title}: ${s.cohort.name}`,
      description: `Your introduction meeting for ${s.cohort.name}, with your mentors. Join on Zoom: ${m.joinUrl}`,
      location: m.joinUrl,
      url: m.joinUrl,
      stamp: m.updatedAt,
    });
    res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="introduction.ics"');
    res.send(ics);
  });
}

/** JSON routes under /api/v1/cohorts/:cohortId/stages/zoom-intro. */
export function apiRoutes(r: CadreRouter, ctx: StageRuntime): void {
  const tags = ['zoom-intro'];
  r.get('/meeting', { summary: 'The introduction meeting of this cohort (null when not scheduled)', tags }, async (req, res) => {
    const s = await ctx.stage.request(req);
    res.json({ meeting: present(await meetingOf(ctx, s.stage.id)) });
  });
  r.put('/meeting', { summary: 'Schedule or reschedule the introduction meeting (mentor)', tags, body: schedule }, async (req, res) => {
    const s = await ctx.stage.request(req);
    res.json({ meeting: present(await doSchedule(ctx, s, req.body)) });
  });
  r.post('/register', { summary: 'Take the register: the candidates present (everyone else absent)', tags, body: register }, async (req, res) => {
    const s = await ctx.stage.request(req);
    const events = await doRegister(ctx, s, parse(register, req.body, 'register').present);
    res.json({ attendance: events.map((e) => ({ candidateId: e.candidateId, present: e.present, source: e.source })) });
  });
}
