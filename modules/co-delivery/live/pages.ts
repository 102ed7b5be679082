/** The live feedback pages: rooms of a cohort, the room (mentor, candidate or observer view), and the timeline. Each
 * route authorises once (the cohort, or the room and the caller's role in it); a form's fixable problem re-renders
 * its page with what was typed. */
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { z } from 'zod';
import { cohortPeople, onCohort, seeOther, type Actor, type AppError, type CohortSubject, type RouteRegistry, type StageRuntime } from '../../../server/modules/kit';
import { mayCreateRoom } from './access';
import { endSession, openRoom, releaseNotes, setQuietMode, submitNote } from './actions';
import { onRoom, type RoomSubject } from './grants';
import { presentNote, presentRoom, timeCode } from './presenters';
import { coDeliverySessionsOf, cohortRooms, heldCount, linkedSession, notesAfter, practicalCriteria, timelineNotes } from './queries';
import { createRoomSchema, LIVE_TAGS, postNoteSchema } from './schemas';

const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
const fields = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The room form as posted (checkboxes are 'on' or absent), read into the API's schema. */
const createRoomForm = z.preprocess((raw) => {
  const b = fields(raw);
  return { candidateId: b.candidateId, title: b.title, coDeliverySessionId: blankToNull(b.coDeliverySessionId), quietMode: b.quietMode === 'on', leadMayObserve: b.leadMayObserve === 'on' };
}, createRoomSchema);

/** The note form as posted (tags as one or many checkboxes), read into the socket's note schema (without the room). */
const noteForm = z.preprocess((raw) => {
  const b = fields(raw);
  return { clientId: b.clientId, body: b.body ?? '', kind: b.kind, criterionId: blankToNull(b.criterionId), tags: asList(b.tags) };
}, postNoteSchema.omit({ roomId: true }));

const quietForm = z.object({ quietMode: z.string().max(10).optional() }).transform((b) => b.quietMode === 'on');
const roomQuery = z.object({ posted: z.string().max(10).optional(), released: z.coerce.number().int().min(0).optional() });

