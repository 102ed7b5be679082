/** Matrix rows for live co-delivery feedback: rooms, the room page and its actions, the timeline, the JSON API. */
import { randomUUID } from 'node:crypto';
import { createRoom, postNote } from '../../../modules/co-delivery/live/commands';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const mentors: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const mentorsOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const releasers: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 'allow' };

const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });

/** A new room for the tenant's candidate (quiet mode off, the lead may watch). */
async function newRoom(c: RowContext): Promise<string> {
  const mentor = { id: c.tenant.mentor.id, email: c.tenant.mentor.email, name: c.tenant.mentor.name, isAdmin: false, orgRoles: [], cohortRoles: [], capabilities: new Map() };
  const room = await createRoom(c.db, mentor, c.tenant.cohort.id, { candidateId: c.tenant.candidate.id, title: `Matrix ${c.uniq()}`, quietMode: false, leadMayObserve: true });
  return room.id;
}

const sharedRoom = (c: RowContext) => c.memo('live-room', () => newRoom(c));
const roomParams = async (c: RowContext) => ({ cohortId: c.tenant.cohort.id, roomId: await sharedRoom(c) });
/** A fresh room per call, for actions that change it (end the session). */
const freshRoomParams = async (c: RowContext) => ({ cohortId: c.tenant.cohort.id, roomId: await newRoom(c) });

async function releasedNote(c: RowContext) {
  const roomId = await sharedRoom(c);
  const id = await c.memo('live-note', async () => {
    const r = await postNote(c.db, { id: c.tenant.mentor.id, name: c.tenant.mentor.name }, { roomId, clientId: randomUUID(), body: 'Matrix note', kind: 'strength', tags: [] });
    return r.id;
  });
  return { noteId: id };
}

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /cohorts/:cohortId/live': { params: cohort, own: everyone, other: otherTenant },
  'POST /cohorts/:cohortId/live': {
    params: cohort,
    body: (c) => ({ candidateId: c.tenant.candidate.id, title: `Matrix ${c.uniq()}`, quietMode: 'on' }),
    own: mentors,
    other: mentorsOther,
  },
  'GET /cohorts/:cohortId/live/:roomId': { params: roomParams, own: everyone, other: otherTenant },
  'POST /cohorts/:cohortId/live/:roomId/notes': {
    params: roomParams,
    body: () => ({ clientId: randomUUID(), body: 'Matrix note by form', kind: 'strength' }),
    own: mentors,
    other: mentorsOther,
  },
  'POST /cohorts/:cohortId/live/:roomId/release': { params: roomParams, body: () => ({}), own: releasers, other: mentorsOther },
  'POST /cohorts/:cohortId/live/:roomId/quiet': { params: roomParams, body: () => ({ quietMode: 'off' }), own: mentors, other: mentorsOther },
  'POST /cohorts/:cohortId/live/:roomId/end': { params: freshRoomParams, body: () => ({}), own: mentors, other: mentorsOther },
  'GET /cohorts/:cohortId/live/:roomId/timeline': { params: roomParams, own: everyone, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/live-rooms': { params: cohort, own: everyone, other: otherTenant },
  'POST /api/v1/cohorts/:cohortId/live-rooms': {
    params: cohort,
    body: (c) => ({ candidateId: c.tenant.candidate.id, title: `Matrix ${c.uniq()}` }),
    own: mentors,
    other: mentorsOther,
  },
  'GET /api/v1/live/rooms/:roomId': { params: roomParams, own: everyone, other: otherTenant },
  'GET /api/v1/live/rooms/:roomId/notes': { params: roomParams, own: everyone, other: otherTenant },
  'GET /api/v1/live/notes/:noteId': { params: releasedNote, own: everyone, other: otherTenant },
};
