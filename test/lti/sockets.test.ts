/** An LTI session's live sockets are confined like its pages: a mentor who also mentors another client's cohort, signed
 * in through client A's platform, can work in A's live rooms and is refused B's on every event (join, note, quiet
 * mode, release, end), and nothing of theirs is stored there. The same person signed in with their password keeps
 * both. */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type TestAgent from 'supertest/lib/agent';
import { ltiIdentities } from '../../server/db/tables';
import { addToCohort } from '../support/factories';
import { ask, connected, loginCookie, openSocket } from '../live/clients';
import { R } from './platform';
import { launch, startLtiWorld, type LtiWorld } from './support';

jest.setTimeout(60_000);

type Ack = { error?: { code: string }; seq?: number; role?: string };

let w: LtiWorld;
const sockets: Socket[] = [];
beforeAll(async () => {
  w = await startLtiWorld();
  // Mentor A also mentors client B's cohort (a provider's mentor works across clients).
  await addToCohort(w.t.database.db, w.world.b.cohort.id, w.world.a.mentor.id, 'mentor');
  await w.t.database.db.insert(ltiIdentities).values({ registrationId: w.registrationId, sub: 'lms-mentor-a', userId: w.world.a.mentor.id, linkedBy: 'sign-in' });
}, 120_000);
afterAll(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await w.stop();
});

const cookieOf = (agent: TestAgent) =>
  (agent as unknown as { jar: { getCookies: (o: object) => { toValueString(): string }[] } }).jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => c.toValueString())
    .join('; ');

async function socketWith(cookie: string): Promise<Socket> {
  const s = openSocket(w.base, cookie, { reconnectionDelay: 60_000 });
  sockets.push(s);
  await connected(s);
  return s;
}

async function openRoom(cohortId: string, candidateId: string): Promise<string> {
  const mentor = await w.t.loginAs(w.world.a.mentor.email);
  const res = await mentor.post(`/api/v1/cohorts/${cohortId}/live-rooms`).send({ candidateId, title: 'De-escalation walkthrough', quietMode: false });
  expect(res.status).toBe(201);
  return res.body.room.id as string;
}

const note = (roomId: string, body: string) => ({ roomId, clientId: randomUUID(), body, kind: 'strength', tags: [] });
const notesIn = async (roomId: string) => Number((await w.t.database.query('select count(*)::int as n from co_delivery_live_notes where room_id = $1', [roomId])).rows[0].n);

it("confines an LTI session's socket to the platform's organisation on every event", async () => {
  const roomA = await openRoom(w.world.a.cohort.id, w.world.a.candidate.id);
  const roomB = await openRoom(w.world.b.cohort.id, w.world.b.candidate.id);

  const agent = w.t.anonymous();
  const steps = await launch(w, agent, { user: { sub: 'lms-mentor-a', name: w.world.a.mentor.name, roles: [R.instructor] } });
  expect(steps.enter?.status).toBe(303);
  // The LTI session's pages already stop at the organisation's edge.
  expect((await agent.get(`/cohorts/${w.world.b.cohort.id}`)).status).toBe(404);

  const lti = await socketWith(cookieOf(agent));
  expect((await ask<Ack>(lti, 'live:join', { roomId: roomA })).role).toBe('mentor');
  expect((await ask<Ack>(lti, 'live:note', note(roomA, 'Calm voice, open hands'))).seq).toBe(1);

  for (const [event, payload] of [
    ['live:join', { roomId: roomB }],
    ['live:note', note(roomB, 'Not from this platform')],
    ['live:quiet', { roomId: roomB, quietMode: true }],
    ['live:release', { roomId: roomB }],
    ['live:end', { roomId: roomB }],
  ] as const) {
    const answer = await ask<Ack>(lti, event, payload);
    expect({ event, code: answer.error?.code }).toEqual({ event, code: expect.stringMatching(/^(not_found|forbidden)$/) });
  }
  expect(await notesIn(roomB)).toBe(0);

  // Signed in with a password, the same person mentors both rooms.
  const full = await socketWith(await loginCookie(w.base, w.world.a.mentor.email));
  expect((await ask<Ack>(full, 'live:join', { roomId: roomB })).role).toBe('mentor');
  expect(await notesIn(roomA)).toBe(1);
});
