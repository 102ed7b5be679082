/** Ready-made `authorize` functions for impact routes: a course named in the address, or a client organisation. */
import type { Request } from 'express';
import { getCohort, getOrganisation, type CohortRow } from '../cohorts/queries';
import type { Db } from '../db';
import { NotFoundError } from '../errors';
import type { Action, Grant } from '../http/router';
import { getCourse, type CourseListItem } from './course-queries';

/** A course subject with its row and its cohort loaded. */
export type CourseSubject = { type: 'course'; cohort: CohortRow; course: CourseListItem };
/** A client organisation subject. */
export type OrganisationSubject = { type: 'organisation'; id: string; name: string; timeZone: string };

/** Authorises `action` on the course `:courseId` (404 "That course" outside the actor's world). */
export function onCourse(db: Db, action: Action) {
  return async (_req: Request, input: { params: { courseId: string } }): Promise<Grant<CourseSubject>> => {
    const course = await getCourse(db, input.params.courseId);
    const cohort = await getCohort(db, course.cohortId);
    return [action, { type: 'course', cohort, course }, 'That course'];
  };
}

/** Authorises `action` on the client organisation `:organisationId` (404 "That organisation"). */
export function onOrganisation(db: Db, action: Action) {
  return async (_req: Request, input: { params: { organisationId: string } }): Promise<Grant<OrganisationSubject>> => {
    const org = await getOrganisation(db, input.params.organisationId);
    if (org.kind !== 'client') throw new NotFoundError('That organisation');
    return [action, { type: 'organisation', id: org.id, name: org.name, timeZone: org.timeZone }, 'That organisation'];
  };
}
