/** The provider's identity: its name and logo (uploaded through ctx.storage, the type read from the bytes), and the
 * public logo address pages and e-mails use. */
import type { RequestHandler } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context';
import { audit } from '../audit';
import { organisations } from '../db/tables';
import { NotFoundError, UploadError } from '../errors';
import { onProvider } from '../http/grants';
import { formOf } from '../http/forms';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { text } from '../http/validate';
import { LOGO_MAX_BYTES, LOGO_TYPES, logoTypeOf } from '../identity';
import { singleFileUpload, type StoredUpload } from '../storage/upload-engine';

/** POST /admin/identity/name. */
export const providerNameInput = z.strictObject({ name: text(200).meta({ label: "provider's name", missing: 'Give your organisation the name people will see' }) });

const tooLarge = () => new UploadError(`That logo is larger than ${LOGO_MAX_BYTES / 1024 / 1024} MB. Save it smaller (a few hundred pixels wide is plenty) and try again.`, 413, 'logo');

function logoUpload(ctx: AppContext): RequestHandler {
  return singleFileUpload<string>({
    storage: ctx.storage,
    field: 'logo',
    prefix: 'logos',
    maxBytes: LOGO_MAX_BYTES,
    tooLarge,
    key: (mime, random) => `logos/${random.slice(0, 32)}.${LOGO_TYPES[mime]}`,
    async check(head) {
      const mime = await logoTypeOf(head);
      if (!mime) throw new UploadError('That file is not a PNG, JPEG or WebP image. Save the logo as PNG and try again.', 415, 'logo');
      return { info: mime };
    },
  });
}

/** Mounts the logo (public) and the admin's name and logo forms. */
export function identityRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');
  const admin = onProvider('provider:manage');

  /** The provider organisation the forms change (one exists once the install is seeded; a provider created since the
   * last reload is found by reloading now). */
  const provider = async () => {
    const id = ctx.identity.get().organisationId ?? (await ctx.identity.refresh()).organisationId;
    if (!id) throw new NotFoundError('The provider organisation');
    return id;
  };

  r.get('/provider/logo/:version', { summary: "The provider's logo (public: the login page and e-mails show it)", authorize: 'public' }, async (_input, req, res) => {
    const { logo } = ctx.identity.get();
    if (!logo) throw new NotFoundError('A logo');
    res.setHeader('Content-Type', logo.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    const stream = await ctx.storage.get(logo.key);
    stream.on('error', (err) => {
      req.log.warn({ err }, 'logo stream failed');
      res.destroy(err);
    });
    stream.pipe(res);
  });

  r.form('/admin/identity/name', { summary: "Set the provider's name (form)", body: formOf(providerNameInput), authorize: admin }, async ({ body, actor }) => {
    const id = await provider();
    await ctx.db.transaction(async (tx) => {
      await tx.update(organisations).set({ name: body.name }).where(eq(organisations.id, id));
      await audit(tx, { actorId: actor.id, action: 'provider.renamed', subjectType: 'organisation', subjectId: id, after: { name: body.name } });
    });
    await ctx.identity.refresh();
    return seeOther('/admin?saved=identity#identity');
  });

  r.form('/admin/identity/logo', { summary: "Upload the provider's logo (PNG, JPEG or WebP, up to 2 MB)", upload: logoUpload(ctx), authorize: admin }, async ({ actor }, req) => {
    const stored = req.file as StoredUpload<string> | undefined;
    try {
      if (!stored) throw new UploadError('Choose a logo image (PNG, JPEG or WebP) to upload.', 400, 'logo');
      const id = await provider();
      const before = ctx.identity.get().logo;
      await ctx.db.transaction(async (tx) => {
        await tx.update(organisations).set({ logoKey: stored.storageKey, logoType: stored.checked }).where(eq(organisations.id, id));
        await audit(tx, { actorId: actor.id, action: 'provider.logo_uploaded', subjectType: 'organisation', subjectId: id, after: { sizeBytes: stored.size, type: stored.checked } });
      });
      await ctx.identity.refresh();
      if (before) await ctx.storage.delete(before.key);
      return seeOther('/admin?saved=identity#identity');
    } catch (err) {
      if (stored?.storageKey) await ctx.storage.delete(stored.storageKey);
      throw err;
    }
  });

  return [r];
}
