/** The introduction page (meeting, join link, invite), the mentor's schedule and register, and the JSON API. */
import { and, eq } from 'drizzle-orm';
import type { Response } from 'express';
import { z } from 'zod';
import {
  assertWithinCohort,
  can,
  candidateStage,
  cohortPeople,
  isoDate,
  NotFoundError,
  plain,
  presenter,
  refuseOwnRecord,
  reply,
  seeOther,
  unmetReasons,
  ValidationError,
  type Actor,
  type StageApi,
  type StagePages,
  type StageRuntime,
  type StageSubject,
} from '../../server/modules/kit';
import { emitAttendance, scheduleMeeting, takeRegister } from './commands';
import { buildIcs } from './ics';
import { zoomIntroAttendance, zoomIntroMeetings } from './schema';
import { isTimeZone, spokenDateTime, zonedParts, zonedToUtc } from './time';

const KEY = 'zoom-intro';
const tags = ['zoom-intro'];

const schedule = z.object({
  date: isoDate,
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (24-hour)'),
  timezone: z.string().refine(isTimeZone, 'must be a time zone such as Europe/London'),
  durationMinutes: z.coerce.number({ message: 'must be a number of minutes' }).int().min(15, 'must be at least 15 minutes').max(480).default(60),
  joinUrl: z.url({ message: 'must be the full meeting link, starting https://' }).refine((u) => u.startsWith('https://'), 'must start with https://').pipe(z.string().max(500)),
  zoomMeetingId: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d{9,12}$/, 'must be the 9–12 digit Zoom meeting ID').optional()),
});

const register = z.object({ present: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.uuid())) });

const pageQuery = z.object({ saved: z.string().max(40).optional() });

type Meeting = typeof zoomIntroMeetings.$inferSelect;

async function meetingOf(ctx: StageRuntime, stageId: string): Promise<Meeting | undefined> {
  const [m] = await ctx.db.select().from(zoomIntroMeetings).where(eq(zoomIntroMeetings.cohortStageId, stageId));
  return m;
}

function meetingView(m: Meeting | undefined) {
  if (!m) return null;
  return { id: m.id, startsAt: m.startsAt.toISOString(), durationMinutes: m.durationMinutes, timezone: m.timezone, joinUrl: m.joinUrl, zoomMeetingId: m.zoomMeetingId, when: spokenDateTime(m.startsAt, m.timezone) };
}

/** The meeting as the API shows it, with what the caller may do about it. */
const presentMeeting = presenter((actor: Actor, subject: StageSubject, m: Meeting | undefined) => ({
  meeting: meetingView(m),
  can: { schedule: can(actor, 'zoom-intro:schedule', subject), register: can(actor, 'zoom-intro:register', subject) },
}));

async function doSchedule(ctx: StageRuntime, actor: Actor, s: StageSubject, input: z.output<typeof schedule>) {
  assertWithinCohort(s.cohort, input.date, 'date', 'That meeting');
  return scheduleMeeting(ctx.db, actor.id, s.stage.id, { startsAt: zonedToUtc(input.date, input.time, input.timezone), durationMinutes: input.durationMinutes, timezone: input.timezone, joinUrl: input.joinUrl, zoomMeetingId: input.zoomMeetingId ?? null });
}

async function doRegister(ctx: StageRuntime, actor: Actor, s: StageSubject, presentIds: string[]) {
  refuseOwnRecord(actor, presentIds, 'your own attendance');
  // A mentor who is also a candidate leaves their own row as it is: someone else takes it.
  const people = (await cohortPeople(ctx.db, s.cohort.id, 'candidate')).filter((p) => p.userId !== actor.id);
  const known = new Set(people.map((p) => p.userId));
  const stray = presentIds.filter((id) => !known.has(id));
  if (stray.length) throw new ValidationError('Someone on that register is not a candidate of this cohort.', [{ field: 'present', message: 'not a candidate of this cohort' }]);
  const events = await takeRegister(ctx.db, actor.id, s.cohort.id, s.stage.id, people.map((p) => ({ candidateId: p.userId, present: presentIds.includes(p.userId) })));
  await emitAttendance(ctx, events);
  return events;
}

