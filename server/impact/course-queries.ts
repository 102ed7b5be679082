/** Reads about delivered courses: one course, a trainer's or an organisation's list, trainers to choose from. */
import { aliasedTable, and, asc, desc, eq, inArray, or } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { Db } from '../db';
import { cohortMembers, cohorts, impactCourses, impactSettings, users, type RegisterMode } from '../db/tables';
import { NotFoundError } from '../errors';
import { id as uuidSchema } from '../http/validate';

/** A course row. */
export type CourseRow = typeof impactCourses.$inferSelect;

/** A course with the names people read. */
export type CourseListItem = CourseRow & { trainerName: string; coTrainerName: string | null; cohortName: string };

const coTrainer = aliasedTable(users, 'co_trainer');

function listQuery(db: Db) {
  return db
    .select({ course: impactCourses, trainerName: users.name, coTrainerName: coTrainer.name, cohortName: cohorts.name })
    .from(impactCourses)
    .innerJoin(users, eq(users.id, impactCourses.trainerId))
    .leftJoin(coTrainer, eq(coTrainer.id, impactCourses.coTrainerId))
    .innerJoin(cohorts, eq(cohorts.id, impactCourses.cohortId));
}

const flatten = (rows: { course: CourseRow; trainerName: string; coTrainerName: string | null; cohortName: string }[]): CourseListItem[] =>
  rows.map((r) => ({ ...r.course, trainerName: r.trainerName, coTrainerName: r.coTrainerName, cohortName: r.cohortName }));

/** One course with its names, or 404 "That course" (an id that is not a UUID is simply not found). */
export async function getCourse(db: Db, courseId: string): Promise<CourseListItem> {
  if (!uuidSchema.safeParse(courseId).success) throw new NotFoundError('That course');
  const [row] = flatten(await listQuery(db).where(eq(impactCourses.id, courseId)));
  if (!row) throw new NotFoundError('That course');
  return row;
}

/** The course a questionnaire code belongs to, or 404 "That questionnaire". */
export async function courseByCode(db: Db, code: string): Promise<CourseListItem> {
  if (!/^[A-Za-z0-9_-]{16,32}$/.test(code)) throw new NotFoundError('That questionnaire');
  const [row] = flatten(await listQuery(db).where(eq(impactCourses.questionnaireCode, code)));
  if (!row) throw new NotFoundError('That questionnaire');
  return row;
}

/** Courses a person delivered or co-delivered, newest first. */
export async function coursesOf(db: Db, userId: string): Promise<CourseListItem[]> {
  return flatten(await listQuery(db).where(or(eq(impactCourses.trainerId, userId), eq(impactCourses.coTrainerId, userId))).orderBy(desc(impactCourses.deliveredOn), desc(impactCourses.createdAt)));
}

/** Every course delivered in an organisation, newest first. */
export async function organisationCourses(db: Db, organisationId: string): Promise<CourseListItem[]> {
  return flatten(await listQuery(db).where(eq(impactCourses.organisationId, organisationId)).orderBy(desc(impactCourses.deliveredOn), desc(impactCourses.createdAt)));
}

/** The cohorts in which the actor trains (is a candidate or mentor), by name. */
export async function trainingCohorts(db: Db, actor: Actor) {
  const ids = [...new Set(actor.cohortRoles.filter((c) => c.role === 'candidate' || c.role === 'mentor').map((c) => c.cohortId))];
  if (!ids.length) return [];
  return db.select().from(cohorts).where(inArray(cohorts.id, ids)).orderBy(asc(cohorts.name));
}

/** The people who may co-train a course of `organisationId`: candidates and mentors of its cohorts, except `exceptId`. */
export async function coTrainerChoices(db: Db, organisationId: string, exceptId: string): Promise<{ id: string; name: string }[]> {
  const rows = await db
    .selectDistinct({ id: users.id, name: users.name })
    .from(cohortMembers)
    .innerJoin(cohorts, eq(cohorts.id, cohortMembers.cohortId))
    .innerJoin(users, eq(users.id, cohortMembers.userId))
    .where(and(eq(cohorts.organisationId, organisationId), inArray(cohortMembers.role, ['candidate', 'mentor']), eq(users.status, 'active')))
    .orderBy(asc(users.name));
  return rows.filter((r) => r.id !== exceptId);
}

/** How the organisation's course registers record people (codes unless the lead chose names). */
export async function registerModeOf(db: Db, organisationId: string): Promise<RegisterMode> {
  const [row] = await db.select({ mode: impactSettings.registerMode }).from(impactSettings).where(eq(impactSettings.organisationId, organisationId));
  return row?.mode ?? 'codes';
}
