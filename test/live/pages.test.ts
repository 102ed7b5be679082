/** The live pages (without JavaScript) and the JSON API: rooms, posting by form, release, timeline, one note. */
import { coDeliverySessions } from '../../modules/co-delivery/schema';
import { cohortStages } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
});

const clientIdOf = (html: string) => (/name="clientId" value="([^"]+)"/.exec(html) as RegExpExecArray)[1];

describe('live pages', () => {
  it('sends anonymous visitors to log in and hides rooms from other organisations', async () => {
    const page = await t.anonymous().get(`/cohorts/${w.a.cohort.id}/live`);
    expect(page.status).toBe(302);
    const other = await t.loginAs(w.b.mentor.email);
    expect((await other.get(`/cohorts/${w.a.cohort.id}/live`)).status).toBe(404);
    expect((await other.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'x' })).status).toBe(404);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'x' })).status).toBe(403);
  });

  it('lets a mentor open a room, post notes by form (a double submit stores one), end the segment, and print the timeline', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const list = await mentor.get(`/cohorts/${w.a.cohort.id}/live`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('data-testid="new-room-form"');
    const token = await t.csrf(mentor, `/cohorts/${w.a.cohort.id}/live`);
    const bad = await mentor.post(`/cohorts/${w.a.cohort.id}/live`).type('form').send({ _csrf: token, candidateId: w.a.candidate.id, title: '', quietMode: 'on' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter the title.');
    const created = await mentor.post(`/cohorts/${w.a.cohort.id}/live`).type('form').send({ _csrf: token, candidateId: w.a.candidate.id, title: 'Day 2 — breakaway demonstration', quietMode: 'on', leadMayObserve: 'on' });
    expect(created.status).toBe(303);
    const roomPath = created.headers.location as string;

    const room = await mentor.get(roomPath);
    expect(room.status).toBe(200);
    expect(room.text).toContain('data-testid="connection-status"');
    expect(room.text).toMatch(/aria-pressed="true"[^>]*data-testid="quiet-toggle"/);
    const clientId = clientIdOf(room.text);
    const form = { _csrf: token, clientId, body: 'You kept a calm, low voice when the learner raised theirs.', kind: 'strength', tags: ['tone', 'distance'] };
    expect((await mentor.post(`${roomPath}/notes`).type('form').send(form)).status).toBe(303);
    expect((await mentor.post(`${roomPath}/notes`).type('form').send(form)).status).toBe(303);
    const after = await mentor.get(roomPath);
    expect(after.text.match(/data-testid="live-note"/g)).toHaveLength(1);
    expect(after.text).toContain('Held (quiet mode)');
    expect(after.text).toContain('1 note held in quiet mode');

    const tooLong = await mentor.post(`${roomPath}/notes`).type('form').send({ ...form, clientId: clientIdOf(after.text), body: 'x'.repeat(1001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('must be at most 1000 characters');

    const candidate = await t.loginAs(w.a.candidate.email);
    const before = await candidate.get(roomPath);
    expect(before.text).toContain('1 note is waiting for when you finish.');
    expect(before.text).not.toContain('calm, low voice');
    expect(before.text).toContain('aria-live="polite"');
    const held = await candidate.get(`${roomPath}/timeline`);
    expect(held.text).toContain('0 notes');

    const released = await mentor.post(`${roomPath}/release`).type('form').send({ _csrf: token });
    expect(released.status).toBe(303);
    expect(released.headers.location).toContain('released=1');
    const timeline = await candidate.get(`${roomPath}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.text).toContain('calm, low voice');
    expect(timeline.text).toContain('1 note: 1 strength, 0 to work on');
    expect(timeline.text).toContain('/static/css/live.css');
    const noteId = (/id="note-([0-9a-f-]{36})"/.exec(timeline.text) as RegExpExecArray)[1];
    expect(timeline.text).toContain(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies?evidenceNote=${noteId}`);
    // 12.13: only the candidate may request sign-off, so only the candidate is offered "Attach as evidence".
    const staffView = await mentor.get(`${roomPath}/timeline`);
    expect(staffView.text).toContain('calm, low voice');
    expect(staffView.text).not.toContain('data-testid="attach-evidence"');
    expect((await mentor.post(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies/request`).type('form').send({ _csrf: token })).status).toBe(403);

    const api = await candidate.get(`/api/v1/live/notes/${noteId}`);
    expect(api.status).toBe(200);
    expect(api.body.note).toMatchObject({ id: noteId, kind: 'strength', tags: ['tone', 'distance'], releaseSeq: 1 });
    expect(api.body.note).not.toHaveProperty('clientId');
    expect((await (await t.loginAs(w.b.candidate.email)).get(`/api/v1/live/notes/${noteId}`)).status).toBe(404);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).get(`/api/v1/live/notes/${noteId}`)).status).toBe(404);

    const ended = await mentor.post(`${roomPath}/end`).type('form').send({ _csrf: token });
    expect(ended.headers.location).toBe(`${roomPath}/timeline`);
    const closed = await mentor.post(`${roomPath}/notes`).type('form').send({ ...form, clientId: clientIdOf(after.text) });
    expect(closed.status).toBe(409);
  });

  it('keeps held notes from the candidate in the API, and lists rooms by who may see them', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const room = (await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Held', leadMayObserve: false })).body.room;
    const token = await t.csrf(mentor, `/cohorts/${w.a.cohort.id}/live/${room.id}`);
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}/live/${room.id}`);
    await mentor.post(`/cohorts/${w.a.cohort.id}/live/${room.id}/notes`).type('form').send({ _csrf: token, clientId: clientIdOf(page.text), body: 'Check the exit route before starting.', kind: 'to_work_on', tags: 'safety' });
    const replay = await mentor.get(`/api/v1/live/rooms/${room.id}/notes?afterSeq=0`);
    expect(replay.body.notes).toHaveLength(1);
    expect(replay.body.notes[0]).toMatchObject({ seq: 1, state: 'held', tags: ['safety'], kind: 'to_work_on' });
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.get(`/api/v1/live/rooms/${room.id}/notes`)).body.notes).toEqual([]);
    expect((await candidate.get(`/api/v1/live/notes/${replay.body.notes[0].id}`)).status).toBe(404);
    const lead = await t.loginAs(w.a.lead.email);
    expect((await lead.get(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`)).body.rooms).toEqual([]);
    expect((await lead.get(`/cohorts/${w.a.cohort.id}/live/${room.id}`)).status).toBe(403);
    expect((await candidate.get(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`)).body.rooms).toHaveLength(1);
    expect((await (await t.loginAs(w.a.otherCandidate.email)).get(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`)).body.rooms).toEqual([]);
  });

  it('links a room to a co-delivery session of the same cohort only, and shows it', async () => {
    const session = async (cohortId: string) => {
      const [stage] = await t.database.db.insert(cohortStages).values({ cohortId, position: 1, moduleKey: 'co-delivery', title: 'Co-delivery' }).returning();
      const [s] = await t.database.db
        .insert(coDeliverySessions)
        .values({ cohortStageId: stage.id, title: 'Night team — breakaway refresher', startsAt: new Date('2026-05-04T09:30:00Z'), endsAt: new Date('2026-05-04T11:00:00Z') })
        .returning();
      return s.id;
    };
    const own = await session(w.a.cohort.id);
    const other = await session(w.b.cohort.id);
    const mentor = await t.loginAs(w.a.mentor.email);
    const form = await mentor.get(`/cohorts/${w.a.cohort.id}/live`);
    expect(form.text).toContain('Night team — breakaway refresher');
    const refused = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Wrong session', coDeliverySessionId: other });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([{ field: 'coDeliverySessionId', message: 'The co-delivery session is not a co-delivery session of this cohort.' }]);
    const ok = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Linked', coDeliverySessionId: own });
    expect(ok.status).toBe(201);
    expect(ok.body.room.coDeliverySessionId).toBe(own);
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}/live/${ok.body.room.id}`);
    expect(page.text).toContain('Co-delivery session: Night team — breakaway refresher');
  });
});
