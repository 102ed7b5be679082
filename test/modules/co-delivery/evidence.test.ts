/** The co-delivery:live-note evidence kind, resolved through core's resolveEvidence with the app's registry. */
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { cohortStages } from '../../../server/db/tables';
import { resolveEvidence } from '../../../server/evidence/kinds';
import { createRoom, postNote } from '../../../modules/co-delivery/live/commands';
import { coDeliveryGroups, coDeliverySessions } from '../../../modules/co-delivery/schema';

jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let noteA: string;
let noteOther: string;
let noteB: string;

const actor = (u: { id: string; email: string; name: string }) => ({ ...u, isAdmin: false, orgRoles: [], cohortRoles: [], capabilities: new Map() });

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  const db = t.database.db;
  const [stage] = await db.insert(cohortStages).values({ cohortId: w.a.cohort.id, position: 1, moduleKey: 'co-delivery', title: 'Co-delivery' }).returning();
  const [session] = await db
    .insert(coDeliverySessions)
    .values({ cohortStageId: stage.id, title: 'Day 1', startsAt: new Date('2026-03-12T09:00:00Z'), endsAt: new Date('2026-03-12T16:00:00Z'), createdBy: w.a.mentor.id })
    .returning();
  await db.insert(coDeliveryGroups).values({ cohortStageId: stage.id, name: 'Group A', candidateId: w.a.candidate.id, sessionId: session.id });
  const note = async (tenant: typeof w.a, candidateId: string, body: string, sessionId?: string) => {
    const room = await createRoom(db, actor(tenant.mentor), tenant.cohort.id, { candidateId, title: 'Breakaways with the night team', coDeliverySessionId: sessionId, quietMode: false, leadMayObserve: true });
    return (await postNote(db, tenant.mentor, { roomId: room.id, clientId: randomUUID(), body, kind: 'strength', tags: [], atOffsetMs: 125_000 })).id;
  };
  noteA = await note(w.a, w.a.candidate.id, 'Clear, warm welcome — you named the purpose of the session and how long it would take.', session.id);
  noteOther = await note(w.a, w.a.otherCandidate.id, 'A note about someone else.');
  noteB = await note(w.b, w.b.candidate.id, 'A note in another tenant.');
});
afterAll(() => t.stop());

describe('resolveEvidence with co-delivery:live-note', () => {
  it('labels a note of the candidate with its text, time code, session date and group, and says it belongs', async () => {
    const scope = { cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, actorId: w.a.candidate.id };
    const [answer] = await resolveEvidence(t.cadre.ctx, scope, [{ refType: 'co-delivery:live-note', refId: noteA }]);
    expect(answer.kind).toBe('co-delivery:live-note');
    expect(answer.evidence).toEqual({
      label: '“Clear, warm welcome — you named the purpose of the session and how long it would take.” at 2:05 — 12 Mar 2026, Group A',
      description: 'A strength, noted by Mentor A in “Breakaways with the night team”',
      href: expect.stringMatching(new RegExp(`^/cohorts/${w.a.cohort.id}/live/[0-9a-f-]{36}/timeline#note-${noteA}$`)),
      belongs: true,
    });
  });

  it('says a note about another candidate, or in another cohort, does not belong — without revealing its text', async () => {
    const scope = { cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, actorId: w.a.candidate.id };
    const answers = await resolveEvidence(t.cadre.ctx, scope, [
      { refType: 'co-delivery:live-note', refId: noteOther },
      { refType: 'co-delivery:live-note', refId: noteB },
    ]);
    for (const a of answers) {
      expect(a.evidence?.belongs).toBe(false);
      expect(a.evidence?.label).toBe('A live note');
      expect(a.evidence?.href).toBeUndefined();
    }
  });

  it('answers a missing or malformed id with no evidence, an unknown kind with no kind, and the old spelling live_note as the kind', async () => {
    const scope = { cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, actorId: w.a.candidate.id };
    const answers = await resolveEvidence(t.cadre.ctx, scope, [
      { refType: 'co-delivery:live-note', refId: randomUUID() },
      { refType: 'co-delivery:live-note', refId: 'note-1' },
      { refType: 'no-such:kind', refId: noteA },
      { refType: 'live_note', refId: noteA },
    ]);
    expect(answers.map((a) => [a.kind, a.evidence?.belongs ?? null])).toEqual([
      ['co-delivery:live-note', null],
      ['co-delivery:live-note', null],
      [null, null],
      ['co-delivery:live-note', true],
    ]);
  });
});
