/** Certificates and Open Badges for the provider's admins: the Open Badges signing keys and their rotation (page and
 * API), the addresses verifiers read, and where each programme's certificate settings are. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { onProvider } from '../http/grants';
import { presenter, reply, seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { badgeKeyStatus, issuerUrls, rotateBadgeKey, type BadgeKeyStatus } from './badge';

/** What the page says after a rotation. */
export const ROTATED = 'A new signing key is active. The old one stays published, so every badge it signed still verifies.';

/** A key's short fingerprint for people comparing keys by eye: the first six bytes of its thumbprint, in hex. */
export function fingerprint(thumbprint: string): string {
  return (Buffer.from(thumbprint, 'base64url').toString('hex').slice(0, 12).toUpperCase().match(/.{4}/g) ?? []).join(' ');
}

const presentKeys = presenter((keys: BadgeKeyStatus[]) => ({
  keys: keys.map((k) => ({ kid: k.kid, thumbprint: k.thumbprint, status: k.status, createdAt: k.createdAt, retiredAt: k.retiredAt })),
}));

/** Mounts /admin/credentials (page and form) and /api/v1/credentials (JSON). */
export function credentialAdminRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/admin/credentials');
  const api = registry.router('/api/v1/credentials');
  const tags = ['credentials'];
  const admin = onProvider('provider:manage');

  pages.get('/', { summary: 'Certificates and Open Badges: the signing keys, their rotation, the addresses verifiers use', query: z.object({ done: z.literal('rotated').optional() }), authorize: admin }, async ({ query }, _req, res) => {
    const keys = await badgeKeyStatus(ctx);
    const urls = issuerUrls(ctx.config.publicUrl);
    res.render('credentials/admin', {
      title: 'Certificates and Open Badges',
      keys: keys.map((k) => ({ active: k.status === 'active', createdAt: k.createdAt, retiredAt: k.retiredAt, fingerprint: fingerprint(k.thumbprint) })),
      issuer: { profile: urls.profile, jwks: urls.jwks },
      done: query.done === 'rotated' ? ROTATED : null,
    });
  });

  pages.form('/keys/rotation', { summary: 'Rotate the Open Badges signing key (form)', authorize: admin }, async ({ actor }) => {
    await rotateBadgeKey(ctx, actor);
    return seeOther('/admin/credentials?done=rotated');
  });

  api.get('/keys', { summary: 'The Open Badges signing keys, newest (the active one) first; retired keys stay published for good (no key material; admin)', tags, authorize: admin }, async () => reply(presentKeys(await badgeKeyStatus(ctx))));

  api.post(
    '/keys/rotation',
    { summary: 'Rotate the Open Badges signing key; the old one stays published for good, so badges it signed still verify (admin). Send an empty JSON object.', tags, body: z.strictObject({}), success: { status: 201, description: 'The keys after rotation, the new active one first' }, authorize: admin },
    async ({ actor }) => {
      await rotateBadgeKey(ctx, actor);
      return reply(presentKeys(await badgeKeyStatus(ctx)));
    },
  );

  return [pages, api];
}
