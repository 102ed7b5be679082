/** The training provider's identity — its name and logo — as pages, e-mails and reports show it. */
import { fileTypeFromBuffer } from 'file-type';
import { asc, eq } from 'drizzle-orm';
import type { Db } from './db';
import { organisations } from './db/tables';
import { readAll, type FileStorage } from './storage';

/** What people see of the provider: its name, and its logo when one was uploaded. */
export type ProviderIdentity = {
  /** The provider organisation's id (null before one exists: a fresh install shows "Cadre"). */
  organisationId: string | null;
  name: string;
  /** The stored logo (a PNG, JPEG or WebP checked from its bytes), or null. */
  logo: { key: string; contentType: string } | null;
  /** Where a page's <img> finds the logo, or null. */
  logoUrl: string | null;
};

/** The logo types accepted (read from the bytes, never the name or the browser's claim). */
export const LOGO_TYPES: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** The largest logo accepted. */
export const LOGO_MAX_BYTES = 2 * 1024 * 1024;

const FALLBACK: ProviderIdentity = { organisationId: null, name: 'Cadre', logo: null, logoUrl: null };

/** The provider's identity from the database (the first provider organisation). */
export async function loadProviderIdentity(db: Db): Promise<ProviderIdentity> {
  const [row] = await db
    .select({ id: organisations.id, name: organisations.name, logoKey: organisations.logoKey, logoType: organisations.logoType })
    .from(organisations)
    .where(eq(organisations.kind, 'provider'))
    .orderBy(asc(organisations.createdAt))
    .limit(1);
  if (!row) return FALLBACK;
  const logo = row.logoKey && row.logoType ? { key: row.logoKey, contentType: row.logoType } : null;
  // The key in the address changes with each logo, so browsers may keep it for long.
  return { organisationId: row.id, name: row.name, logo, logoUrl: logo ? `/provider/logo/${logo.key.slice(-12).replace(/[^\w.]/g, '')}` : null };
}

/** The logo's bytes and type (for a PDF cover or an e-mail), or null when there is none. */
export async function providerLogo(storage: FileStorage, identity: ProviderIdentity): Promise<{ bytes: Buffer; contentType: string } | null> {
  if (!identity.logo) return null;
  try {
    return { bytes: await readAll(await storage.get(identity.logo.key)), contentType: identity.logo.contentType };
  } catch {
    return null;
  }
}

/** The logo type of `head` (its first bytes), or null when it is not a PNG, JPEG or WebP image. */
export async function logoTypeOf(head: Buffer): Promise<string | null> {
  const found = await fileTypeFromBuffer(head);
  return found && LOGO_TYPES[found.mime] ? found.mime : null;
}

/** The identity every page's layout reads without a query: loaded at start, refreshed after a change on this node
 * and every minute (off the request path) so other nodes follow. */
export class ProviderIdentityCache {
  private current: ProviderIdentity = FALLBACK;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {}

  /** The identity as last loaded. */
  get(): ProviderIdentity {
    return this.current;
  }

  /** Loads it now (after a change, and at start). */
  async refresh(): Promise<ProviderIdentity> {
    this.current = await loadProviderIdentity(this.db);
    return this.current;
  }

  /** Loads it and keeps it fresh every `everyMs`; `onError` hears a failed reload (the last identity stays). */
  async start(everyMs: number, onError: (err: unknown) => void): Promise<void> {
    await this.refresh().catch(onError);
    this.timer = setInterval(() => void this.refresh().catch(onError), everyMs);
    this.timer.unref();
  }

  /** Stops the reloads. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
