/** Who the inspector report is from and for. The provider is the training company's organisation; logos are not
 * stored yet, so only names are printed. When the provider identity (name + logo) lands, read it here. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { rows } from '../sql';
import type { ReportParty } from '../pdf';

/** The provider and the client (the cohort's organisation) as the report's cover names them. */
export async function reportParties(db: Db, clientName: string): Promise<{ provider: ReportParty | null; client: ReportParty }> {
  const [provider] = await rows<{ name: string }>(db, sql`select name from organisations where kind = 'provider' order by created_at, id limit 1`);
  return { provider: provider ? { name: provider.name, logo: null } : null, client: { name: clientName, logo: null } };
}