/** Page routes under /cohorts/:cohortId/stages/zoom-intro. */
export function pageRoutes(r: StagePages, ctx: StageRuntime): void {
  const saved = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}?saved=1`;
  /** The stage page (the route authorised `cohort:view` or more). */
  const render = async (res: Response, actor: Actor, s: StageSubject, extra: Record<string, unknown> = {}) => {
    const { isCandidate, isStaff } = ctx.stage.standing(actor, s.cohort);
    const m = await meetingOf(ctx, s.stage.id);
    const base = { title: s.stage.title, cohort: s.cohort, stage: s.stage, meeting: meetingView(m), ...extra };
    if (isCandidate) {
      const progress = await candidateStage(ctx, s.cohort.id, actor.id, KEY);
      const [mine] = await ctx.db.select().from(zoomIntroAttendance).where(and(eq(zoomIntroAttendance.cohortStageId, s.stage.id), eq(zoomIntroAttendance.candidateId, actor.id)));
      return void res.render(ctx.view('page'), { ...base, progress, locked: progress?.status === 'locked', reasons: progress ? unmetReasons(progress) : [], attended: mine?.present ?? false });
    }
    if (!isStaff) throw new NotFoundError('That stage');
    const people = await cohortPeople(ctx.db, s.cohort.id, 'candidate');
    const rows = await ctx.db.select().from(zoomIntroAttendance).where(eq(zoomIntroAttendance.cohortStageId, s.stage.id));
    const byCandidate = new Map(rows.map((a) => [a.candidateId, a]));
    const tz = m?.timezone ?? 'Europe/London';
    res.render(ctx.view('staff'), {
      ...base,
      canSchedule: can(actor, 'zoom-intro:schedule', s),
      canRegister: can(actor, 'zoom-intro:register', s),
      form: m ? { ...zonedParts(m.startsAt, tz), timezone: tz, durationMinutes: m.durationMinutes, joinUrl: m.joinUrl, zoomMeetingId: m.zoomMeetingId ?? '' } : { date: s.stage.startsOn ?? '', time: '14:00', timezone: 'Europe/London', durationMinutes: 60, joinUrl: '', zoomMeetingId: '' },
      timezones: Intl.supportedValuesOf('timeZone'),
      candidates: people.map((p) => {
        const a = byCandidate.get(p.userId);
        return { ...p, present: a?.present ?? false, source: a?.source ?? null, joinedAt: a?.joinedAt ?? null, leftAt: a?.leftAt ?? null, recorded: !!a };
      }),
    });
  };

  r.get('/', { summary: 'The introduction: the meeting for candidates; schedule and register for mentors', query: pageQuery, authorize: ctx.stage.on('cohort:view') }, ({ actor, subject, query }, _req, res) => render(res, actor, subject, { saved: query.saved === '1' }));

  r.form(
    '/meeting',
    {
      summary: 'Schedule or reschedule the introduction meeting (form)',
      body: schedule,
      authorize: ctx.stage.on('zoom-intro:schedule'),
      rerender: (_req, res, { error, values, actor, subject }) => render(res, actor, subject, { error, form: values }),
    },
    async ({ body, actor, subject }) => {
      await doSchedule(ctx, actor, subject, body);
      return seeOther(saved(subject.cohort.id));
    },
  );

  r.form(
    '/register',
    {
      summary: 'Take the register (form): the candidates ticked are present',
      body: register,
      authorize: ctx.stage.on('zoom-intro:register'),
      rerender: (_req, res, { error, actor, subject }) => render(res, actor, subject, { error }),
    },
    async ({ body, actor, subject }) => {
    await doRegister(ctx, actor, subject, body.present);
    return seeOther(saved(subject.cohort.id));
  },
  );

  r.get('/invite.ics', { summary: 'The meeting invite (iCalendar)', produces: 'text/calendar', authorize: ctx.stage.on('cohort:view') }, async ({ subject: s }, _req, res) => {
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
export function apiRoutes(r: StageApi, ctx: StageRuntime): void {
  r.get('/meeting', { summary: 'The introduction meeting of this cohort (null when not scheduled)', tags, authorize: ctx.stage.on('cohort:view') }, async ({ actor, subject }) =>
    reply(presentMeeting(actor, subject, await meetingOf(ctx, subject.stage.id))),
  );
  r.put('/meeting', { summary: 'Schedule or reschedule the introduction meeting (mentor)', tags, body: schedule, authorize: ctx.stage.on('zoom-intro:schedule') }, async ({ body, actor, subject }) =>
    reply(presentMeeting(actor, subject, await doSchedule(ctx, actor, subject, body))),
  );
  r.post('/register', { summary: 'Take the register: the candidates present (everyone else absent)', tags, body: register, authorize: ctx.stage.on('zoom-intro:register') }, async ({ body, actor, subject }) => {
    const events = await doRegister(ctx, actor, subject, body.present);
    return reply(plain({ attendance: events.map((e) => ({ candidateId: e.candidateId, present: e.present, source: e.source })) }));
  });
}
