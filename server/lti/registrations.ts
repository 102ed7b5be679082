/** Platform registrations: the input schema (one for the API and the admin form), commands and queries. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { ltiDeployments, ltiRegistrations, organisations } from '../db/tables';
import { audit } from '../audit';
import { NotFoundError, ValidationError, isPgError } from '../errors';
import { id, text } from '../http/validate';

const address = z
  .string({ message: 'must be a web address' })
  .trim()
  .max(1000, 'must be at most 1000 characters')
  .pipe(z.url({ protocol: /^https?$/, message: 'must be a web address starting with https://' }));

const deploymentList = z
  .union([z.string(), z.array(z.string())], { message: 'must list at least one deployment id' })
  .transform((v) => [...new Set((Array.isArray(v) ? v : v.split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean))])
  .pipe(z.array(z.string().max(255, 'each deployment id must be at most 255 characters')).min(1, 'must list at least one deployment id').max(50, 'may list at most 50 deployment ids'));

const fields = {
  organisationId: id,
  name: text(200),
  issuer: address,
  clientId: text(255),
  deploymentIds: deploymentList,
  authLoginUrl: address,
  accessTokenUrl: address,
  jwksUrl: address,
};

/** POST a registration (API: JSON booleans, defaults learnersJoin true, adminsLead false, trustEmail true). */
export const registrationInput = z.strictObject({
  ...fields,
  learnersJoin: z.boolean().default(true),
  adminsLead: z.boolean().default(false),
  trustEmail: z.boolean().default(true),
});

/** PATCH a registration: any of the fields. */
export const registrationPatch = registrationInput.partial().omit({ organisationId: true });

const checkbox = z.literal('on', { message: 'is a tick box' }).optional().transform((v) => v === 'on');

/** The admin form: tick boxes arrive as "on" or not at all (the form ticks the defaults). */
export const registrationForm = z.strictObject({ ...fields, learnersJoin: checkbox, adminsLead: checkbox, trustEmail: checkbox });

/** The update form (the organisation is fixed once registered). */
export const registrationUpdateForm = registrationForm.omit({ organisationId: true });

/** A registration's input, parsed. */
export type RegistrationInput = z.output<typeof registrationInput>;

/** A registration row with its deployment ids and organisation name. */
export type Registration = typeof ltiRegistrations.$inferSelect & { deploymentIds: string[]; organisationName: string };

function duplicate(err: unknown): never {
  if (isPgError(err, 'uniqueViolation')) throw new ValidationError('A platform with this issuer and client id is already registered.', [{ field: 'clientId', message: 'is already registered for this issuer' }]);
  throw err;
}

/** Registers a platform for a client organisation. */
export async function createRegistration(db: Db, actorId: string, input: RegistrationInput): Promise<Registration> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, input.organisationId));
  if (!org || org.kind !== 'client') throw new ValidationError('Choose a client organisation.', [{ field: 'organisationId', message: 'must be a client organisation' }]);
  const { deploymentIds, ...row } = input;
  const created = await db
    .transaction(async (tx) => {
      const [reg] = await tx.insert(ltiRegistrations).values({ ...row, createdBy: actorId }).returning();
      await tx.insert(ltiDeployments).values(deploymentIds.map((d) => ({ registrationId: reg.id, deploymentId: d })));
      await audit(tx, { actorId, action: 'lti.registration_created', subjectType: 'lti_registration', subjectId: reg.id, after: { ...row, deploymentIds } });
      return reg;
    })
    .catch(duplicate);
  return { ...created, deploymentIds, organisationName: org.name };
}

