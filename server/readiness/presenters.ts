/** Presenters: readiness in, the JSON and view models out (with `can` flags and words for every state). */
import { type CandidateReadiness, type Cell, type CohortReadiness } from './model';
import type { presentCharts } from './charts';
import { readinessOutlook } from './projection';

const candidateStateLabels: Record<CandidateReadiness['state'], string> = {
  ready: 'Ready to deliver',
  at_risk: 'At risk',
  blocked: 'Blocked',
  in_progress: 'In progress',
};

/** The words for a candidate's overall state. */
export function candidateStateLabel(state: CandidateReadiness['state']): string {
  return candidateStateLabels[state];
}

/** The JSON for one cohort's readiness (the API shape). */
export function presentReadinessJson(cohort: CohortReadiness) {
  return {
    cohort: { id: cohort.id, name: cohort.name, organisationId: cohort.organisationId, organisationName: cohort.organisationName, programme: cohort.programmeName, startsOn: cohort.startsOn, endsOn: cohort.endsOn },
    counts: cohort.counts,
    stages: cohort.stages,
    competencies: cohort.competencies,
    candidates: cohort.candidates.map((c) => ({
      id: c.candidateId,
      name: c.name,
      ready: c.ready,
      state: c.state,
      nextAction: c.nextAction,
      flags: c.flags,
      lastActivityAt: c.lastActivityAt === null ? null : new Date(c.lastActivityAt).toISOString(),
      stages: c.stages.map((cell, i) => ({ stageId: cohort.stages[i].id, state: cell.state, label: cell.label, at: cell.at === null ? null : new Date(cell.at).toISOString() })),
      competencies: c.competencies.map((cell, i) => ({ competencyId: cohort.competencies[i].id, state: cell.state, label: cell.label })),
    })),
  };
}

const cellView = (cell: Cell) => ({ state: cell.state, label: cell.label });

/** One candidate's row in a heatmap. */
function candidateRow(cohortId: string, c: CandidateReadiness) {
  return {
    id: c.candidateId,
    name: c.name,
    state: c.state,
    stateLabel: candidateStateLabel(c.state),
    nextAction: c.nextAction,
    flags: c.flags,
    stagesDone: c.stagesDone,
    competenciesSigned: c.competenciesSigned,
    link: `/cohorts/${cohortId}/candidates/${c.candidateId}`,
    stages: c.stages.map(cellView),
    competencies: c.competencies.map(cellView),
  };
}

/** A short summary of a cohort for dashboards that show several side by side. */
export function presentCohortSummary(cohort: CohortReadiness) {
  const cells = cohort.candidates.length * cohort.stages.length;
  const done = cohort.candidates.reduce((n, c) => n + c.stagesDone, 0);
  return {
    id: cohort.id,
    name: cohort.name,
    organisationName: cohort.organisationName,
    startsOn: cohort.startsOn,
    endsOn: cohort.endsOn,
    counts: cohort.counts,
    stagesDone: done,
    stageCells: cells,
    percentStagesDone: cells ? Math.round((done / cells) * 100) : 0,
    atRisk: cohort.candidates.filter((c) => c.state === 'at_risk').map((c) => ({ name: c.name, link: `/cohorts/${cohort.id}/candidates/${c.candidateId}`, reason: c.flags[0]?.message ?? '' })),
    link: `/cohorts/${cohort.id}/readiness`,
  };
}

/** The cohort readiness page's view model: one entry per candidate (the matrix on wide screens, a card on narrow),
 * each with what would make them ready and a projected date from the remaining windows. */
export function presentReadinessPage(cohort: CohortReadiness, charts: ReturnType<typeof presentCharts>, can: { export: boolean }, back: { href: string; label: string }, today: string) {
  return {
    title: `Readiness — ${cohort.name}`,
    cohort: { id: cohort.id, name: cohort.name, organisationName: cohort.organisationName, programme: cohort.programmeName, startsOn: cohort.startsOn, endsOn: cohort.endsOn },
    counts: cohort.counts,
    stages: cohort.stages,
    competencies: cohort.competencies,
    candidates: cohort.candidates.map((c) => {
      const outlook = readinessOutlook(c, cohort, today);
      return {
        ...candidateRow(cohort.id, c),
        stages: c.stages.map((cell, i) => ({ ...cellView(cell), title: cohort.stages[i].title, position: cohort.stages[i].position, on: cell.state === 'complete' && cell.at !== null ? cell.at : null })),
        competencies: c.competencies.map((cell, i) => ({ ...cellView(cell), code: cohort.competencies[i].code, name: cohort.competencies[i].name, safetyCritical: cohort.competencies[i].safetyCritical })),
        ready: c.ready,
        gaps: outlook.gaps,
        projection: outlook.projection,
        projected: outlook.projectedOn !== null,
      };
    }),
    charts,
    can,
    back,
  };
}
