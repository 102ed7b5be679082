/** The readiness model: pure functions from loaded facts to per-candidate, per-stage and per-competency states. */
import type { StageStatus } from '../progression/types';
import { dayOfMinute } from '../util/dates';

/** A heatmap cell's state, always shown with words as well as colour. */
export type CellState = 'complete' | 'in_progress' | 'at_risk' | 'blocked' | 'not_started';

/** One heatmap cell. `at` is when it was completed or last changed (ms since epoch), when known. */
export type Cell = { state: CellState; label: string; at: number | null };

/** Why a candidate may need attention. `waivers_used` is shown but does not by itself make a candidate at risk. */
export type RiskKind = 'stalled' | 'overdue' | 'must_pass_failed' | 'declined_unanswered' | 'waivers_used';

/** One risk flag, with a sentence a lead can act on. */
export type RiskFlag = { kind: RiskKind; message: string };

/** A candidate's overall state: ready to deliver, or why not. */
export type CandidateState = 'ready' | 'at_risk' | 'blocked' | 'in_progress';

/** A stage column. */
export type StageColumn = { id: string; title: string; position: number; startsOn: string | null; endsOn: string | null };

/** A competency column. */
export type CompetencyColumn = { id: string; code: string; name: string; safetyCritical: boolean };

/** One candidate's readiness. `stages` and `competencies` line up with the cohort's columns. */
export type CandidateReadiness = {
  candidateId: string;
  name: string;
  email: string;
  state: CandidateState;
  ready: boolean;
  stages: Cell[];
  competencies: Cell[];
  flags: RiskFlag[];
  nextAction: string;
  lastActivityAt: number | null;
  stagesDone: number;
  competenciesSigned: number;
};

/** Counts across a cohort. */
export type ReadinessCounts = { candidates: number; ready: number; atRisk: number; blocked: number; inProgress: number };

/** One cohort's readiness. */
export type CohortReadiness = {
  id: string;
  name: string;
  organisationId: string;
  organisationName: string;
  programmeName: string | null;
  startsOn: string | null;
  endsOn: string | null;
  stalledAfterDays: number;
  stages: StageColumn[];
  competencies: CompetencyColumn[];
  candidates: CandidateReadiness[];
  counts: ReadinessCounts;
};

/** Where the latest sign-off request for a competency stands (null: never requested). */
export type SignoffFact = { status: string; updatedAt: number } | null;

/** Everything the model needs about one candidate, loaded set-based by `queries.ts`. */
export type CandidateFacts = {
  candidateId: string;
  name: string;
  email: string;
  joinedAt: number;
  stageStatus: (StageStatus | null)[];
  stageDoneAt: (number | null)[];
  signoffs: SignoffFact[];
  lastActivityAt: number | null;
  /** Each mentor whose latest assessment failed a must-pass criterion, as "Priya Shah’s latest Co-delivery observation". */
  mustPassFailed: string[];
  waiverCount: number;
};

/** The days after which a declined request with no resubmission is flagged (a cohort may set `declinedAfterDays`). */
export const DEFAULT_DECLINED_AFTER_DAYS = 7;

const DAY = 86_400_000;

