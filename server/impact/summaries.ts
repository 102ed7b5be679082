/** Learners' before/after answers summed per course (two queries for any number of courses), and combined per
 * trainer and per organisation: the change is the mean "after" minus the mean "before" over every rating pair. */
import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { impactResponseRatings, impactResponses } from '../db/tables';
import { round1, SAFE_ANSWER } from './vocabulary';

/** Sums of one outcome's ratings. */
export type OutcomeTotals = { position: number; pairs: number; sumBefore: number; sumAfter: number };

/** Sums of one course's answers. */
export type CourseTotals = { responses: number; safe: number; outcomes: OutcomeTotals[] };

/** What people read: how many answered, the mean confidence before and after, the change, and the safe answers. */
export type Summary = { responses: number; pairs: number; before: number | null; after: number | null; change: number | null; safePercent: number | null };

const EMPTY: CourseTotals = { responses: 0, safe: 0, outcomes: [] };

/** Every course's totals (courses without answers are absent: use `totalsOf`). */
export async function courseTotals(db: Db, courseIds: string[]): Promise<Map<string, CourseTotals>> {
  const out = new Map<string, CourseTotals>();
  if (!courseIds.length) return out;
  const [heads, ratings] = await Promise.all([
    db
      .select({ courseId: impactResponses.courseId, responses: count(), safe: sql<number>`count(*) filter (where ${impactResponses.safetyAnswer} = ${SAFE_ANSWER})::int` })
      .from(impactResponses)
      .where(inArray(impactResponses.courseId, courseIds))
      .groupBy(impactResponses.courseId),
    db
      .select({
        courseId: impactResponses.courseId,
        position: impactResponseRatings.position,
        pairs: count(),
        sumBefore: sql<number>`sum(${impactResponseRatings.before})::int`,
        sumAfter: sql<number>`sum(${impactResponseRatings.after})::int`,
      })
      .from(impactResponseRatings)
      .innerJoin(impactResponses, eq(impactResponses.id, impactResponseRatings.responseId))
      .where(inArray(impactResponses.courseId, courseIds))
      .groupBy(impactResponses.courseId, impactResponseRatings.position)
      .orderBy(asc(impactResponseRatings.position)),
  ]);
  for (const h of heads) out.set(h.courseId, { responses: h.responses, safe: h.safe, outcomes: [] });
  for (const r of ratings) out.get(r.courseId)?.outcomes.push({ position: r.position, pairs: r.pairs, sumBefore: r.sumBefore, sumAfter: r.sumAfter });
  return out;
}

/** A course's totals, empty when nobody has answered. */
export function totalsOf(totals: Map<string, CourseTotals>, courseId: string): CourseTotals {
  return totals.get(courseId) ?? EMPTY;
}

/** Combines any number of courses' totals into one summary. */
export function summarise(list: CourseTotals[]): Summary {
  let responses = 0;
  let safe = 0;
  let pairs = 0;
  let before = 0;
  let after = 0;
  for (const t of list) {
    responses += t.responses;
    safe += t.safe;
    for (const o of t.outcomes) {
      pairs += o.pairs;
      before += o.sumBefore;
      after += o.sumAfter;
    }
  }
  if (!pairs) return { responses, pairs, before: null, after: null, change: null, safePercent: responses ? Math.round((safe / responses) * 100) : null };
  const b = before / pairs;
  const a = after / pairs;
  return { responses, pairs, before: round1(b), after: round1(a), change: round1(a - b), safePercent: responses ? Math.round((safe / responses) * 100) : null };
}

/** Per learning outcome (matched by its words across courses): pairs, mean before, mean after, change. */
export function byOutcome(courses: { outcomes: string[]; totals: CourseTotals }[]): { outcome: string; pairs: number; before: number; after: number; change: number }[] {
  const acc = new Map<string, { pairs: number; before: number; after: number }>();
  for (const c of courses) {
    for (const o of c.totals.outcomes) {
      const text = c.outcomes[o.position - 1];
      if (!text) continue;
      const a = acc.get(text) ?? { pairs: 0, before: 0, after: 0 };
      a.pairs += o.pairs;
      a.before += o.sumBefore;
      a.after += o.sumAfter;
      acc.set(text, a);
    }
  }
  return [...acc].map(([outcome, a]) => ({ outcome, pairs: a.pairs, before: round1(a.before / a.pairs), after: round1(a.after / a.pairs), change: round1(a.after / a.pairs - a.before / a.pairs) }));
}

/** Free-text answers ("what I will do differently") of some courses, newest first. */
export async function changeTexts(db: Db, courseIds: string[]): Promise<{ courseId: string; text: string; at: Date }[]> {
  if (!courseIds.length) return [];
  const rows = await db
    .select({ courseId: impactResponses.courseId, text: impactResponses.changeText, at: impactResponses.createdAt })
    .from(impactResponses)
    .where(sql`${inArray(impactResponses.courseId, courseIds)} and ${impactResponses.changeText} is not null`)
    .orderBy(sql`${impactResponses.createdAt} desc`);
  return rows.map((r) => ({ courseId: r.courseId, text: r.text ?? '', at: r.at }));
}
