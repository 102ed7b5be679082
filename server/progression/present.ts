/** Presenters: a candidate's stages as the timeline page and the JSON API show them. */
import type { RequirementResult, StageProgress } from './engine';
import { unmetReasons } from './queries';

const WORDS: Record<string, string> = {
  locked: 'Locked',
  open: 'Open — ready to start',
  in_progress: 'In progress',
  complete: 'Complete',
  waived: 'Waived by your mentor',
};

/** The stage a candidate is at: the first neither complete nor waived (undefined when all are done). */
export function currentStage(stages: StageProgress[]): StageProgress | undefined {
  return stages.find((s) => s.status !== 'complete' && s.status !== 'waived');
}

/** One unmet requirement as a step: its sentence and where to act on it. */
export type Step = { text: string; href: string | null; label: string | null };

/** What to do next: one clear step with where to do it, and every other unmet requirement of the current stage behind
 * it (`rest`), each with its own link when the candidate acts somewhere else than the stage's page. */
export function nextStep(cohortId: string, stages: StageProgress[]): Step & { title: string | null; rest: Step[] } {
  const current = currentStage(stages);
  if (!stages.length) return { text: 'Your programme has no stages yet.', href: null, label: null, title: null, rest: [] };
  if (!current) return { text: 'You have completed every stage. Well done.', href: null, label: null, title: null, rest: [] };
  if (current.status === 'locked') return { text: `'${current.title}' is not open yet: ${unmetReasons(current).join(' ')}`, href: null, label: null, title: current.title, rest: [] };
  const stagePage = `/cohorts/${cohortId}/stages/${current.key}`;
  const steps: Step[] = current.complete
    .filter((r) => !r.met)
    .map((r) => (r.act ? { text: r.reason, href: r.act.href, label: r.act.label } : { text: r.reason, href: stagePage, label: `Go to ${current.title}` }));
  const [first, ...rest] = steps.length ? steps : [{ text: `Carry on with '${current.title}'.`, href: stagePage, label: `Go to ${current.title}` }];
  return { ...first, title: current.title, rest };
}

function requirementView(r: RequirementResult, when: 'open' | 'complete') {
  // "0 of 0" measures nothing (no modules assigned yet): no bar, the sentence says why.
  const progress = r.progress && r.progress.of > 0 ? r.progress : undefined;
  const progressLabel = progress ? (progress.of === 100 ? `${progress.done}%` : `${progress.done} of ${progress.of}`) : null;
  return { ...r, progress, when, whenLabel: when === 'open' ? 'To open' : 'To complete', progressLabel, pct: progress ? Math.min(100, Math.round((progress.done / progress.of) * 100)) : null };
}

/** A sentence written to the candidate ("you are at 64%", "your mentor") said about them to someone else ("Sam is at
 * 64%", "Sam's mentor"): requirement reasons are written to the candidate, and a mentor's page speaks to the mentor. */
export function aboutCandidate(text: string, firstName: string): string {
  const name = firstName.trim() || 'The candidate';
  const possessive = /s$/i.test(name) ? `${name}’` : `${name}’s`;
  return text
    .replace(/\byou are\b/gi, `${name} is`)
    .replace(/\byou have\b/gi, `${name} has`)
    .replace(/\byou've\b/gi, `${name} has`)
    .replace(/\byou're\b/gi, `${name} is`)
    .replace(/\byours\b/gi, possessive)
    .replace(/\byour\b/gi, possessive)
    .replace(/\byourself\b/gi, name)
    .replace(/\byou\b/gi, name);
}

/** The timeline's stages, with words for each status, every requirement, and the link to act; `about` (the
 * candidate's first name) when the page is for someone else, so the reasons speak about the candidate. */
export function presentTimeline(cohortId: string, stages: StageProgress[], about?: string) {
  const current = currentStage(stages);
  const say = (text: string) => (about === undefined ? text : aboutCandidate(text, about));
  return stages.map((s) => ({
    ...s,
    statusWords: WORDS[s.status] ?? s.status,
    isCurrent: current?.stageId === s.stageId,
    href: `/cohorts/${cohortId}/stages/${s.key}`,
    reasons: unmetReasons(s).map(say),
    summary: typeof s.summary === 'string' ? say(s.summary) : s.summary,
    requirements: [...s.open.map((r) => requirementView(r, 'open')), ...s.complete.map((r) => requirementView(r, 'complete'))].map((r) => ({ ...r, reason: say(r.reason) })),
    canMark: s.complete.some((r) => r.kind === 'mentor-marked-complete' && !r.met),
    done: s.status === 'complete' || s.status === 'waived',
  }));
}

/** The progress API's shape for one candidate. */
export function presentProgressJson(stages: StageProgress[]) {
  return stages.map((s) => ({
    stageId: s.stageId,
    key: s.key,
    title: s.title,
    position: s.position,
    status: s.status,
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    waiver: s.waiver ? { reason: s.waiver.reason, at: s.waiver.at.toISOString() } : null,
    requirements: [
      ...s.open.map((r) => ({ when: 'open' as const, ...pick(r) })),
      ...s.complete.map((r) => ({ when: 'complete' as const, ...pick(r) })),
    ],
  }));
}

function pick(r: RequirementResult) {
  return { kind: r.kind, key: r.key, met: r.met, reason: r.reason, progress: r.progress ?? null, waived: r.waived };
}
