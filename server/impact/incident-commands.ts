/** Writing incident counts: one month typed in, or a checked import. A correction adds a version (the old one stays);
 * a value identical to the current one writes nothing. Every write runs in one transaction with its audit event. */
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import type { Db } from '../db';
import { impactIncidentCounts, impactServices } from '../db/tables';
import { ConflictError, isPgError, ValidationError } from '../errors';
import { countHistory, servicesOf, type CountVersion } from './incident-queries';
import { parseIncidentCsv, type ImportRow } from './incident-csv';
import type { IncidentInput } from './schemas';
import { MEASURES, type Measure } from './vocabulary';

/** The numbers of one month of one service. */
export type MonthValues = Record<Measure, number> & { occupiedBedDays: number | null };

/** What a row would do: add a month, correct one (with the values it replaces), change nothing, or nothing (a problem). */
export type PreviewRow = ImportRow & { action: 'new' | 'correction' | 'unchanged' | 'problem'; previous: CountVersion | null; newService: boolean };

/** The preview of an import: file problems, each row's action and problems, and the services it would add. */
export type ImportPreview = { fileProblems: string[]; rows: PreviewRow[]; newServices: string[]; counts: Record<PreviewRow['action'], number> };

/** The latest month that may be reported: this month (UTC). */
export function thisMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

function same(a: MonthValues, b: MonthValues): boolean {
  return MEASURES.every((m) => a[m.key] === b[m.key]) && a.occupiedBedDays === b.occupiedBedDays;
}

const LOCK = 7203;

