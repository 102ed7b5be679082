/** What transfer week's JSON shows: days, register rows and moments, field by field (never a raw row), with `can` flags. */
import { can, presenter, type Actor, type CohortRow, type Evaluation } from '../../server/modules/kit';
import type { AttendanceMark } from './schema';

type Day = { id: string; day: string; venue: string; notes: string | null; present?: number; late?: number; absent?: number };
type Moment = { id: string; candidateId: string; candidateName?: string; dayId: string | null; segment: string; reflection: string; status: string; mentorComment: string | null; decidedAt: Date | null; createdAt: Date };

const dayView = (d: Day) => ({ id: d.id, day: d.day, venue: d.venue, notes: d.notes, present: d.present ?? 0, late: d.late ?? 0, absent: d.absent ?? 0 });

/** A moment with what the caller may do about it (revise their own, or confirm/return as a mentor). */
function momentView(actor: Actor, cohort: CohortRow, m: Moment) {
  const record = { type: 'candidate' as const, cohort, candidateId: m.candidateId };
  return {
    id: m.id,
    candidateId: m.candidateId,
    ...(m.candidateName === undefined ? {} : { candidateName: m.candidateName }),
    dayId: m.dayId,
    segment: m.segment,
    reflection: m.reflection,
    status: m.status,
    mentorComment: m.mentorComment,
    decidedAt: m.decidedAt,
    createdAt: m.createdAt,
    can: { revise: m.status !== 'confirmed' && actor.id === m.candidateId && can(actor, 'transfer-week:log-moment', record), decide: m.status === 'submitted' && can(actor, 'transfer-week:confirm', record) },
  };
}

/** One scheduled day. */
export const presentDay = presenter((d: Day) => ({ day: dayView(d) }));

/** One moment, after it was logged, revised or decided. */
export const presentMoment = presenter((actor: Actor, cohort: CohortRow, m: Moment) => ({ moment: momentView(actor, cohort, m) }));

/** A day's register: every candidate with their mark (and how many marks were saved, after a save). */
export const presentRegister = presenter((d: Day, rows: { candidateId: string; name: string; mark: AttendanceMark | null }[], saved?: number) => ({
  ...(saved === undefined ? {} : { saved }),
  day: dayView(d),
  rows: rows.map((r) => ({ candidateId: r.candidateId, name: r.name, mark: r.mark })),
}));

/** The whole stage as the caller may see it. */
export const presentWeek = presenter(
  (
    actor: Actor,
    cohort: CohortRow,
    stage: { id: string; title: string; startsOn: string | null; endsOn: string | null },
    days: Day[],
    moments: Moment[],
    standing: Map<string, { days: Evaluation; moments: Evaluation }>,
  ) => {
    const subject = { type: 'cohort' as const, cohort };
    return {
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      days: days.map(dayView),
      moments: moments.map((m) => momentView(actor, cohort, m)),
      standings: [...standing].map(([candidateId, s]) => ({ candidateId, days: s.days, moments: s.moments })),
      can: {
        schedule: can(actor, 'transfer-week:schedule', subject),
        register: can(actor, 'transfer-week:register', subject),
        logMoment: can(actor, 'transfer-week:log-moment', { type: 'candidate', cohort, candidateId: actor.id }),
      },
    };
  },
);
