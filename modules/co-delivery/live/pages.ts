/** The live feedback pages: rooms of a cohort, the room (mentor, candidate or observer view), and the timeline. */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { actorOf, AppError, authorize, cohortPeople, getCohort, parse, type Actor, type RouteRegistry, type StageRuntime } from '../../../server/modules/kit';
import { mayCreateRoom } from './access';
import { endSession, releaseNotes, setQuietMode, submitNote } from './actions';
import { createRoom } from './commands';
import { presentNote, presentRoom, timeCode } from './presenters';
import { coDeliverySessionsOf, cohortRooms, heldCount, linkedSession, notesAfter, practicalCriteria, roomFor, timelineNotes } from './queries';
import { createRoomSchema, LIVE_TAGS } from './schemas';

const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

const noteForm = z.object({
  clientId: z.string(),
  body: z.string().optional(),
  kind: z.string().optional(),
  criterionId: z.string().optional(),
  tags: z.unknown().optional(),
  _csrf: z.string().optional(),
});

async function loadCohort(ctx: StageRuntime, actor: Actor, cohortId: string) {
  const cohort = await getCohort(ctx.db, cohortId);
  authorize(actor, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
  return cohort;
}

/** Mounts the live pages under /cohorts/:cohortId/live. */
export function livePageRoutes(registry: RouteRegistry, ctx: StageRuntime) {
  const r = registry.router('/cohorts/:cohortId/live');

  async function renderRooms(req: Request, res: Response, error?: AppError, values?: Record<string, unknown>) {
    const actor = actorOf(req);
    const cohort = await loadCohort(ctx, actor, String(req.params.cohortId));
    const canCreate = mayCreateRoom(actor, cohort);
    res.status(error?.status ?? 200).render(ctx.view('live/rooms'), {
      title: `Live feedback — ${cohort.name}`,
      cohort,
      rooms: await cohortRooms(ctx.db, cohort, actor),
      candidates: canCreate ? await cohortPeople(ctx.db, cohort.id, 'candidate') : [],
      sessions: canCreate ? await coDeliverySessionsOf(ctx.db, cohort.id) : [],
      can: { create: canCreate },
      error,
      values: values ?? { quietMode: true, leadMayObserve: true },
    });
  }

  r.get('/', (req, res) => renderRooms(req, res));

  r.post('/', async (req, res) => {
    const actor = actorOf(req);
    const cohort = await loadCohort(ctx, actor, String(req.params.cohortId));
    authorize(actor, 'co-delivery:live-post', { type: 'cohort', cohort }, 'That cohort');
    const body = req.body as Record<string, unknown>;
    const values = {
      candidateId: body.candidateId,
      title: body.title,
      coDeliverySessionId: blankToNull(body.coDeliverySessionId),
      quietMode: body.quietMode === 'on',
      leadMayObserve: body.leadMayObserve === 'on',
    };
    try {
      const room = await createRoom(ctx.db, actor, cohort.id, parse(createRoomSchema, values, 'live room form'));
      res.redirect(303, `/cohorts/${cohort.id}/live/${room.id}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      await renderRooms(req, res, err, values);
    }
  });

  async function renderRoom(req: Request, res: Response, error?: AppError, values?: Record<string, unknown>) {
    const actor = actorOf(req);
    const { room, role } = await roomFor(ctx.db, actor, String(req.params.roomId), String(req.params.cohortId));
    const rows = await notesAfter(ctx.db, room.id, role, 0, 5000);
    const notes = rows.map((n) => presentNote(n, role));
    const staff = role !== 'candidate';
    const selectedTags = new Set(asList(values?.tags));
    res.status(error?.status ?? 200).render(ctx.view(role === 'candidate' ? 'live/candidate' : 'live/mentor'), {
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
      error,
      values: values ?? { kind: 'strength' },
      posted: req.query.posted === '1',
      released: typeof req.query.released === 'string' ? Number(req.query.released) : undefined,
    });
  }

  r.get('/:roomId', (req, res) => renderRoom(req, res));

  r.post('/:roomId/notes', async (req, res) => {
    const actor = actorOf(req);
    const { room, role } = await roomFor(ctx.db, actor, String(req.params.roomId), String(req.params.cohortId));
    const form = parse(noteForm, req.body, 'note form');
    const values = { clientId: form.clientId, body: form.body ?? '', kind: form.kind, criterionId: blankToNull(form.criterionId), tags: asList(form.tags) };
    try {
      await submitNote(ctx, actor, role, { roomId: room.id, ...values });
      res.redirect(303, `/cohorts/${room.cohortId}/live/${room.id}?posted=1`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 403) throw err;
      await renderRoom(req, res, err, values);
    }
  });

  r.post('/:roomId/release', async (req, res) => {
    const actor = actorOf(req);
    const { room, role } = await roomFor(ctx.db, actor, String(req.params.roomId), String(req.params.cohortId));
    const n = await releaseNotes(ctx, actor, role, room);
    res.redirect(303, `/cohorts/${room.cohortId}/live/${room.id}?released=${n}`);
  });

  r.post('/:roomId/quiet', async (req, res) => {
    const actor = actorOf(req);
    const { room, role } = await roomFor(ctx.db, actor, String(req.params.roomId), String(req.params.cohortId));
    const n = await setQuietMode(ctx, actor, role, room, (req.body as { quietMode?: string }).quietMode === 'on');
    res.redirect(303, `/cohorts/${room.cohortId}/live/${room.id}${n ? `?released=${n}` : ''}`);
  });

  r.post('/:roomId/end', async (req, res) => {
    const actor = actorOf(req);
    const { room, role } = await roomFor(ctx.db, actor, String(req.params.roomId), String(req.params.cohortId));
    await endSession(ctx, actor, role, room);
    res.redirect(303, `/cohorts/${room.cohortId}/live/${room.id}/timeline`);
  });

  r.get('/:roomId/timeline', async (req, res) => {
    const actor = actorOf(req);
    const { room, role } = await roomFor(ctx.db, actor, String(req.params.roomId), String(req.params.cohortId));
    const notes = (await timelineNotes(ctx.db, room.id, role)).map((n) => presentNote(n, role));
    const strengths = notes.filter((n) => n.kind === 'strength').length;
    res.render(ctx.view('live/timeline'), {
      title: `Feedback timeline — ${room.title}`,
      room: presentRoom(room),
      session: await linkedSession(ctx.db, room.coDeliverySessionId),
      notes,
      summary: { total: notes.length, strengths, toWorkOn: notes.length - strengths },
      can: { attach: role !== 'observer' },
      evidenceBase: `/cohorts/${room.cohortId}/candidates/${room.candidateId}/competencies`,
    });
  });

  return [r];
}