/** Serialises writes to one organisation's counts, so versions stay a straight line. */
async function lockOrganisation(tx: Db, organisationId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK}, hashtext(${organisationId}))`);
}

async function insertVersion(tx: Db, actor: Actor, organisationId: string, serviceId: string, month: string, values: MonthValues, source: 'form' | 'import', note: string | null) {
  const [{ next }] = await tx
    .select({ next: sql<number>`coalesce(max(${impactIncidentCounts.version}), 0)::int + 1` })
    .from(impactIncidentCounts)
    .where(and(eq(impactIncidentCounts.serviceId, serviceId), eq(impactIncidentCounts.month, `${month}-01`)));
  await tx.insert(impactIncidentCounts).values({ organisationId, serviceId, month: `${month}-01`, version: next, ...values, source, note, recordedBy: actor.id });
  return next;
}

/** Saves one month of one service typed in by the lead; 'unchanged' when it equals the current values. */
export async function saveIncidentMonth(db: Db, actor: Actor, organisationId: string, input: IncidentInput): Promise<'saved' | 'unchanged'> {
  if (input.month > thisMonth()) throw new ValidationError('That month has not happened yet.', [{ field: 'month', message: 'is in the future' }]);
  if (!input.serviceId && !input.newService) throw new ValidationError('Choose the service, or name a new one.', [{ field: 'serviceId', message: 'choose a service or name a new one' }]);
  if (input.proneRestraints > input.restraints) {
    throw new ValidationError('Prone or floor restraints are counted among the restraints, so there cannot be more of them.', [{ field: 'proneRestraints', message: `is ${input.proneRestraints}, more than the ${input.restraints} restraints` }]);
  }
  const values: MonthValues = { ...Object.fromEntries(MEASURES.map((m) => [m.key, input[m.key]])), occupiedBedDays: input.occupiedBedDays } as MonthValues;
  try {
    return await db.transaction(async (tx) => {
      await lockOrganisation(tx, organisationId);
      const services = await servicesOf(tx, organisationId);
      let service = input.serviceId ? services.find((s) => s.id === input.serviceId) : services.find((s) => s.name.toLowerCase() === (input.newService ?? '').toLowerCase());
      if (input.serviceId && !service) throw new ValidationError('That service is not one of your organisation’s.', [{ field: 'serviceId', message: 'choose one of the listed services' }]);
      if (!service) [service] = await tx.insert(impactServices).values({ organisationId, name: input.newService as string }).returning();
      const current = (await countHistory(tx, organisationId)).find((h) => h.current.serviceId === service.id && h.current.month === input.month)?.current;
      if (current && same(current, values)) return 'unchanged';
      const version = await insertVersion(tx, actor, organisationId, service.id, input.month, values, 'form', input.note);
      await audit(tx, { actorId: actor.id, action: current ? 'incidents.corrected' : 'incidents.entered', subjectType: 'impact_service', subjectId: service.id, before: current ? { month: input.month, ...pick(current) } : null, after: { month: input.month, version, ...values } });
      return 'saved';
    });
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw new ConflictError('Someone saved the same service and month at the same moment. Reload the page and check the values.');
    throw err;
  }
}

function pick(v: CountVersion): MonthValues {
  return { ...(Object.fromEntries(MEASURES.map((m) => [m.key, v[m.key]])) as Record<Measure, number>), occupiedBedDays: v.occupiedBedDays };
}

function valuesOf(row: ImportRow): MonthValues {
  return { ...(row.values as Record<Measure, number>), occupiedBedDays: row.occupiedBedDays };
}

/** What an import would do, row by row. Reads only. */
export async function previewImport(db: Db, organisationId: string, text: string, now = new Date()): Promise<ImportPreview> {
  const parsed = parseIncidentCsv(text, thisMonth(now));
  const [services, history] = await Promise.all([servicesOf(db, organisationId), countHistory(db, organisationId)]);
  const byName = new Map(services.map((s) => [s.name.toLowerCase(), s]));
  const current = new Map(history.map((h) => [`${h.current.serviceId}|${h.current.month}`, h.current]));
  const rows = parsed.rows.map((row): PreviewRow => {
    const service = byName.get(row.serviceName.toLowerCase());
    const previous = service ? (current.get(`${service.id}|${row.month}`) ?? null) : null;
    const action = row.problems.length ? 'problem' : !previous ? 'new' : same(previous, valuesOf(row)) ? 'unchanged' : 'correction';
    return { ...row, action, previous, newService: !service && !!row.serviceName };
  });
  const newServices = [...new Map(rows.filter((r) => r.newService && r.action !== 'problem').map((r) => [r.serviceName.toLowerCase(), r.serviceName])).values()];
  const counts = { new: 0, correction: 0, unchanged: 0, problem: 0 };
  for (const r of rows) counts[r.action] += 1;
  return { fileProblems: parsed.fileProblems, rows, newServices, counts };
}

/** Imports the rows without problems (re-checked now: the preview stored nothing); returns how many were written. */
export async function importIncidents(db: Db, actor: Actor, organisationId: string, text: string): Promise<{ written: number; services: number }> {
  try {
    return await db.transaction(async (tx) => {
      await lockOrganisation(tx, organisationId);
      const preview = await previewImport(tx, organisationId, text);
      if (preview.fileProblems.length) throw new ValidationError(`The file cannot be imported: ${preview.fileProblems.join(' ')}`, [{ field: 'file', message: preview.fileProblems[0] }]);
      const services = new Map((await servicesOf(tx, organisationId)).map((s) => [s.name.toLowerCase(), s.id]));
      let added = 0;
      for (const name of preview.newServices) {
        const [row] = await tx.insert(impactServices).values({ organisationId, name }).returning();
        services.set(name.toLowerCase(), row.id);
        added += 1;
      }
      const writes = preview.rows.filter((r) => r.action === 'new' || r.action === 'correction');
      // Under the lock, the preview's current version is the highest: each write is the next one. Batched inserts.
      const values = writes.map((r) => ({
        organisationId,
        serviceId: services.get(r.serviceName.toLowerCase()) as string,
        month: `${r.month}-01`,
        version: (r.previous?.version ?? 0) + 1,
        ...valuesOf(r),
        source: 'import' as const,
        recordedBy: actor.id,
      }));
      for (let i = 0; i < values.length; i += 500) await tx.insert(impactIncidentCounts).values(values.slice(i, i + 500));
      await audit(tx, { actorId: actor.id, action: 'incidents.imported', subjectType: 'organisation', subjectId: organisationId, after: { ...preview.counts, servicesAdded: added } });
      return { written: writes.length, services: added };
    });
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw new ConflictError('Someone changed these counts at the same moment. Import the file again to see the new preview.');
    throw err;
  }
}
