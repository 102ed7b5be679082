/** The impact export as CSV by the one CSV writer (`server/exports/csv.ts`: UTF-8 with a byte-order mark, so learners'
 * own words keep their accents in a spreadsheet; RFC 4180 quoting; the formula guard); times in the organisation's time zone. One block per table, each with its header. */
import { toCsv } from '../exports/csv';
import { localDateTime, timeZoneWords } from '../exports/words';
import type { OrganisationImpact } from './queries';
import { BED_DAYS_LABEL, MEASURES } from './vocabulary';

const blank: unknown[] = [];

/** The whole impact of an organisation as CSV text, times in `zone` (the organisation's). */
export function impactCsv(impact: OrganisationImpact, generatedAt: Date, zone: string): string {
  const { model } = impact;
  const rows: unknown[][] = [
    ['Impact of the trainer programme', impact.organisation.name, `Generated ${localDateTime(generatedAt, zone)} ${timeZoneWords(zone)}`],
    ['Before and after', model.comparison.text],
    blank,
    ['Milestones'],
    ['Date', 'Milestone'],
    ...model.milestones.map((m) => [m.date, m.label]),
    blank,
    ['Incidents per month (all services that reported; an empty month has no data)'],
    ['Month', 'Services reporting', ...MEASURES.map((m) => m.label), BED_DAYS_LABEL, `Restraints ${model.unitWords}`, `Prone or floor restraints ${model.unitWords}`, 'Milestones'],
    ...model.months.map((m) => [m.month, m.services || '', ...MEASURES.map((x) => m.totals?.[x.key] ?? ''), m.bedDays ?? '', m.rates?.restraints ?? '', m.rates?.proneRestraints ?? '', m.milestones.join('; ')]),
    blank,
    ['Incident counts by service (current values, then every earlier version a correction replaced)'],
    ['Month', 'Service', 'Version', 'Current', ...MEASURES.map((m) => m.label), BED_DAYS_LABEL, 'Recorded by', `Recorded at (${timeZoneWords(zone)})`, 'How', 'Note'],
    ...impact.history.flatMap((h) =>
      [h.current, ...h.earlier].map((v, i) => [v.month, v.serviceName, v.version, i === 0 ? 'Yes' : 'No — corrected', ...MEASURES.map((m) => v[m.key]), v.occupiedBedDays ?? '', v.recordedByName, localDateTime(v.recordedAt, zone), v.source === 'import' ? 'Imported' : 'Entered', v.note ?? '']),
    ),
    blank,
    ['Courses delivered by the new trainers'],
    ['Date', 'Trainer', 'Co-trainer', 'Venue', 'Modules covered', 'Attendees', 'Hours', 'Observed', 'Answers', 'Confidence before (1–5)', 'Confidence after (1–5)', 'Change'],
    ...impact.courses.map((c) => [c.deliveredOn, c.trainerName, c.coTrainerName ?? '', c.venue, c.modules.join('; '), c.attendees, Math.round((c.durationMinutes / 60) * 10) / 10, c.observed ? 'Yes' : 'No', c.summary.responses, c.summary.before ?? '', c.summary.after ?? '', c.summary.change ?? '']),
    blank,
    ['Learners’ confidence by learning outcome (their own ratings at the end of the course)'],
    ['Learning outcome', 'Ratings', 'Before (1–5)', 'After (1–5)', 'Change'],
    ...model.learners.byOutcome.map((o) => [o.outcome, o.pairs, o.before, o.after, o.change]),
    blank,
    ['Learners’ confidence by trainer'],
    ['Trainer', 'Courses', 'Attendees', 'Answers', 'Before (1–5)', 'After (1–5)', 'Change', 'Safe answer to the safety question (%)'],
    ...model.learners.byTrainer.map((t) => [t.trainerName, t.courses, t.attendees, t.responses, t.before ?? '', t.after ?? '', t.change ?? '', t.safePercent ?? '']),
    blank,
    ['What learners will do differently (their own words)'],
    ['Course date', 'Trainer', 'Answer'],
    ...impact.words.map((w) => [w.deliveredOn, w.trainerName, w.text]),
  ];
  return toCsv(rows);
}
