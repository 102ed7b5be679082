/** The readiness CSV exports, in people's words: one header row, states and ratings as the pages say them, times in
 * the organisation's time zone. Written by the one CSV writer (`server/exports/csv.ts`). */
import { localDateTime, ratingWords, signoffStatusWords, timeZoneWords } from '../exports/words';
import type { CohortReadiness } from './model';
import { candidateStateLabel } from './presenters';
import type { SignoffRecord } from './records';

/** The heatmap: one row per candidate; a column per stage and per competency, in words; times in `zone` (the organisation's). */
export function readinessRows(cohort: CohortReadiness, zone: string): unknown[][] {
  const header = [
    'Candidate',
    'E-mail',
    'Ready to deliver',
    'State',
    ...cohort.stages.map((s) => `Stage ${s.position}: ${s.title}`),
    ...cohort.competencies.map((c) => `${c.code} ${c.name}`),
    'Risk flags',
    'Next action',
    `Last activity (${timeZoneWords(zone)})`,
  ];
  const body = cohort.candidates.map((c) => [
    c.name,
    c.email,
    c.ready ? 'Yes' : 'No',
    candidateStateLabel(c.state),
    ...c.stages.map((cell) => cell.label),
    ...c.competencies.map((cell) => cell.label),
    c.flags.map((f) => f.message).join('; '),
    c.nextAction,
    localDateTime(c.lastActivityAt, zone),
  ]);
  return [header, ...body];
}

/** Every sign-off request with its rating, mentors, times and evidence in words (`evidence` by request id); times in `zone`. */
export function signoffRows(list: SignoffRecord[], evidence: ReadonlyMap<string, string[]>, zone: string): unknown[][] {
  const header = ['Candidate', 'Competency code', 'Competency', 'Safety-critical', 'Status', 'Rating', `Submitted (${timeZoneWords(zone)})`, `Signed (${timeZoneWords(zone)})`, 'Signed by', 'Countersigned by', 'Evidence'];
  const body = list.map((r) => [
    r.candidateName,
    r.competencyCode,
    r.competencyName,
    r.safetyCritical ? 'Yes' : 'No',
    signoffStatusWords(r.status),
    ratingWords(r.rating, r.ratingLevels),
    localDateTime(r.submittedAt, zone),
    localDateTime(r.signedAt, zone),
    r.signedBy ?? '',
    r.countersignedBy ?? '',
    (evidence.get(r.id) ?? []).join('; '),
  ]);
  return [header, ...body];
}
