import { eq } from 'drizzle-orm';
import { cohorts, cohortStages, ledgerEntries } from '../../server/db/tables';
import { computeReadiness } from '../../server/readiness/queries';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildUser } from '../support/factories';
import { assess, buildReadinessWorld, dayOffset, mark, request, requireFirstTwo, signAll, waive, type ReadinessWorld } from './world';

let t: TestApp;
let w: ReadinessWorld;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildReadinessWorld(t.database.db);
});

const DAY = 86_400_000;
async function candidate(cohortId: string, candidateId: string, now?: Date) {
  const { cohorts: list } = await computeReadiness(t.cadre.ctx, { cohortIds: [cohortId], now });
  const c = list[0].candidates.find((x) => x.candidateId === candidateId);
  if (!c) throw new Error('candidate missing');
  return { cohort: list[0], c };
}
const completeAllStages = async (cohortKey: 'a' | 'b', candidateId: string, mentorId: string) => {
  for (const s of w.stages[cohortKey]) await mark(t.database.db, s.id, candidateId, mentorId);
};

describe('ready to deliver', () => {
  it('is ready exactly when every stage is complete and every required competency is signed', async () => {
    const { a } = w;
    await completeAllStages('a', a.candidate.id, a.mentor.id);
    await signAll(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id);
    const { c, cohort } = await candidate(a.cohort.id, a.candidate.id);
    expect(c.ready).toBe(true);
    expect(c.state).toBe('ready');
    expect(c.stages.map((s) => s.label)).toEqual(['Complete', 'Complete', 'Complete']);
    expect(c.competencies.map((s) => s.label)).toEqual(['Signed off', 'Signed off', 'Signed off']);
    expect(c.nextAction).toBe('Ready to deliver — no action needed');
    expect(cohort.counts).toEqual({ candidates: 2, ready: 1, atRisk: 0, blocked: 0, inProgress: 1 });
  });

  it('is not ready while one safety-critical competency awaits its countersignature', async () => {
    const { a } = w;
    await completeAllStages('a', a.candidate.id, a.mentor.id);
    for (const comp of w.comps) {
      await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: comp.id, status: comp.safetyCritical ? 'awaiting_countersign' : 'signed', mentorId: a.mentor.id });
    }
    const { c } = await candidate(a.cohort.id, a.candidate.id);
    expect(c.ready).toBe(false);
    expect(c.competencies[2]).toMatchObject({ state: 'in_progress', label: 'Needs countersignature' });
    expect(c.competenciesSigned).toBe(2);
    expect(c.nextAction).toBe('A second mentor to countersign 1 competency');
  });

  it('counts a waived stage as done, and flags that a waiver was used', async () => {
    const { a } = w;
    await mark(t.database.db, w.stages.a[0].id, a.candidate.id, a.mentor.id);
    await waive(t.database.db, w.stages.a[1].id, a.candidate.id, a.mentor.id, 'Completed transfer week with another provider in March');
    await mark(t.database.db, w.stages.a[2].id, a.candidate.id, a.mentor.id);
    await signAll(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id);
    const { c } = await candidate(a.cohort.id, a.candidate.id);
    expect(c.stages[1]).toMatchObject({ state: 'complete', label: 'Waived' });
    expect(c.ready).toBe(true);
    expect(c.flags).toEqual([{ kind: 'waivers_used', message: '1 waiver used' }]);
  });

  it('requires only the cohort\'s listed competencies when it lists some', async () => {
    const { a } = w;
    await requireFirstTwo(t.database.db, w, a.cohort.id);
    await completeAllStages('a', a.candidate.id, a.mentor.id);
    for (const comp of w.comps.slice(0, 2)) await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: comp.id, status: 'signed', mentorId: a.mentor.id });
    const { c, cohort } = await candidate(a.cohort.id, a.candidate.id);
    expect(cohort.competencies.map((k) => k.code)).toEqual(['D1', 'D2']);
    expect(c.ready).toBe(true);
  });

  it('shows a stage whose window has not opened as "Not started", and open ones in words', async () => {
    const { c } = await candidate(w.a.cohort.id, w.a.candidate.id);
    expect(c.stages[2]).toMatchObject({ state: 'not_started', label: 'Not started' });
    expect(['Open', 'In progress', 'Blocked — locked']).toContain(c.stages[0].label);
    expect(c.competencies[0]).toMatchObject({ state: 'not_started', label: 'Not started' });
  });
});

