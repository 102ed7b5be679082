/** Small helpers evaluators share: building the stage → candidate → evaluation map and formatting numbers. */
import type { Evaluation, EvaluationItem, EvaluationResult } from '../types';
import { dayOfMinute } from '../../util/dates';

/** Answers every candidate of every item with `answer(item, candidateId)`. */
export function answerAll<P>(items: EvaluationItem<P>[], answer: (item: EvaluationItem<P>, candidateId: string) => Evaluation): EvaluationResult {
  const result: EvaluationResult = new Map();
  for (const item of items) {
    const perCandidate = new Map<string, Evaluation>();
    for (const candidateId of item.candidateIds) perCandidate.set(candidateId, answer(item, candidateId));
    result.set(item.stage.id, perCandidate);
  }
  return result;
}

/** Every distinct value of `pick` over the items. */
export function distinct<T, V>(items: T[], pick: (item: T) => V | V[] | null | undefined): V[] {
  const out = new Set<V>();
  for (const item of items) {
    const v = pick(item);
    if (Array.isArray(v)) v.forEach((x) => out.add(x));
    else if (v !== null && v !== undefined) out.add(v);
  }
  return [...out];
}

/** "1 session" / "3 sessions". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// Formatters are costly to build; evaluators format thousands of dates per call.
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const london = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** A calendar date as people say it: "3 March" (with the year when it is not this year's). */
export function spokenDate(isoDate: string, now: Date): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  const sameYear = d.getUTCFullYear() === Number(londonDate(now).slice(0, 4));
  return (sameYear ? dayMonth : dayMonthYear).format(d);
}

/** Today's date in the UK (the programme's calendar), as YYYY-MM-DD. */
export function londonDate(now: Date): string {
  return londonDay(now);
}
const londonDay = dayOfMinute(london);
