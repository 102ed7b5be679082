/** What the remedial workshop's JSON shows: topics, the checklist and sign-offs field by field (never a raw row), with
 * `can` flags. */
import { can, presenter, type Actor, type CohortRow, type Evaluation } from '../../server/modules/kit';
import type { AgendaItem } from './agenda';
import type { checklistRows, listSignoffs } from './queries';

type Topic = { id: string; candidateId: string; text: string; competencyCode: string | null; criterionId: string | null; coveredBy: string | null; coveredAt: Date | null; createdAt: Date };
type Checklist = Awaited<ReturnType<typeof checklistRows>>;
type Signoff = Awaited<ReturnType<typeof listSignoffs>>[number];

function topicView(actor: Actor, cohort: CohortRow, t: Topic) {
  return {
    id: t.id,
    candidateId: t.candidateId,
    text: t.text,
    competencyCode: t.competencyCode,
    criterionId: t.criterionId,
    covered: !!t.coveredAt,
    coveredBy: t.coveredBy,
    coveredAt: t.coveredAt,
    createdAt: t.createdAt,
    can: { cover: can(actor, 'remedial-workshop:cover', { type: 'candidate', cohort, candidateId: t.candidateId }) },
  };
}

const checklistView = (items: Checklist) => items.map((i) => ({ key: i.key, label: i.label, lead: i.lead, mentor: i.mentor }));
const signoffView = (s: Signoff) => ({ candidateId: s.candidateId, mentorName: s.mentorName, note: s.note, overrideReason: s.overrideReason, at: s.at });

/** One topic, after it was requested or marked covered. */
export const presentTopic = presenter((actor: Actor, cohort: CohortRow, t: Topic) => ({ topic: topicView(actor, cohort, t) }));

/** The checklist, after a tick. */
export const presentChecklist = presenter((items: Checklist) => ({ checklist: checklistView(items) }));

/** A final readiness sign-off just given. */
export const presentSignoff = presenter((s: { id: string; candidateId: string; mentorId: string; note: string | null; overrideReason: string | null; ledgerSeq: number | null; createdAt: Date }) => ({
  signoff: { id: s.id, candidateId: s.candidateId, mentorId: s.mentorId, note: s.note, overrideReason: s.overrideReason, ledgerSeq: s.ledgerSeq, at: s.createdAt },
}));

/** A candidate's pre-filled agenda and their topics. */
export const presentAgenda = presenter((actor: Actor, cohort: CohortRow, agenda: AgendaItem[] | undefined, topics: Topic[]) => ({ agenda: agenda ?? [], topics: topics.map((t) => topicView(actor, cohort, t)) }));

/** The whole stage as the caller may see it. */
export const presentWorkshop = presenter(
  (
    actor: Actor,
    cohort: CohortRow,
    stage: { id: string; title: string; startsOn: string | null; endsOn: string | null },
    view: { ids: string[]; checklist: Checklist; topics: Topic[]; signoffs: Signoff[]; standing: Map<string, { topics: Evaluation; readiness: Evaluation }> },
  ) => {
    const subject = { type: 'cohort' as const, cohort };
    return {
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      checklist: checklistView(view.checklist),
      topics: view.topics.map((t) => topicView(actor, cohort, t)),
      signoffs: view.signoffs.filter((s) => view.ids.includes(s.candidateId)).map(signoffView),
      standings: view.ids.map((candidateId) => ({ candidateId, ...view.standing.get(candidateId) })),
      can: {
        tickLead: can(actor, 'remedial-workshop:tick-lead', subject),
        tickMentor: can(actor, 'remedial-workshop:tick-mentor', subject),
        sign: can(actor, 'remedial-workshop:sign-readiness', subject),
        requestTopic: can(actor, 'remedial-workshop:request-topic', { type: 'candidate', cohort, candidateId: actor.id }),
      },
    };
  },
);