/** Changes a registration; the deployment list, when given, replaces the old one. */
export async function updateRegistration(db: Db, actorId: string, registrationId: string, patch: z.output<typeof registrationPatch>): Promise<Registration> {
  const before = await getRegistration(db, registrationId);
  const { deploymentIds, ...row } = patch;
  await db
    .transaction(async (tx) => {
      if (Object.keys(row).length) await tx.update(ltiRegistrations).set({ ...row, updatedAt: new Date() }).where(eq(ltiRegistrations.id, registrationId));
      if (deploymentIds) {
        await tx.delete(ltiDeployments).where(eq(ltiDeployments.registrationId, registrationId));
        await tx.insert(ltiDeployments).values(deploymentIds.map((d) => ({ registrationId, deploymentId: d })));
      }
      await audit(tx, { actorId, action: 'lti.registration_changed', subjectType: 'lti_registration', subjectId: registrationId, before: { ...before }, after: { ...patch } });
    })
    .catch(duplicate);
  return getRegistration(db, registrationId);
}

async function withDeployments(db: Db, rows: (typeof ltiRegistrations.$inferSelect & { organisationName: string })[]): Promise<Registration[]> {
  if (!rows.length) return [];
  const deps = await db
    .select()
    .from(ltiDeployments)
    .where(inArray(ltiDeployments.registrationId, rows.map((r) => r.id)))
    .orderBy(asc(ltiDeployments.createdAt));
  return rows.map((r) => ({ ...r, deploymentIds: deps.filter((d) => d.registrationId === r.id).map((d) => d.deploymentId) }));
}

const withOrg = { registration: ltiRegistrations, organisationName: organisations.name };

/** Every registration, by organisation then name. */
export async function listRegistrations(db: Db): Promise<Registration[]> {
  const rows = await db.select(withOrg).from(ltiRegistrations).innerJoin(organisations, eq(organisations.id, ltiRegistrations.organisationId)).orderBy(asc(organisations.name), asc(ltiRegistrations.name));
  return withDeployments(db, rows.map((r) => ({ ...r.registration, organisationName: r.organisationName })));
}

/** One registration (404 "That platform registration"). */
export async function getRegistration(db: Db, registrationId: string): Promise<Registration> {
  const [row] = await db.select(withOrg).from(ltiRegistrations).innerJoin(organisations, eq(organisations.id, ltiRegistrations.organisationId)).where(eq(ltiRegistrations.id, registrationId));
  if (!row) throw new NotFoundError('That platform registration');
  return (await withDeployments(db, [{ ...row.registration, organisationName: row.organisationName }]))[0];
}

/** The registration for an issuer and client id, or null. */
export async function findRegistration(db: Db, issuer: string, clientId?: string): Promise<(typeof ltiRegistrations.$inferSelect)[]> {
  return db
    .select()
    .from(ltiRegistrations)
    .where(clientId ? and(eq(ltiRegistrations.issuer, issuer), eq(ltiRegistrations.clientId, clientId)) : eq(ltiRegistrations.issuer, issuer));
}

/** True when the registration accepts launches from this deployment. */
export async function knowsDeployment(db: Db, registrationId: string, deploymentId: string): Promise<boolean> {
  const [row] = await db
    .select({ d: ltiDeployments.deploymentId })
    .from(ltiDeployments)
    .where(and(eq(ltiDeployments.registrationId, registrationId), eq(ltiDeployments.deploymentId, deploymentId)));
  return !!row;
}

/** The web origins of a registration's platform (issuer and login address), for CSP frame-ancestors. */
export function platformOrigins(reg: { issuer: string; authLoginUrl: string }): string[] {
  const out = new Set<string>();
  for (const u of [reg.issuer, reg.authLoginUrl]) {
    try {
      out.add(new URL(u).origin);
    } catch {
      // A registration's addresses are validated on input; an unparsable one adds nothing.
    }
  }
  return [...out];
}

/** The values an LMS administrator pastes into the platform's tool configuration. */
export function toolValues(publicUrl: string) {
  return {
    loginInitiationUrl: `${publicUrl}/lti/login`,
    targetLinkUri: `${publicUrl}/lti/launch`,
    redirectUris: [`${publicUrl}/lti/launch`, `${publicUrl}/lti/deep-link`],
    deepLinkingUrl: `${publicUrl}/lti/deep-link`,
    jwksUrl: `${publicUrl}/.well-known/jwks.json`,
    domain: new URL(publicUrl).host,
  };
}
