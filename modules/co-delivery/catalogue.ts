/** The standard learning outcomes of the co-delivered course for frontline staff. */

/** Outcomes in teaching order; cohorts may add their own. */
export const STANDARD_OUTCOMES: string[] = [
  'Explains why restraint is a last resort',
  'Demonstrates a non-escalation stance',
  'Uses de-escalation to help a distressed person feel calmer and safer',
  'Performs a breakaway safely',
  'Describes post-incident support for the person and for staff',
];

/** Attainment levels in order, with the words people read. */
export const LEVELS = [
  { value: 'not_yet', label: 'Not yet' },
  { value: 'partly', label: 'Partly' },
  { value: 'achieved', label: 'Achieved' },
] as const;

/** The words for a level. */
export function levelLabel(level: string | null | undefined): string {
  return LEVELS.find((l) => l.value === level)?.label ?? 'Not recorded';
}