describe('risk flags', () => {
  it('flags a stalled candidate after the cohort\'s stalledAfterDays without activity, and not before', async () => {
    const { a } = w;
    await t.database.db.update(cohorts).set({ settings: { stalledAfterDays: 3, leadMayObserveLive: true } }).where(eq(cohorts.id, a.cohort.id));
    await mark(t.database.db, w.stages.a[0].id, a.candidate.id, a.mentor.id, 4);
    const stalled = await candidate(a.cohort.id, a.candidate.id);
    expect(stalled.c.flags.find((f) => f.kind === 'stalled')?.message).toBe('No activity for 4 days (the cohort allows 3 days)');
    expect(stalled.c.state).toBe('at_risk');
    const earlier = await candidate(a.cohort.id, a.candidate.id, new Date(Date.now() - 2 * DAY));
    expect(earlier.c.flags.some((f) => f.kind === 'stalled')).toBe(false);
  });

  it('counts a ledger entry for the candidate as activity', async () => {
    const { a } = w;
    await t.database.db.update(cohorts).set({ settings: { stalledAfterDays: 3, leadMayObserveLive: true } }).where(eq(cohorts.id, a.cohort.id));
    await t.database.db.insert(ledgerEntries).values({
      seq: 1, kind: 'test', actorId: a.mentor.id, cohortId: a.cohort.id, candidateId: a.candidate.id, subjectType: 'test', subjectId: 'x', payload: '{}',
      recordedAt: new Date().toISOString(), prevHash: '0'.repeat(64), hash: '1'.repeat(64),
    });
    const { c } = await candidate(a.cohort.id, a.candidate.id);
    expect(c.flags.some((f) => f.kind === 'stalled')).toBe(false);
  });

  it('flags an overdue stage when its window closed while incomplete', async () => {
    const { a } = w;
    await t.database.db.update(cohortStages).set({ endsOn: dayOffset(-1) }).where(eq(cohortStages.id, w.stages.a[0].id));
    const { c } = await candidate(a.cohort.id, a.candidate.id);
    expect(c.stages[0]).toMatchObject({ state: 'at_risk', label: 'At risk — overdue' });
    expect(c.flags.find((f) => f.kind === 'overdue')?.message).toMatch(/^Pre-load videos is overdue — its window closed on /);
    expect(c.nextAction).toBe('Finish Pre-load videos — it is overdue');
    await mark(t.database.db, w.stages.a[0].id, a.candidate.id, a.mentor.id);
    const after = await candidate(a.cohort.id, a.candidate.id);
    expect(after.c.flags.some((f) => f.kind === 'overdue')).toBe(false);
  });

  // Each mentor's latest assessment counts: the flag names the mentor (it used to say "the latest … assessment" and
  // looked at whichever mentor scored last).
  it('flags a failed must-pass criterion in a mentor’s latest assessment only, and a second mentor’s later pass never hides it', async () => {
    const { a } = w;
    await assess(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id, [0, 2], 2);
    const failed = await candidate(a.cohort.id, a.candidate.id);
    expect(failed.c.flags.find((f) => f.kind === 'must_pass_failed')?.message).toBe(`A must-pass criterion was not met in ${a.mentor.name}’s latest Co-delivery observation assessment`);
    const second = await buildUser(t.database.db, { name: 'Second Mentor', role: 'mentor' });
    await addToCohort(t.database.db, a.cohort.id, second.id, 'mentor');
    await assess(t.database.db, w, a.cohort.id, a.candidate.id, second.id, [1, 1], 1);
    const stillFailed = await candidate(a.cohort.id, a.candidate.id);
    expect(stillFailed.c.flags.filter((f) => f.kind === 'must_pass_failed').map((f) => f.message)).toEqual([`A must-pass criterion was not met in ${a.mentor.name}’s latest Co-delivery observation assessment`]);
    await assess(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id, [1, 1], 0);
    const passed = await candidate(a.cohort.id, a.candidate.id);
    expect(passed.c.flags.some((f) => f.kind === 'must_pass_failed')).toBe(false);
  });

  it('flags a declined sign-off left unanswered for 7 days or more, not a fresh one', async () => {
    const { a } = w;
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[0].id, status: 'declined', mentorId: a.mentor.id, daysAgo: 9 });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[1].id, status: 'declined', mentorId: a.mentor.id, daysAgo: 1 });
    const { c } = await candidate(a.cohort.id, a.candidate.id);
    const declined = c.flags.filter((f) => f.kind === 'declined_unanswered');
    expect(declined.map((f) => f.message)).toEqual(['D1 Opens a session with dignity was declined 9 days ago and not resubmitted']);
    expect(c.competencies[0]).toMatchObject({ state: 'at_risk', label: 'At risk — declined' });
    expect(c.nextAction).toBe('Resubmit D1 Opens a session with dignity with more evidence');
  });

  it('no longer flags a declined request once the candidate has resubmitted', async () => {
    const { a } = w;
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[0].id, status: 'declined', mentorId: a.mentor.id, daysAgo: 9 });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[0].id, status: 'pending', mentorId: a.mentor.id, daysAgo: 0 });
    const { c } = await candidate(a.cohort.id, a.candidate.id);
    expect(c.flags.some((f) => f.kind === 'declined_unanswered')).toBe(false);
    expect(c.competencies[0].label).toBe('Waiting for a mentor');
  });
});

describe('scale', () => {
  it('answers several cohorts in one call with each cohort\'s own candidates', async () => {
    const { cohorts: list } = await computeReadiness(t.cadre.ctx, { cohortIds: [w.a.cohort.id, w.b.cohort.id] });
    expect(list.map((c) => c.name)).toEqual(['Cohort A', 'Cohort B']);
    expect(list[0].candidates.map((c) => c.name).sort()).toEqual(['Candidate A', 'Candidate A2']);
    expect(list[1].candidates.map((c) => c.name).sort()).toEqual(['Candidate B', 'Candidate B2']);
  });
});