/** Mounts the live pages under /cohorts/:cohortId/live. */
export function livePageRoutes(registry: RouteRegistry, ctx: StageRuntime) {
  const r = registry.router('/cohorts/:cohortId/live');
  const anyone = onRoom(ctx.db);
  const mentors = onRoom(ctx.db, ['mentor']);

  async function renderRooms(res: Response, actor: Actor, { cohort }: CohortSubject, error?: AppError, values?: Record<string, unknown>) {
    // A room about oneself is refused (own record), and a room needs a candidate: the form offers only those it accepts.
    const candidates = mayCreateRoom(actor, cohort) ? (await cohortPeople(ctx.db, cohort.id, 'candidate')).filter((p) => p.userId !== actor.id) : [];
    const canCreate = candidates.length > 0;
    res.render(ctx.view('live/rooms'), {
      title: `Live feedback — ${cohort.name}`,
      cohort,
      rooms: await cohortRooms(ctx.db, cohort, actor),
      candidates,
      sessions: canCreate ? await coDeliverySessionsOf(ctx.db, cohort.id) : [],
      can: { create: canCreate },
      error,
      values: values ? { ...values, quietMode: values.quietMode === 'on', leadMayObserve: values.leadMayObserve === 'on' } : { quietMode: true, leadMayObserve: true },
    });
  }

  r.get('/', { summary: "The cohort's live feedback rooms", authorize: onCohort(ctx.db, 'cohort:view') }, ({ actor, subject }, _req, res) => renderRooms(res, actor, subject));

  r.form(
    '/',
    { summary: 'Open a live feedback room (form)', body: createRoomForm, authorize: onCohort(ctx.db, 'co-delivery:live-post'), rerender: (_req, res, { error, values, actor, subject }) => renderRooms(res, actor, subject, error, values) },
    async ({ body, actor, subject: { cohort } }) => {
      const room = await openRoom(ctx, actor, cohort.id, body);
      return seeOther(`/cohorts/${cohort.id}/live/${room.id}`);
    },
  );

  async function renderRoom(res: Response, { room, role }: RoomSubject, extra: { error?: AppError; values?: Record<string, unknown>; posted?: boolean; released?: number } = {}) {
    const rows = await notesAfter(ctx.db, room.id, role, 0, 5000);
    const notes = rows.map((n) => presentNote(n, role));
    const staff = role !== 'candidate';
    const selectedTags = new Set(asList(extra.values?.tags));
    res.render(ctx.view(role === 'candidate' ? 'live/candidate' : 'live/mentor'), {
      title: `${room.title} — live feedback`,
      room: presentRoom(room),
      session: await linkedSession(ctx.db, room.coDeliverySessionId),
      role,
      roleLabel: role === 'mentor' ? 'Mentor' : role === 'candidate' ? 'Candidate' : 'Observer (read-only)',
      notes: [...notes].reverse(),
      lastSeq: staff ? (rows.at(-1)?.seq ?? 0) : (rows.at(-1)?.releaseSeq ?? 0),
      held: await heldCount(ctx.db, room.id),
      criteria: role === 'mentor' ? await practicalCriteria(ctx.db) : [],
      tags: LIVE_TAGS.map((t) => ({ value: t, label: t[0].toUpperCase() + t.slice(1), checked: selectedTags.has(t) })),
      clientId: randomUUID(),
      can: { post: role === 'mentor' && !room.endedAt, manage: role === 'mentor' && !room.endedAt, release: role !== 'observer' && !room.endedAt },
      elapsed: timeCode(Date.now() - room.startedAt.getTime()),
      error: extra.error,
      values: extra.values ?? { kind: 'strength' },
      posted: extra.posted ?? false,
      released: extra.released,
    });
  }

  r.get('/:roomId', { summary: 'A live feedback room (the mentor, candidate or observer view)', query: roomQuery, authorize: anyone }, ({ query, subject }, _req, res) =>
    renderRoom(res, subject, { posted: query.posted === '1', released: query.released }),
  );

  r.form(
    '/:roomId/notes',
    { summary: 'Post a note in a live room (form; mentors)', body: noteForm, authorize: mentors, rerender: (_req, res, { error, values, subject }) => renderRoom(res, subject, { error, values }) },
    async ({ body, actor, subject: { room, role } }) => {
      await submitNote(ctx, actor, role, { roomId: room.id, ...body });
      return seeOther(`/cohorts/${room.cohortId}/live/${room.id}?posted=1`);
    },
  );

  r.form('/:roomId/release', { summary: 'Release held notes (form; the mentor or the candidate)', authorize: onRoom(ctx.db, ['mentor', 'candidate']) }, async ({ actor, subject: { room, role } }) => {
    const n = await releaseNotes(ctx, actor, role, room);
    return seeOther(`/cohorts/${room.cohortId}/live/${room.id}?released=${n}`);
  });

  r.form('/:roomId/quiet', { summary: 'Switch quiet mode on or off (form; mentors)', body: quietForm, authorize: mentors }, async ({ body: quietMode, actor, subject: { room, role } }) => {
    const n = await setQuietMode(ctx, actor, role, room, quietMode);
    return seeOther(`/cohorts/${room.cohortId}/live/${room.id}${n ? `?released=${n}` : ''}`);
  });

  r.form('/:roomId/end', { summary: 'End the live session (form; mentors)', authorize: mentors }, async ({ actor, subject: { room, role } }) => {
    await endSession(ctx, actor, role, room);
    return seeOther(`/cohorts/${room.cohortId}/live/${room.id}/timeline`);
  });

  r.get('/:roomId/timeline', { summary: 'The feedback timeline of a live session', authorize: anyone }, async ({ subject: { room, role } }, _req, res) => {
    const notes = (await timelineNotes(ctx.db, room.id, role)).map((n) => presentNote(n, role));
    const strengths = notes.filter((n) => n.kind === 'strength').length;
    res.render(ctx.view('live/timeline'), {
      title: `Feedback timeline — ${room.title}`,
      room: presentRoom(room),
      session: await linkedSession(ctx.db, room.coDeliverySessionId),
      notes,
      summary: { total: notes.length, strengths, toWorkOn: notes.length - strengths },
      // Requesting sign-off is the candidate's own act (candidate:act-as-self): staff never see a link that would lead nowhere.
      can: { attach: role === 'candidate' },
      evidenceBase: `/cohorts/${room.cohortId}/candidates/${room.candidateId}/competencies`,
    });
  });

  return [r];
}
