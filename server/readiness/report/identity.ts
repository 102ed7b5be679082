/** Who the inspector report is from and for: the training provider (its name and logo from the provider identity)
 * and the client organisation (its name, and its logo when one is stored). */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../context';
import { organisations } from '../../db/tables';
import { providerLogo } from '../../identity';
import { readAll } from '../../storage';
import type { ReportParty } from '../pdf';

/** The provider and the client (the cohort's organisation) as the report's cover names them. */
export async function reportParties(ctx: AppContext, client: { id: string; name: string }): Promise<{ provider: ReportParty | null; client: ReportParty }> {
  // A provider created since the last reload (a fresh install, a test's world) is read now rather than missed.
  const identity = ctx.identity.get().organisationId ? ctx.identity.get() : await ctx.identity.refresh();
  const [providerImage, clientImage] = await Promise.all([providerLogo(ctx.storage, identity), clientLogo(ctx, client.id)]);
  return {
    provider: identity.organisationId ? { name: identity.name, logo: providerImage?.bytes ?? null } : null,
    client: { name: client.name, logo: clientImage },
  };
}

async function clientLogo(ctx: AppContext, organisationId: string): Promise<Buffer | null> {
  const [row] = await ctx.db.select({ key: organisations.logoKey }).from(organisations).where(eq(organisations.id, organisationId));
  if (!row?.key) return null;
  try {
    return await readAll(await ctx.storage.get(row.key));
  } catch {
    return null;
  }
}
