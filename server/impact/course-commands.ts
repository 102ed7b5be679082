/** Recording and editing a delivered course: checked against the programme's curriculum, the organisation's register
 * setting and its trainers, written with its audit event in one transaction. */
import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import type { CohortRow } from '../cohorts/queries';
import { impactCourses, impactResponses, type RegisterMode } from '../db/tables';
import { ValidationError, type FieldProblem } from '../errors';
import { coTrainerChoices, registerModeOf, type CourseRow } from './course-queries';
import { cohortCurriculum, FALLBACK_OUTCOMES, type Curriculum, type ProgrammeContext } from './programme';
import type { CourseInput } from './schemas';
import { MAX_OUTCOMES } from './vocabulary';

const CODE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$/;

/** The register's lines, checked against the organisation's choice (codes carry no personal data). */
export function parseRegister(text: string, mode: RegisterMode): { entries: string[]; problems: FieldProblem[] } {
  const entries = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const problems: FieldProblem[] = [];
  if (entries.length > 500) problems.push({ field: 'register', message: `has ${entries.length} lines; a register holds at most 500` });
  entries.forEach((e, i) => {
    if (mode === 'codes' && !CODE.test(e)) {
      problems.push({ field: 'register', message: `line ${i + 1} (“${e.slice(0, 40)}”) is not a code: your organisation records pseudonymous codes such as HC-014 (letters, digits and dashes, no spaces), not names` });
    } else if (e.length > 80) problems.push({ field: 'register', message: `line ${i + 1} is longer than 80 characters` });
  });
  return { entries, problems: problems.slice(0, 10) };
}

/** The learning outcomes a course's questionnaire asks about: the programme's, else the modules covered, else a
 * standard three. */
export function outcomesFor(curriculum: Curriculum, modules: string[]): string[] {
  const list = curriculum.outcomes.length ? curriculum.outcomes : modules.length ? modules : FALLBACK_OUTCOMES;
  return list.slice(0, MAX_OUTCOMES);
}

const today = () => new Date().toISOString().slice(0, 10);

async function checkCourse(ctx: ProgrammeContext, cohort: CohortRow, input: CourseInput, trainerId: string) {
  const { db } = ctx;
  const [curriculum, mode, choices] = await Promise.all([cohortCurriculum(ctx, cohort.id), registerModeOf(db, cohort.organisationId), coTrainerChoices(db, cohort.organisationId, trainerId)]);
  const problems: FieldProblem[] = [];
  const offered = new Set([...curriculum.knowledge, ...curriculum.practical]);
  if (input.deliveredOn > today()) problems.push({ field: 'deliveredOn', message: 'is in the future: record a course once it has been delivered' });
  if (input.deliveredOn < '2000-01-01') problems.push({ field: 'deliveredOn', message: 'is too long ago: check the year' });
  if (offered.size && !input.modules.length) problems.push({ field: 'modules', message: 'choose at least one knowledge module or practical session you covered' });
  const unknown = input.modules.filter((m) => !offered.has(m));
  if (unknown.length) problems.push({ field: 'modules', message: `“${unknown[0].slice(0, 60)}” is not one of this programme’s modules or sessions` });
  if (input.coTrainerId && !choices.some((c) => c.id === input.coTrainerId)) problems.push({ field: 'coTrainerId', message: 'choose a co-trainer from the list (a trainer of your organisation)' });
  const register = parseRegister(input.register, mode);
  problems.push(...register.problems);
  if (register.entries.length > input.attendees) problems.push({ field: 'attendees', message: `is ${input.attendees}, but the register lists ${register.entries.length} people` });
  if (problems.length) throw new ValidationError(`The course has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.map((p) => p.message).join('; ')}.`, problems);
  return { curriculum, mode, register: register.entries };
}

/** Records a course `actor` delivered (the route authorised `course:record` on the cohort). */
export async function recordCourse(ctx: ProgrammeContext, actor: Actor, cohort: CohortRow, input: CourseInput): Promise<CourseRow> {
  const { curriculum, mode, register } = await checkCourse(ctx, cohort, input, actor.id);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(impactCourses)
      .values({
        organisationId: cohort.organisationId,
        cohortId: cohort.id,
        trainerId: actor.id,
        coTrainerId: input.coTrainerId,
        deliveredOn: input.deliveredOn,
        venue: input.venue,
        modules: input.modules,
        outcomes: outcomesFor(curriculum, input.modules),
        attendees: input.attendees,
        register,
        registerMode: mode,
        durationMinutes: Math.round(input.durationHours * 60),
        questionnaireCode: randomBytes(16).toString('base64url'),
        createdBy: actor.id,
      })
      .returning();
    // The audit keeps what was recorded, not who attended (the register's entries stay out of the trail).
    await audit(tx, { actorId: actor.id, action: 'course.recorded', subjectType: 'impact_course', subjectId: row.id, after: { deliveredOn: row.deliveredOn, venue: row.venue, modules: row.modules, attendees: row.attendees, registerEntries: register.length, durationMinutes: row.durationMinutes, coTrainerId: row.coTrainerId } });
    return row;
  });
}

/** Edits a course (the route authorised `course:edit`). Its questionnaire's outcomes stay fixed once anyone answered. */
export async function editCourse(ctx: ProgrammeContext, actor: Actor, cohort: CohortRow, course: CourseRow, input: CourseInput): Promise<CourseRow> {
  const { curriculum, mode, register } = await checkCourse(ctx, cohort, input, course.trainerId);
  return ctx.db.transaction(async (tx) => {
    const [{ n }] = await tx.select({ n: count() }).from(impactResponses).where(eq(impactResponses.courseId, course.id));
    const patch = {
      coTrainerId: input.coTrainerId,
      deliveredOn: input.deliveredOn,
      venue: input.venue,
      modules: input.modules,
      outcomes: n ? course.outcomes : outcomesFor(curriculum, input.modules),
      attendees: input.attendees,
      register,
      registerMode: mode,
      durationMinutes: Math.round(input.durationHours * 60),
      updatedAt: new Date(),
    };
    const [row] = await tx.update(impactCourses).set(patch).where(eq(impactCourses.id, course.id)).returning();
    const shape = (c: Pick<CourseRow, 'deliveredOn' | 'venue' | 'modules' | 'attendees' | 'durationMinutes' | 'coTrainerId'> & { register: string[] }) => ({
      deliveredOn: c.deliveredOn,
      venue: c.venue,
      modules: c.modules,
      attendees: c.attendees,
      registerEntries: c.register.length,
      durationMinutes: c.durationMinutes,
      coTrainerId: c.coTrainerId,
    });
    await audit(tx, { actorId: actor.id, action: 'course.edited', subjectType: 'impact_course', subjectId: course.id, before: shape(course), after: shape(row) });
    return row;
  });
}
