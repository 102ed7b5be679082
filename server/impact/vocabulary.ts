/** The words of the impact feature, in one place: incident measures, the confidence scale and the safety question. */

/** One monthly count a service reports. */
export type Measure = 'aggression' | 'restraints' | 'proneRestraints' | 'seclusions' | 'staffInjuries' | 'personInjuries';

/** The measures in the order people read them, with their labels and CSV column names. */
export const MEASURES: { key: Measure; label: string; short: string }[] = [
  { key: 'aggression', label: 'Incidents of aggression', short: 'Aggression' },
  { key: 'restraints', label: 'Restraints', short: 'Restraints' },
  { key: 'proneRestraints', label: 'Prone or floor restraints', short: 'Prone or floor' },
  { key: 'seclusions', label: 'Seclusions', short: 'Seclusions' },
  { key: 'staffInjuries', label: 'Injuries to staff', short: 'Staff injuries' },
  { key: 'personInjuries', label: 'Injuries to people supported', short: 'Injuries to people supported' },
];

/** The CSV column for the optional denominator. */
export const BED_DAYS_LABEL = 'Occupied bed days';

/** The confidence scale, 1–5. */
export const CONFIDENCE = [
  { value: 1, label: 'Not at all confident' },
  { value: 2, label: 'A little confident' },
  { value: 3, label: 'Fairly confident' },
  { value: 4, label: 'Confident' },
  { value: 5, label: 'Very confident' },
];

/** The questionnaire's one safety question; exactly one answer is safe. */
export const SAFETY_QUESTION = {
  text: 'During a hold, the person says they cannot breathe. What should you do?',
  options: [
    { value: 'release', label: 'Release the hold at once, call for help and stay with them', safe: true },
    { value: 'continue', label: 'Keep holding until they calm down — people often say this', safe: false },
    { value: 'floor', label: 'Move them to the floor so they are easier to hold', safe: false },
    { value: 'unsure', label: 'I am not sure', safe: false },
  ],
} as const;

/** The safety answers' values. */
export type SafetyAnswer = (typeof SAFETY_QUESTION.options)[number]['value'];

/** The value of the safe answer. */
export const SAFE_ANSWER: SafetyAnswer = 'release';

/** The most learning outcomes a questionnaire asks about (its form has fields b1…b12 and a1…a12). */
export const MAX_OUTCOMES = 12;

const monthFmt = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const longMonthFmt = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** 'YYYY-MM' (or a first-of-month date) → 'Mar 2025'. */
export function monthLabel(month: string): string {
  return monthFmt.format(new Date(`${month.slice(0, 7)}-01T00:00:00Z`));
}

/** 'YYYY-MM' → 'March 2025'. */
export function longMonthLabel(month: string): string {
  return longMonthFmt.format(new Date(`${month.slice(0, 7)}-01T00:00:00Z`));
}

/** The month after 'YYYY-MM'. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Rounds to one decimal place (for averages and rates). */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