// Building an Intl formatter costs far more than using one: build it once (10,000 candidates call ukDate).
const ukFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in the UK (the programme's calendar), as YYYY-MM-DD. */
export function ukDate(now: Date): string {
  return ukFormatDay(now);
}
const ukFormatDay = dayOfMinute(ukFormat);

const spoken = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "3 Mar 2026" from YYYY-MM-DD. */
export function sayDate(iso: string): string {
  return spoken.format(new Date(`${iso}T00:00:00Z`));
}

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/** A stage cell from the engine's status and the stage's window. */
export function stageCell(status: StageStatus | null, stage: StageColumn, today: string, at: number | null): Cell {
  if (status === 'waived') return { state: 'complete', label: 'Waived', at };
  if (status === 'complete') return { state: 'complete', label: 'Complete', at };
  if (stage.endsOn && stage.endsOn < today) return { state: 'at_risk', label: 'At risk — overdue', at: null };
  const windowOpen = !stage.startsOn || stage.startsOn <= today;
  if (status === 'locked' || status === null) {
    return windowOpen ? { state: 'blocked', label: 'Blocked — locked', at: null } : { state: 'not_started', label: 'Not started', at: null };
  }
  if (status === 'open' && !windowOpen) return { state: 'not_started', label: 'Not started', at: null };
  return { state: 'in_progress', label: status === 'open' ? 'Open' : 'In progress', at: null };
}

const signoffCells: Record<string, Omit<Cell, 'at'>> = {
  signed: { state: 'complete', label: 'Signed off' },
  awaiting_countersign: { state: 'in_progress', label: 'Needs countersignature' },
  pending: { state: 'in_progress', label: 'Waiting for a mentor' },
  more_evidence: { state: 'in_progress', label: 'More evidence asked for' },
  declined: { state: 'at_risk', label: 'At risk — declined' },
  revoked: { state: 'blocked', label: 'Blocked — revoked' },
};

/** A competency cell from the latest sign-off request. */
export function competencyCell(fact: SignoffFact): Cell {
  if (!fact) return { state: 'not_started', label: 'Not started', at: null };
  const cell = signoffCells[fact.status] ?? { state: 'in_progress' as const, label: fact.status };
  return { ...cell, at: fact.updatedAt };
}

/** Options that shape the flags. */
export type ModelOptions = { now: Date; stalledAfterDays: number; declinedAfterDays: number; cohortStartsOn: string | null; today?: string };

/** Works out one candidate's cells, flags, state and next action. */
export function candidateReadiness(facts: CandidateFacts, stages: StageColumn[], comps: CompetencyColumn[], opts: ModelOptions): CandidateReadiness {
  const now = opts.now.getTime();
  const today = opts.today ?? ukDate(opts.now);
  const stageCells = stages.map((s, i) => stageCell(facts.stageStatus[i], s, today, facts.stageDoneAt[i]));
  const compCells = comps.map((_, i) => competencyCell(facts.signoffs[i]));
  const stagesDone = stageCells.filter((c) => c.state === 'complete').length;
  const competenciesSigned = compCells.filter((c) => c.state === 'complete').length;
  const ready = stagesDone === stages.length && competenciesSigned === comps.length;

  const flags: RiskFlag[] = [];
  if (!ready) {
    const since = facts.lastActivityAt ?? Math.max(facts.joinedAt, opts.cohortStartsOn ? Date.parse(`${opts.cohortStartsOn}T00:00:00Z`) : 0);
    const idle = Math.floor((now - since) / DAY);
    if (since <= now && idle >= opts.stalledAfterDays) {
      flags.push({ kind: 'stalled', message: facts.lastActivityAt ? `No activity for ${days(idle)} (the cohort allows ${days(opts.stalledAfterDays)})` : `No activity yet, ${days(idle)} into the programme` });
    }
  }
  const overdue = stages.filter((s, i) => stageCells[i].state === 'at_risk' && s.endsOn);
  for (const s of overdue) flags.push({ kind: 'overdue', message: `${s.title} is overdue — its window closed on ${sayDate(s.endsOn as string)}` });
  for (const which of facts.mustPassFailed) flags.push({ kind: 'must_pass_failed', message: `A must-pass criterion was not met in ${which} assessment` });
  comps.forEach((c, i) => {
    const fact = facts.signoffs[i];
    if (fact?.status !== 'declined') return;
    const waited = Math.floor((now - fact.updatedAt) / DAY);
    if (waited >= opts.declinedAfterDays) flags.push({ kind: 'declined_unanswered', message: `${c.code} ${c.name} was declined ${days(waited)} ago and not resubmitted` });
  });
  if (facts.waiverCount > 0) flags.push({ kind: 'waivers_used', message: `${facts.waiverCount} ${facts.waiverCount === 1 ? 'waiver' : 'waivers'} used` });

  const serious = flags.some((f) => f.kind !== 'waivers_used');
  const blocked = [...stageCells, ...compCells].some((c) => c.state === 'blocked');
  const state: CandidateState = ready ? 'ready' : serious ? 'at_risk' : blocked ? 'blocked' : 'in_progress';
  return {
    candidateId: facts.candidateId,
    name: facts.name,
    email: facts.email,
    state,
    ready,
    stages: stageCells,
    competencies: compCells,
    flags,
    nextAction: nextAction(stageCells, compCells, stages, comps, ready),
    lastActivityAt: facts.lastActivityAt,
    stagesDone,
    competenciesSigned,
  };
}

/**
 * The first instant after `opts.now` at which the clock alone could change `candidateReadiness`'s answer for these
 * facts (days idle, days since a decline: each moves every 24 hours); a new UK day is the caller's to add. Keep in
 * step with the flags above: answering early is safe, answering late is not.
 */
export function readinessChangesAt(facts: CandidateFacts, opts: ModelOptions): number {
  const now = opts.now.getTime();
  let at = Infinity;
  const since = facts.lastActivityAt ?? Math.max(facts.joinedAt, opts.cohortStartsOn ? Date.parse(`${opts.cohortStartsOn}T00:00:00Z`) : 0);
  at = Math.min(at, since > now ? since : since + (Math.floor((now - since) / DAY) + 1) * DAY);
  for (const fact of facts.signoffs) {
    if (fact?.status === 'declined') at = Math.min(at, fact.updatedAt > now ? fact.updatedAt : fact.updatedAt + (Math.floor((now - fact.updatedAt) / DAY) + 1) * DAY);
  }
  return at;
}

/** The one thing that would move this candidate on, in plain words. */
export function nextAction(stageCells: Cell[], compCells: Cell[], stages: StageColumn[], comps: CompetencyColumn[], ready: boolean): string {
  if (ready) return 'Ready to deliver — no action needed';
  const overdue = stageCells.findIndex((c) => c.state === 'at_risk');
  if (overdue >= 0) return `Finish ${stages[overdue].title} — it is overdue`;
  const declined = compCells.findIndex((c) => c.label.includes('declined'));
  if (declined >= 0) return `Resubmit ${comps[declined].code} ${comps[declined].name} with more evidence`;
  const counter = compCells.filter((c) => c.label === 'Needs countersignature').length;
  if (counter) return `A second mentor to countersign ${counter} ${counter === 1 ? 'competency' : 'competencies'}`;
  const current = stageCells.findIndex((c) => c.state === 'in_progress' || c.state === 'blocked');
  if (current >= 0) return `${stageCells[current].state === 'blocked' ? 'Unblock' : 'Work on'} ${stages[current].title}`;
  const waiting = compCells.filter((c) => c.state === 'in_progress').length;
  const notStarted = compCells.filter((c) => c.state === 'not_started').length;
  if (notStarted) return `Request sign-off for ${notStarted} more ${notStarted === 1 ? 'competency' : 'competencies'}`;
  if (waiting) return `A mentor to review ${waiting} sign-off ${waiting === 1 ? 'request' : 'requests'}`;
  const next = stageCells.findIndex((c) => c.state !== 'complete');
  return next >= 0 ? `Wait for ${stages[next].title} to open` : 'Review with a mentor';
}

/** Counts for a list of candidates. */
export function countStates(list: CandidateReadiness[]): ReadinessCounts {
  return {
    candidates: list.length,
    ready: list.filter((c) => c.state === 'ready').length,
    atRisk: list.filter((c) => c.state === 'at_risk').length,
    blocked: list.filter((c) => c.state === 'blocked').length,
    inProgress: list.filter((c) => c.state === 'in_progress').length,
  };
}

/** One thing that stands between a candidate and "ready", in words. */
export type ReadinessGap = { kind: 'competency' | 'stage'; text: string };

/**
 * What keeps a candidate from "ready" in this model: each competency not signed off (with where it stands) and each
 * stage not complete. `exceptStageId` is left out (the stage whose final sign-off is being decided: the caller
 * checks that stage's other requirements itself). Empty when ready.
 */
export function readinessGaps(c: CandidateReadiness, stages: StageColumn[], comps: CompetencyColumn[], exceptStageId?: string): ReadinessGap[] {
  const gaps: ReadinessGap[] = [];
  const unsigned = comps.map((k, i) => ({ k, cell: c.competencies[i] })).filter((x) => x.cell.state !== 'complete');
  if (unsigned.length) {
    const list = unsigned.map((x) => `${x.k.code} ${x.k.name}${x.k.safetyCritical ? ' (safety-critical)' : ''} — ${x.cell.label.toLowerCase()}`);
    gaps.push({ kind: 'competency', text: `${comps.length - unsigned.length} of ${comps.length} competencies are signed off; not yet: ${list.join('; ')}.` });
  }
  stages.forEach((s, i) => {
    if (s.id === exceptStageId || c.stages[i].state === 'complete') return;
    gaps.push({ kind: 'stage', text: `${s.title} is not complete (${c.stages[i].label.toLowerCase()}).` });
  });
  return gaps;
}
