/** Reads for observation sampling: every trainer's sample per organisation and year (four statements, whatever the
 * number of trainers), one course's sampling, and the rates in force. */
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { cohorts, courseObservations, impactCourses, observationPicks, organisations, programmeTemplates, rubrics, samplingRates, users } from '../db/tables';
import { londonDate } from '../progression/kinds/answers';
import { DEFAULT_RATE, sampleYear, type SampleYear } from './model';

/** Where a rate comes from, in words: "20% (the default)", "30% (set for Client A)". */
export type RateSource = { percent: number; words: string };

/** One trainer's sampling in one organisation and year, with the courses the sample holds. */
export type TrainerSample = SampleYear & {
  organisationId: string;
  organisationName: string;
  trainerId: string;
  trainerName: string;
  rateWords: string;
  pickedCourses: { id: string; deliveredOn: string; venue: string; observed: boolean; reason: SampleYear['picked'][number]['reason'] }[];
};

/** An observation as pages show it. */
export type ObservationItem = { id: string; courseId: string; observerId: string; observerName: string; observedOn: string; rubricName: string; passThreshold: number; createdAt: Date; percent: number; passed: boolean; mustPassFailed: boolean; notes: string };

/** The observations of some courses, oldest first. */
export async function observationsOf(db: Db, courseIds: string[]): Promise<ObservationItem[]> {
  if (!courseIds.length) return [];
  return db
    .select({ id: courseObservations.id, courseId: courseObservations.courseId, observerId: courseObservations.observerId, observerName: users.name, observedOn: courseObservations.observedOn, rubricName: rubrics.name, passThreshold: rubrics.passThreshold, createdAt: courseObservations.createdAt, percent: courseObservations.percent, passed: courseObservations.passed, mustPassFailed: courseObservations.mustPassFailed, notes: courseObservations.notes })
    .from(courseObservations)
    .innerJoin(users, eq(users.id, courseObservations.observerId))
    .innerJoin(rubrics, eq(rubrics.id, courseObservations.rubricId))
    .where(inArray(courseObservations.courseId, courseIds))
    .orderBy(asc(courseObservations.observedOn), asc(courseObservations.createdAt));
}

/** Every rate set, with the names of what it is set for. */
export async function ratesSet(db: Db) {
  return db
    .select({ id: samplingRates.id, organisationId: samplingRates.organisationId, programmeTemplateId: samplingRates.programmeTemplateId, percent: samplingRates.percent, organisationName: organisations.name, programmeName: programmeTemplates.name })
    .from(samplingRates)
    .leftJoin(organisations, eq(organisations.id, samplingRates.organisationId))
    .leftJoin(programmeTemplates, eq(programmeTemplates.id, samplingRates.programmeTemplateId));
}

/** The rate for a trainer's year: the organisation's, else the programme's (of their latest course), else 20%. */
export function rateFor(rates: Awaited<ReturnType<typeof ratesSet>>, organisationId: string, programmeTemplateId: string | null): RateSource {
  const org = rates.find((r) => r.organisationId === organisationId);
  if (org) return { percent: org.percent, words: `${org.percent}% (set for ${org.organisationName})` };
  const prog = programmeTemplateId ? rates.find((r) => r.programmeTemplateId === programmeTemplateId) : undefined;
  if (prog) return { percent: prog.percent, words: `${prog.percent}% (set for the programme ${prog.programmeName})` };
  return { percent: DEFAULT_RATE, words: `${DEFAULT_RATE}% (the default)` };
}

/** Every trainer's sample, per organisation and year, newest year first, then by organisation and trainer name.
 * `organisationId` narrows it to one organisation; `today` defaults to the UK date now. */
export async function trainerSamples(db: Db, options: { organisationId?: string; today?: string } = {}): Promise<TrainerSample[]> {
  const today = options.today ?? londonDate(new Date());
  const where: SQL[] = [];
  if (options.organisationId) where.push(eq(impactCourses.organisationId, options.organisationId));
  const [courses, rates] = await Promise.all([
    db
      .select({ id: impactCourses.id, organisationId: impactCourses.organisationId, organisationName: organisations.name, trainerId: impactCourses.trainerId, trainerName: users.name, deliveredOn: impactCourses.deliveredOn, createdAt: impactCourses.createdAt, venue: impactCourses.venue, programmeTemplateId: cohorts.programmeTemplateId, picked: observationPicks.courseId })
      .from(impactCourses)
      .innerJoin(organisations, eq(organisations.id, impactCourses.organisationId))
      .innerJoin(users, eq(users.id, impactCourses.trainerId))
      .innerJoin(cohorts, eq(cohorts.id, impactCourses.cohortId))
      .leftJoin(observationPicks, eq(observationPicks.courseId, impactCourses.id))
      .where(where.length ? and(...where) : undefined),
    ratesSet(db),
  ]);
  const observed = new Set(
    courses.length
      ? (await db.selectDistinct({ courseId: courseObservations.courseId }).from(courseObservations).innerJoin(impactCourses, eq(impactCourses.id, courseObservations.courseId)).where(where.length ? and(...where) : undefined)).map((r) => r.courseId)
      : [],
  );
  const groups = new Map<string, typeof courses>();
  for (const c of courses) {
    const k = `${c.organisationId}|${c.trainerId}|${c.deliveredOn.slice(0, 4)}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const out: TrainerSample[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    const year = Number(first.deliveredOn.slice(0, 4));
    const latest = [...list].sort((a, b) => b.deliveredOn.localeCompare(a.deliveredOn))[0];
    const rate = rateFor(rates, first.organisationId, latest.programmeTemplateId);
    const s = sampleYear(first.trainerId, year, list.map((c) => ({ id: c.id, deliveredOn: c.deliveredOn, createdAt: c.createdAt, observed: observed.has(c.id), pickedByHand: c.picked !== null })), rate.percent, today);
    const byId = new Map(list.map((c) => [c.id, c]));
    out.push({
      ...s,
      organisationId: first.organisationId,
      organisationName: first.organisationName,
      trainerId: first.trainerId,
      trainerName: first.trainerName,
      rateWords: rate.words,
      pickedCourses: s.picked.map((p) => {
        const c = byId.get(p.id) as (typeof list)[number];
        return { id: c.id, deliveredOn: c.deliveredOn, venue: c.venue, observed: observed.has(c.id), reason: p.reason };
      }),
    });
  }
  return out.sort((a, b) => b.year - a.year || a.organisationName.localeCompare(b.organisationName) || a.trainerName.localeCompare(b.trainerName));
}

/** The sample a course belongs to (its trainer's year), and whether the course is in it. */
export async function courseSampling(db: Db, course: { id: string; organisationId: string; trainerId: string; deliveredOn: string }) {
  const samples = await trainerSamples(db, { organisationId: course.organisationId });
  const sample = samples.find((s) => s.trainerId === course.trainerId && s.year === Number(course.deliveredOn.slice(0, 4)));
  const pick = sample?.picked.find((p) => p.id === course.id) ?? null;
  return { sample: sample ?? null, pick };
}

/** The hand pick of a course, if any, with who picked it. */
export async function handPickOf(db: Db, courseId: string) {
  const [row] = await db.select({ reason: observationPicks.reason, pickedBy: users.name, createdAt: observationPicks.createdAt }).from(observationPicks).innerJoin(users, eq(users.id, observationPicks.pickedBy)).where(eq(observationPicks.courseId, courseId));
  return row ?? null;
}
