/** A hand-computed impact fixture: two services (the second added in April), a month with no data (March), a
 * correction (June), the programme's milestones (cohort start 10 March, a trainer certified 28 April, the first course
 * 20 May). The expected numbers are worked out in the comments and asserted by the tests. */
import { and, eq } from 'drizzle-orm';
import { loadActor, type Actor } from '../../server/auth/actor';
import { cohortStages, cohorts, impactCourses, impactResponseRatings, impactResponses } from '../../server/db/tables';
import { saveIncidentMonth } from '../../server/impact/incident-commands';
import { writeReadinessSignoff } from '../../modules/remedial-workshop/ledger';
import type { TestApp } from '../support/app';
import type { World } from '../support/factories';

type Counts = [number, number, number, number, number, number];

/** [service, month, aggression, restraints, prone, seclusions, staff injuries, injuries to people supported]. */
export const MONTHS: [string, string, ...Counts][] = [
  ['Harbour House', '2025-01', 10, 8, 3, 1, 1, 0],
  ['Harbour House', '2025-02', 12, 10, 4, 2, 2, 1],
  // March 2025: nothing recorded — a gap, never a zero.
  ['Harbour House', '2025-04', 9, 6, 2, 0, 1, 1],
  ['The Mews', '2025-04', 4, 2, 0, 0, 0, 0],
  ['Harbour House', '2025-05', 7, 5, 1, 0, 0, 0],
  ['The Mews', '2025-05', 3, 1, 0, 0, 0, 1],
  // June is first entered wrongly (7 restraints, 2 prone) and corrected below to 4 and 1.
  ['Harbour House', '2025-06', 6, 7, 2, 0, 0, 0],
  ['The Mews', '2025-06', 2, 2, 0, 0, 1, 0],
];
/** The correction of Harbour House, June 2025. */
export const CORRECTION: [string, string, ...Counts] = ['Harbour House', '2025-06', 6, 4, 1, 0, 0, 0];

/** The expected series, per service (no bed days were given):
 * Jan 8/1 = 8 (prone 3), Feb 10/1 = 10 (4), Mar no data, Apr (6+2)/2 = 4 (1), May (5+1)/2 = 3 (0.5), Jun (4+2)/2 = 3 (0.5).
 * Before the programme (months before March): restraints (8+10)/2 = 9, prone (3+4)/2 = 3.5.
 * Since the first course (May on): restraints (3+3)/2 = 3 → 6/9 = 67% fewer; prone 0.5 → 3/3.5 = 86% fewer. */
export const EXPECTED_RATES = [8, 10, null, 4, 3, 3];

/** The sentence the view, the CSV and the report all show. */
export const EXPECTED_COMPARISON =
  'Before the programme began (January 2025 to February 2025, 2 months with data) there were on average 9 restraints per service a month, 3.5 of them prone or floor restraints. ' +
  'Since the first course was delivered (May 2025 to June 2025, 2 months with data) there were 3 restraints per service a month (67% fewer), 0.5 of them prone or floor restraints (86% fewer). ' +
  'This compares the months before the programme with the months since; it does not show that the programme caused the change.';

/** Loads the fixture into tenant A through the real commands; returns the course. */
export async function loadFixture(t: TestApp, w: World) {
  const db = t.database.db;
  const lead = (await loadActor(db, w.a.lead.id, t.cadre.ctx.registry.capabilities)) as Actor;
  const save = (row: [string, string, ...Counts]) => {
    const [service, month, aggression, restraints, proneRestraints, seclusions, staffInjuries, personInjuries] = row;
    return saveIncidentMonth(db, lead, w.a.org.id, { serviceId: null, newService: service, month, aggression, restraints, proneRestraints, seclusions, staffInjuries, personInjuries, occupiedBedDays: null, note: null });
  };
  for (const row of MONTHS) await save(row);
  await save(CORRECTION);
  await db.update(cohorts).set({ startsOn: '2025-03-10', name: 'Spring cohort' }).where(eq(cohorts.id, w.a.cohort.id));
  const [remedial] = await db.select().from(cohortStages).where(and(eq(cohortStages.cohortId, w.a.cohort.id), eq(cohortStages.moduleKey, 'remedial-workshop')));
  await db.transaction((tx) => writeReadinessSignoff(tx, { stage: remedial, candidateId: w.a.candidate.id, mentorId: w.a.mentor.id, note: null, overrideReason: 'Fixture: certified for the impact test', gaps: [], at: new Date('2025-04-28T10:00:00Z') }));
  const [course] = await db
    .insert(impactCourses)
    .values({ organisationId: w.a.org.id, cohortId: w.a.cohort.id, trainerId: w.a.candidate.id, deliveredOn: '2025-05-20', venue: 'Harbour House', attendees: 11, registerMode: 'codes', durationMinutes: 360, outcomes: ['Explains why restraint is a last resort'], questionnaireCode: 'fixturecodefixturecode', createdBy: w.a.candidate.id })
    .returning();
  const [r] = await db.insert(impactResponses).values({ courseId: course.id, deviceHash: 'a'.repeat(64), safetyAnswer: 'release', changeText: '=HYPERLINK("x") — je parlerai plus doucement' }).returning();
  await db.insert(impactResponseRatings).values({ responseId: r.id, position: 1, before: 2, after: 5 });
  return course;
}
