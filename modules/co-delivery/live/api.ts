/** The live feedback JSON API: rooms, an HTTP replay (same cursor rules as `live:join`) and single notes. Each route
 * authorises once (the cohort, or the room and the caller's role in it) and answers through a presenter. */
import type { Request } from 'express';
import { z } from 'zod';
import { actorOf, grant, NotFoundError, onCohort, reply, type AppContext, type RouteRegistry } from '../../../server/modules/kit';
import { liveRole } from './access';
import { presentNoteAnswer, presentReplay, presentRoomAnswer, presentRoomList } from './answers';
import { onRoom } from './grants';
import { cohortRooms, getNote, getRoom, notesAfter, REPLAY_BATCH } from './queries';
import { openRoom } from './actions';
import { createRoomSchema } from './schemas';

const replayQuery = z.object({ afterSeq: z.coerce.number().int().min(0).default(0) });
const tags = ['live'];

/** Mounts /api/v1/cohorts/:cohortId/live-rooms and /api/v1/live. */
export function liveApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const cohortApi = registry.router('/api/v1/cohorts/:cohortId/live-rooms');
  const api = registry.router('/api/v1/live');

  cohortApi.get('/', { summary: "The cohort's live feedback rooms the caller may see", tags, authorize: onCohort(ctx.db, 'cohort:view') }, async ({ actor, subject: { cohort } }) =>
    reply(presentRoomList(await cohortRooms(ctx.db, cohort, actor))),
  );

  cohortApi.post(
    '/',
    { summary: 'Open a live feedback room for a candidate (mentors)', tags, body: createRoomSchema, success: { status: 201, description: 'The room' }, authorize: onCohort(ctx.db, 'co-delivery:live-post') },
    async ({ body, actor, subject: { cohort } }) => {
      const room = await openRoom(ctx, actor, cohort.id, body);
      return reply(presentRoomAnswer(await getRoom(ctx.db, room.id)));
    },
  );

  api.get('/rooms/:roomId', { summary: "A live room's settings and the caller's role in it", tags, authorize: onRoom(ctx.db) }, ({ subject: { room, role } }) => reply(presentRoomAnswer(room, role)));

  api.get(
    '/rooms/:roomId/notes',
    { summary: 'Replay notes after a cursor (seq for staff, releaseSeq for the candidate), in order', tags, query: replayQuery, authorize: onRoom(ctx.db) },
    async ({ query, subject: { room, role } }) => {
      const rows = await notesAfter(ctx.db, room.id, role, query.afterSeq);
      return reply(presentReplay(role, rows, rows.length === REPLAY_BATCH));
    },
  );

  api.get(
    '/notes/:noteId',
    {
      summary: 'One live note (for evidence on a sign-off request)',
      tags,
      // The note's room decides: the candidate sees only notes already released to them.
      authorize: async (req: Request, { params }: { params: { noteId: string } }) => {
        const note = await getNote(ctx.db, params.noteId);
        const room = await getRoom(ctx.db, note.roomId);
        const role = liveRole(actorOf(req), room);
        if (role === 'candidate' && !note.releasedAt) throw new NotFoundError('That note');
        return grant('cohort:view', { type: 'cohort' as const, cohort: room.cohort, room, role, note }, 'That note');
      },
    },
    ({ subject: { note, role, room } }) => reply(presentNoteAnswer(note, role, room)),
  );

  return [cohortApi, api];
}
