/** What co-delivery's JSON shows: sessions, outcomes, groups, learners and attainment field by field (never a raw row),
 * with `can` flags. */
import { can, presenter, type Actor, type CohortRow, type Evaluation } from '../../server/modules/kit';
import type { agreement, attainmentGrid, listGroups } from './queries';

type Session = { id: string; title: string; startsAt: Date; endsAt: Date; location: string | null };
type Outcome = { id: string; position: number; text: string };
type Learner = { id: string; groupId: string; label: string };
type Group = { id: string; name: string; candidateId: string; sessionId: string | null };
type ListedGroup = Awaited<ReturnType<typeof listGroups>>[number];
type Agreement = Awaited<ReturnType<typeof agreement>>;
type Grid = Awaited<ReturnType<typeof attainmentGrid>>;

const sessionView = (s: Session) => ({ id: s.id, title: s.title, startsAt: s.startsAt, endsAt: s.endsAt, location: s.location });
const outcomeView = (o: Outcome) => ({ id: o.id, position: o.position, text: o.text });
const learnerView = (l: Learner) => ({ id: l.id, groupId: l.groupId, label: l.label });
const groupView = (g: Group) => ({ id: g.id, name: g.name, candidateId: g.candidateId, sessionId: g.sessionId });

/** A session just added. */
export const presentSession = presenter((s: Session) => ({ session: sessionView(s) }));
/** An outcome just added. */
export const presentOutcome = presenter((o: Outcome) => ({ outcome: outcomeView(o) }));
/** The outcomes just added. */
export const presentOutcomes = presenter((os: Outcome[]) => ({ outcomes: os.map(outcomeView) }));
/** A group just created. */
export const presentGroup = presenter((g: Group) => ({ group: groupView(g) }));
/** The learners just added to a group. */
export const presentLearners = presenter((ls: Learner[]) => ({ learners: ls.map(learnerView) }));
/** How many judgements were saved, and in which role. */
export const presentSaved = presenter((saved: number, role: 'candidate' | 'mentor') => ({ saved, role }));
/** Assessor agreement per candidate. */
export const presentAgreement = presenter((a: Agreement) => ({ agreement: a }));

/** A group's attainment: the leading candidate's levels and the mentors' shadow levels. */
export const presentGrid = presenter((grid: Grid) => ({
  candidate: [...grid.candidate].map(([k, level]) => ({ learnerId: k.split('|')[0], outcomeId: k.split('|')[1], level })),
  mentor: [...grid.mentor].map(([k, v]) => ({ learnerId: k.split('|')[0], outcomeId: k.split('|')[1], level: v.level, recorderId: v.recorderId })),
}));

/** The whole stage as the caller may see it. */
export const presentCourse = presenter(
  (
    actor: Actor,
    cohort: CohortRow,
    stage: { id: string; title: string; startsOn: string | null; endsOn: string | null },
    view: { ids: string[]; sessions: Session[]; outcomes: Outcome[]; groups: ListedGroup[]; standing: Map<string, Evaluation>; agreement: Agreement },
  ) => {
    const subject = { type: 'cohort' as const, cohort };
    return {
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      sessions: view.sessions.map(sessionView),
      outcomes: view.outcomes.map(outcomeView),
      groups: view.groups.map((g) => ({ ...groupView(g), candidateName: g.candidateName, learners: g.learners.map(learnerView) })),
      standings: view.ids.map((candidateId) => ({ candidateId, ...view.standing.get(candidateId) })),
      agreement: view.agreement,
      can: { manage: can(actor, 'co-delivery:manage', subject), roster: can(actor, 'co-delivery:roster', subject), assess: can(actor, 'co-delivery:assess', subject) },
    };
  },
);
