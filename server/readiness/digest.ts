/** The daily at-risk digest for L&D leads: one notification (and e-mail) per lead with candidates at risk. */
import { dateFormat } from '../util/dates';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { deliver, notify, type NewNotification } from '../notifications';
import { computeReadiness } from './queries';
import { rows } from './sql';

/** What a digest run did. */
export type DigestResult = { leads: number; sent: number; skippedAlreadySent: number };

/** The notification kind (one per lead per UK day). */
export const DIGEST_KIND = 'readiness:digest';

/** Sends today's digest to every lead with at-risk candidates; a second run the same day sends nothing new. */
export async function sendAtRiskDigest(ctx: AppContext, now = new Date()): Promise<DigestResult> {
  // Every (lead, cohort) pair: leads of the cohort's organisation and leads added to the cohort itself.
  const pairs = await rows<{ user_id: string; cohort_id: string }>(
    ctx.db,
    sql`select m.user_id, c.id as cohort_id from memberships m join cohorts c on c.organisation_id = m.organisation_id
          join users u on u.id = m.user_id where m.role = 'lead' and u.status = 'active'
        union
        select cm.user_id, cm.cohort_id from cohort_members cm join users u on u.id = cm.user_id where cm.role = 'lead' and u.status = 'active'`,
  );
  const leads = new Map<string, string[]>();
  for (const p of pairs) leads.set(p.user_id, [...(leads.get(p.user_id) ?? []), p.cohort_id]);
  if (!leads.size) return { leads: 0, sent: 0, skippedAlreadySent: 0 };
  const { cohorts } = await computeReadiness(ctx, { cohortIds: [...new Set(pairs.map((p) => p.cohort_id))], now });
  const byId = new Map(cohorts.map((c) => [c.id, c]));
  const dayStart = new Date(`${dateFormat('en-CA', { timeZone: 'Europe/London' }).format(now)}T00:00:00Z`);
  const already = new Set(
    (
      await rows<{ user_id: string }>(
        ctx.db,
        sql`select distinct user_id from notifications where kind = ${DIGEST_KIND} and created_at >= ${dayStart.toISOString()}::timestamptz - interval '1 hour'`,
      )
    ).map((r) => r.user_id),
  );

  const items: NewNotification[] = [];
  let skipped = 0;
  for (const [userId, cohortIds] of leads) {
    const lines: string[] = [];
    let cohortsWithRisk = 0;
    for (const id of cohortIds) {
      const c = byId.get(id);
      const risky = c?.candidates.filter((p) => p.state === 'at_risk') ?? [];
      if (!c || !risky.length) continue;
      cohortsWithRisk += 1;
      lines.push(`${c.name}:`);
      for (const p of risky) lines.push(`- ${p.name}: ${p.flags.filter((f) => f.kind !== 'waivers_used').map((f) => f.message).join('; ')}. Next: ${p.nextAction}.`);
    }
    const count = lines.filter((l) => l.startsWith('- ')).length;
    if (!count) continue;
    if (already.has(userId)) {
      skipped += 1;
      continue;
    }
    items.push({
      userId,
      kind: DIGEST_KIND,
      title: `${count} ${count === 1 ? 'candidate is' : 'candidates are'} at risk in ${cohortsWithRisk} ${cohortsWithRisk === 1 ? 'cohort' : 'cohorts'}`,
      body: lines.join('\n'),
      link: '/lead',
    });
  }
  if (!items.length) return { leads: leads.size, sent: 0, skippedAlreadySent: skipped };
  const created = await ctx.db.transaction((tx) => notify(tx, items));
  await deliver(ctx, created);
  return { leads: leads.size, sent: created.length, skippedAlreadySent: skipped };
}
