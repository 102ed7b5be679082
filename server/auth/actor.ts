/** The logged-in person as every policy sees them: who they are and every role they hold. */
import { and, eq, inArray } from 'drizzle-orm';
import { DEFAULT_TIME_ZONE } from '../util/time-zones';
import type { Db } from '../db';
import { certificates, cohortMembers, cohorts, memberships, organisations, users, type CohortRole, type Role } from '../db/tables';

/** A relation to a cohort a capability can be granted to. */
export type Grantee = 'admin' | 'lead' | 'mentor' | 'candidate' | 'observer';

/** The module capabilities of one app: `<module>:<verb>` → who in a cohort holds it. */
export type CapabilityGrants = ReadonlyMap<string, readonly Grantee[]>;

/** A logged-in user with their organisation and cohort roles. */
export type Actor = {
  id: string;
  email: string;
  name: string;
  /** An admin of the training provider: sees and manages everything. */
  isAdmin: boolean;
  /** Each organisation role, with that organisation's time zone (absent on actors built by hand in tests). */
  orgRoles: { organisationId: string; role: Role; kind: 'provider' | 'client'; timeZone?: string }[];
  cohortRoles: { cohortId: string; role: CohortRole }[];
  /** The client organisations whose trainer register this person is on (issued a certificate there): their menu's
   * "My trainer record". */
  trainerOf?: string[];
  /** The capabilities of the app that loaded this actor (each app has its own modules, so its own grants). */
  capabilities: CapabilityGrants;
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User extends Actor {}
  }
}

/** Loads an active user's roles, bound to the app's capabilities; null when the user is missing or not active. */
export async function loadActor(db: Db, userId: string, capabilities: CapabilityGrants): Promise<Actor | null> {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, status: users.status })
    .from(users)
    .where(eq(users.id, userId));
  if (!user || user.status !== 'active') return null;
  const [orgRoles, cohortRoles, trainerOf] = await Promise.all([
    db
      .select({ organisationId: memberships.organisationId, role: memberships.role, kind: organisations.kind, timeZone: organisations.timeZone })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(eq(memberships.userId, userId)),
    db.select({ cohortId: cohortMembers.cohortId, role: cohortMembers.role }).from(cohortMembers).where(and(eq(cohortMembers.userId, userId))),
    db.selectDistinct({ organisationId: certificates.organisationId }).from(certificates).where(eq(certificates.holderId, userId)),
  ]);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: orgRoles.some((m) => m.role === 'admin' && m.kind === 'provider'),
    orgRoles,
    cohortRoles,
    trainerOf: trainerOf.map((t) => t.organisationId),
    capabilities,
  };
}

/**
 * The actor confined to one client organisation (an LTI session acts this way): only roles inside it (and the
 * provider's mentor role, which works only through cohorts of that organisation), never the provider's
 * administration. A platform can therefore never reach another client's data, whatever account it signs in.
 */
export async function confineActor(db: Db, actor: Actor, organisationId: string): Promise<Actor> {
  const ids = actor.cohortRoles.map((c) => c.cohortId);
  const inside = ids.length
    ? new Set((await db.select({ id: cohorts.id }).from(cohorts).where(and(inArray(cohorts.id, ids), eq(cohorts.organisationId, organisationId)))).map((c) => c.id))
    : new Set<string>();
  return {
    ...actor,
    isAdmin: false,
    orgRoles: actor.orgRoles.filter((m) => m.organisationId === organisationId || (m.kind === 'provider' && m.role === 'mentor')),
    cohortRoles: actor.cohortRoles.filter((c) => inside.has(c.cohortId)),
  };
}

/** The time zone a page outside any cohort or organisation address is shown in: the person's client organisation's
 * (a lead's, a candidate's), else the provider's own organisation's, else UK time. */
export function homeTimeZone(actor: Actor | undefined): string {
  const roles = actor?.orgRoles ?? [];
  return roles.find((m) => m.kind === 'client')?.timeZone ?? roles.find((m) => m.timeZone)?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** The user's most significant role, for choosing their home page. */
export function primaryRole(actor: Actor): Role {
  if (actor.isAdmin) return 'admin';
  for (const role of ['mentor', 'lead', 'candidate'] as const) {
    if (actor.orgRoles.some((m) => m.role === role) || actor.cohortRoles.some((c) => c.role === role)) return role;
  }
  return 'candidate';
}
