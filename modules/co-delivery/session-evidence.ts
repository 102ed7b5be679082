/** The `co-delivery:session` evidence kind: a co-delivery session the candidate led a group in. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { cohortStages, dateFormat, getCohort, type EvidenceKind, type ResolvedEvidence } from '../../server/modules/kit';
import { coDeliveryGroups, coDeliverySessions as sessions } from './schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const day = (zone: string) => dateFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
const clock = (zone: string) => dateFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });

type SessionFacts = { id: string; title: string; startsAt: Date; location: string | null; groups: string[] };

/** "Co-delivery session “De-escalation basics” on Tue, 3 Mar 2026 at 09:30 — Group A, Group B", in `zone` (the
 * cohort's organisation's). */
function label(s: SessionFacts, zone: string): string {
  return `Co-delivery session “${s.title}” on ${day(zone).format(s.startsAt)} at ${clock(zone).format(s.startsAt)}${s.groups.length ? ` — ${s.groups.join(', ')}` : ''}`;
}

/** The cohort's organisation's time zone (the cohort row is cached while its version holds). */
const zoneOf = async (db: Parameters<EvidenceKind['resolve']>[0], cohortId: string) => (await getCohort(db, cohortId)).timeZone;

/** Sessions of the cohort by id (or all of them), with the groups each candidate led — two queries. */
async function sessionsOf(db: Parameters<EvidenceKind['resolve']>[0], cohortId: string, ids?: string[]) {
  const rows = await db
    .select({ id: sessions.id, title: sessions.title, startsAt: sessions.startsAt, location: sessions.location })
    .from(sessions)
    .innerJoin(cohortStages, eq(cohortStages.id, sessions.cohortStageId))
    .where(and(eq(cohortStages.cohortId, cohortId), ids ? inArray(sessions.id, ids) : undefined))
    .orderBy(desc(sessions.startsAt));
  const groups = rows.length ? await db.select({ sessionId: coDeliveryGroups.sessionId, name: coDeliveryGroups.name, candidateId: coDeliveryGroups.candidateId }).from(coDeliveryGroups).where(inArray(coDeliveryGroups.sessionId, rows.map((r) => r.id))) : [];
  return rows.map((r) => {
    const own = groups.filter((g) => g.sessionId === r.id);
    return { ...r, groups: own.map((g) => g.name), leaders: new Set(own.map((g) => g.candidateId)), groupOf: new Map(own.map((g) => [g.candidateId, g.name])) };
  });
}

/** A session belongs to a candidate's record when it is in their cohort and they led a group in it. */
export const sessionEvidence: EvidenceKind = {
  title: 'Co-delivery session',
  async resolve(db, scope, refIds) {
    const ids = [...new Set(refIds.filter((id) => UUID.test(id)))];
    const out = new Map<string, ResolvedEvidence>();
    if (!ids.length) return out;
    const [found, zone] = await Promise.all([sessionsOf(db, scope.cohortId, ids), zoneOf(db, scope.cohortId)]);
    for (const s of found) {
      const belongs = s.leaders.has(scope.candidateId);
      out.set(
        s.id,
        belongs
          ? { label: label(s, zone), description: `${s.groupOf.get(scope.candidateId)} was led by this candidate${s.location ? `, at ${s.location}` : ''}`, belongs }
          : { label: 'A co-delivery session', description: 'This candidate did not lead a group in that session.', belongs },
      );
    }
    return out;
  },
  async choices(db, scope) {
    const [all, zone] = await Promise.all([sessionsOf(db, scope.cohortId), zoneOf(db, scope.cohortId)]);
    return all
      .filter((s) => !scope.candidateId || s.leaders.has(scope.candidateId))
      .map((s) => ({ refId: s.id, label: label(s, zone), description: scope.candidateId ? `You led ${s.groupOf.get(scope.candidateId)}` : `${s.leaders.size} ${s.leaders.size === 1 ? 'candidate' : 'candidates'} led a group` }));
  },
};
