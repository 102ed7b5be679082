/** The live feedback JSON API: rooms, an HTTP replay (same cursor rules as `live:join`) and single notes. */
import { z } from 'zod';
import { actorOf, authorize, getCohort, NotFoundError, parse, type AppContext, type RouteRegistry } from '../../../server/modules/kit';
import { createRoom } from './commands';
import { presentNote, presentRoom } from './presenters';
import { cohortRooms, getNote, getRoom, notesAfter, REPLAY_BATCH, roomFor } from './queries';
import { createRoomSchema } from './schemas';

const replayQuery = z.object({ afterSeq: z.coerce.number().int().min(0).default(0) });

/** Mounts /api/v1/cohorts/:cohortId/live-rooms and /api/v1/live. */
export function liveApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const cohortApi = registry.router('/api/v1/cohorts/:cohortId/live-rooms');
  const api = registry.router('/api/v1/live');

  cohortApi.get('/', { summary: "The cohort's live feedback rooms the caller may see", tags: ['live'] }, async (req, res) => {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(actor, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    res.json({ rooms: await cohortRooms(ctx.db, cohort, actor) });
  });

  cohortApi.post(
    '/',
    { summary: 'Open a live feedback room for a candidate (mentors)', tags: ['live'], body: createRoomSchema, success: { status: 201, description: 'The room' } },
    async (req, res) => {
      const actor = actorOf(req);
      const cohort = await getCohort(ctx.db, String(req.params.cohortId));
      authorize(actor, 'co-delivery:live-post', { type: 'cohort', cohort }, 'That cohort');
      const room = await createRoom(ctx.db, actor, cohort.id, parse(createRoomSchema, req.body, 'live room'));
      res.status(201).json({ room: presentRoom(await getRoom(ctx.db, room.id)) });
    },
  );

  api.get('/rooms/:roomId', { summary: "A live room's settings and the caller's role in it", tags: ['live'] }, async (req, res) => {
    const { room, role } = await roomFor(ctx.db, actorOf(req), String(req.params.roomId));
    res.json({ room: presentRoom(room), role });
  });

  api.get(
    '/rooms/:roomId/notes',
    { summary: 'Replay notes after a cursor (seq for staff, releaseSeq for the candidate), in order', tags: ['live'], query: replayQuery },
    async (req, res) => {
      const { room, role } = await roomFor(ctx.db, actorOf(req), String(req.params.roomId));
      const { afterSeq } = parse(replayQuery, req.query, 'query');
      const rows = await notesAfter(ctx.db, room.id, role, afterSeq);
      res.json({ role, notes: rows.map((n) => presentNote(n, role)), hasMore: rows.length === REPLAY_BATCH });
    },
  );

  api.get('/notes/:noteId', { summary: 'One live note (for evidence on a sign-off request)', tags: ['live'] }, async (req, res) => {
    const note = await getNote(ctx.db, String(req.params.noteId));
    const { room, role } = await roomFor(ctx.db, actorOf(req), note.roomId);
    if (role === 'candidate' && !note.releasedAt) throw new NotFoundError('That note');
    res.json({
      note: presentNote(note, role),
      room: presentRoom(room),
      links: { timeline: `/cohorts/${room.cohortId}/live/${room.id}/timeline#note-${note.id}` },
    });
  });

  return [cohortApi, api];
}
