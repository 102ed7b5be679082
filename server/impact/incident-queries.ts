/** Reads the incident counts: every version of every month (the current one is the highest), and the services. */
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { impactIncidentCounts, impactServices, users } from '../db/tables';
import type { Measure } from './vocabulary';

/** One stored version of one service's month. */
export type CountVersion = Record<Measure, number> & {
  id: string;
  serviceId: string;
  serviceName: string;
  /** 'YYYY-MM' */
  month: string;
  version: number;
  occupiedBedDays: number | null;
  source: 'form' | 'import';
  note: string | null;
  recordedByName: string;
  recordedAt: Date;
};

/** A service's month: the current version and the ones it replaced (newest first). */
export type CountHistory = { current: CountVersion; earlier: CountVersion[] };

/** An organisation's services, by name. */
export async function servicesOf(db: Db, organisationId: string) {
  return db.select().from(impactServices).where(eq(impactServices.organisationId, organisationId)).orderBy(asc(impactServices.name));
}

/** Every version of every month of an organisation, grouped: current and earlier versions per service and month,
 * months newest first, services by name. One query. */
export async function countHistory(db: Db, organisationId: string): Promise<CountHistory[]> {
  const rows = await db
    .select({ c: impactIncidentCounts, serviceName: impactServices.name, recordedByName: users.name })
    .from(impactIncidentCounts)
    .innerJoin(impactServices, eq(impactServices.id, impactIncidentCounts.serviceId))
    .innerJoin(users, eq(users.id, impactIncidentCounts.recordedBy))
    .where(eq(impactIncidentCounts.organisationId, organisationId))
    .orderBy(desc(impactIncidentCounts.month), asc(impactServices.name), desc(impactIncidentCounts.version));
  const out: CountHistory[] = [];
  const byKey = new Map<string, CountHistory>();
  for (const { c, serviceName, recordedByName } of rows) {
    const v: CountVersion = {
      id: c.id,
      serviceId: c.serviceId,
      serviceName,
      month: c.month.slice(0, 7),
      version: c.version,
      aggression: c.aggression,
      restraints: c.restraints,
      proneRestraints: c.proneRestraints,
      seclusions: c.seclusions,
      staffInjuries: c.staffInjuries,
      personInjuries: c.personInjuries,
      occupiedBedDays: c.occupiedBedDays,
      source: c.source,
      note: c.note,
      recordedByName,
      recordedAt: c.recordedAt,
    };
    const key = `${c.serviceId}|${v.month}`;
    const found = byKey.get(key);
    if (found) found.earlier.push(v);
    else {
      const h = { current: v, earlier: [] };
      byKey.set(key, h);
      out.push(h);
    }
  }
  return out;
}
