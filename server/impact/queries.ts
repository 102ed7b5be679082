/** Loads everything the impact view, its CSV and the report section need for one organisation (a fixed number of
 * queries, whatever the number of months, courses or answers), then builds the model. */
import { asc, eq } from 'drizzle-orm';
import { cohorts } from '../db/tables';
import { getOrganisation } from '../cohorts/queries';
import { organisationCourses, type CourseListItem } from './course-queries';
import { countHistory, type CountHistory } from './incident-queries';
import { buildImpact, type ImpactModel } from './model';
import { cohortCertifications, type ProgrammeContext } from './programme';
import { changeTexts, courseTotals, summarise, totalsOf, type Summary } from './summaries';

/** A course with its learners' summary. */
export type CourseWithSummary = CourseListItem & { summary: Summary };

/** The impact of one organisation: the model, and the records behind it. */
export type OrganisationImpact = {
  organisation: { id: string; name: string };
  model: ImpactModel;
  courses: CourseWithSummary[];
  history: CountHistory[];
  /** "What I will do differently", in learners' words, newest first. */
  words: { deliveredOn: string; trainerName: string; text: string }[];
};

/** Loads and builds the impact of `organisationId` (404 "That organisation" when it does not exist). */
export async function organisationImpact(ctx: ProgrammeContext, organisationId: string): Promise<OrganisationImpact> {
  const { db } = ctx;
  const [organisation, orgCohorts, courses, history] = await Promise.all([
    getOrganisation(db, organisationId),
    db.select({ id: cohorts.id, name: cohorts.name, startsOn: cohorts.startsOn }).from(cohorts).where(eq(cohorts.organisationId, organisationId)).orderBy(asc(cohorts.startsOn)),
    organisationCourses(db, organisationId),
    countHistory(db, organisationId),
  ]);
  const ids = courses.map((c) => c.id);
  const [totals, certifications, texts] = await Promise.all([courseTotals(db, ids), cohortCertifications(ctx, orgCohorts.map((c) => c.id)), changeTexts(db, ids)]);
  const model = buildImpact({
    current: history.map((h) => h.current),
    cohorts: orgCohorts,
    certified: orgCohorts.map((c) => ({ cohortName: c.name, dates: (certifications.get(c.id) ?? []).map((x) => x.at.toISOString().slice(0, 10)) })),
    courses: courses.map((c) => ({ id: c.id, deliveredOn: c.deliveredOn, trainerId: c.trainerId, trainerName: c.trainerName, attendees: c.attendees, outcomes: c.outcomes, totals: totalsOf(totals, c.id) })),
  });
  const byId = new Map(courses.map((c) => [c.id, c]));
  return {
    organisation: { id: organisation.id, name: organisation.name },
    model,
    courses: courses.map((c) => ({ ...c, summary: summarise([totalsOf(totals, c.id)]) })),
    history,
    words: texts.map((t) => ({ deliveredOn: byId.get(t.courseId)?.deliveredOn ?? '', trainerName: byId.get(t.courseId)?.trainerName ?? '', text: t.text })),
  };
}
