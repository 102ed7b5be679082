/** The ledger vouches for course observations and hand picks (the QA report shows both): each row must match its
 * `course.observed` / `course.picked_for_observation` entry, and each entry must have its row. */
import { sql } from 'drizzle-orm';
import { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, num, str, type Disagreement, type ProjectionScope } from '../ledger/projections';
import { rows as query } from '../readiness/sql';

const cohortFilter = (scope: ProjectionScope) => (scope.cohortId ? sql`c.cohort_id = ${scope.cohortId}::uuid` : sql`true`);
const date = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));
const seqOf = (v: string | number | null) => (v === null ? null : Number(v));
const dayOf = (v: string | Date): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

type ObservationRow = { id: string; course_id: string; observer_id: string; rubric_id: string; observed_on: string | Date; percent: string | number; passed: boolean; must_pass_failed: boolean; notes: string; ledger_seq: string | number | null; created_at: string | Date; trainer_id: string; trainer_name: string };

/** Mentors' observations of delivered courses. */
export const observationProjection = defineProjection({
  name: 'course observations',
  subjectTypes: ['course_observation'],
  async check(db, facts, scope) {
    const list = await query<ObservationRow>(db, sql`select o.*, c.trainer_id, u.name as trainer_name from course_observations o join impact_courses c on c.id = o.course_id join users u on u.id = c.trainer_id where ${cohortFilter(scope)} order by o.created_at, o.id`);
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const o of list) {
      const about = `the observation of a course ${o.trainer_name} delivered`;
      const f = subjects.get(o.id)?.[0];
      if (!f) return found({ table: 'course_observations', rowId: o.id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(o.id);
      const problem = firstDifference([
        ['course', o.course_id, str(f.payload, 'courseId')],
        ['trainer', o.trainer_id, f.candidateId],
        ['observer', o.observer_id, f.actorId],
        ['rubric', o.rubric_id, str(f.payload, 'rubricId')],
        ['date observed', dayOf(o.observed_on), str(f.payload, 'observedOn')],
        ['score', Number(o.percent), num(f.payload, 'percent')],
        ['result', o.passed, f.payload.passed === true],
        ['essential criteria', o.must_pass_failed, f.payload.mustPassFailed === true],
        ['notes', o.notes, str(f.payload, 'notes')],
        ['time', date(o.created_at), f.at],
        ['ledger entry number', seqOf(o.ledger_seq), f.seq],
      ]);
      if (problem) return found({ table: 'course_observations', rowId: o.id, seq: f.seq, about, problem });
    }
    for (const [id, own] of subjects) return found({ table: 'course_observations', rowId: id, seq: own[0].seq, about: 'a course observation', problem: missingRow(own[0].seq) });
    return { rows: list.length, disagreement: null };
  },
});

type PickRow = { course_id: string; picked_by: string; reason: string; ledger_seq: string | number | null; created_at: string | Date; trainer_id: string; trainer_name: string };

/** Courses a provider picked for observation by hand. */
export const pickProjection = defineProjection({
  name: 'observation picks',
  subjectTypes: ['observation_pick'],
  async check(db, facts, scope) {
    const list = await query<PickRow>(db, sql`select p.*, c.trainer_id, u.name as trainer_name from observation_picks p join impact_courses c on c.id = p.course_id join users u on u.id = c.trainer_id where ${cohortFilter(scope)} order by p.created_at, p.course_id`);
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const p of list) {
      const about = `the pick for observation of a course ${p.trainer_name} delivered`;
      const f = subjects.get(p.course_id)?.[0];
      if (!f) return found({ table: 'observation_picks', rowId: p.course_id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(p.course_id);
      const problem = firstDifference([
        ['trainer', p.trainer_id, f.candidateId],
        ['picker', p.picked_by, f.actorId],
        ['reason', p.reason, str(f.payload, 'reason')],
        ['time', date(p.created_at), f.at],
        ['ledger entry number', seqOf(p.ledger_seq), f.seq],
      ]);
      if (problem) return found({ table: 'observation_picks', rowId: p.course_id, seq: f.seq, about, problem });
    }
    for (const [id, own] of subjects) return found({ table: 'observation_picks', rowId: id, seq: own[0].seq, about: 'a course picked for observation', problem: missingRow(own[0].seq) });
    return { rows: list.length, disagreement: null };
  },
});
