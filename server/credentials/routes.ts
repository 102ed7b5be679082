/**
 * Certificate routes. Signed in: a certificate's page (holder, their organisation's lead, admins), its PDF, its Open
 * Badge (the holder), the admin's revocation (confirmation form), a cohort's certificates. Public (no login): the
 * verification page /verify/<code> (throttled per address in the shared rate-limit table), the issuer profile and the
 * JWK Set that verify Open Badges.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { users } from '../db/tables';
import { eq } from 'drizzle-orm';
import { NotFoundError, RateLimitedError, type AppError } from '../errors';
import { onCohort } from '../http/grants';
import { seeOther } from '../http/present';
import type { Grant, RouteRegistry } from '../http/router';
import { text } from '../http/validate';
import { can } from '../policies';
import { limiter } from '../auth/rate-limit';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { sha256 } from '../util/canonical';
import type { Actor } from '../auth/actor';
import { badgeCredential, badgeKeySet, issuerProfile, signBadge } from './badge';
import { normaliseCode } from './code';
import { revokeCertificate } from './issue';
import type { CertificateRow } from './ledger';
import { certificatePdf } from './pdf';
import { historyLine, presentCertificate, statusSentence, sayDay } from './present';
import { standingDetail, standingKey, standingsOf, type TrainerStanding as Standing } from '../register/status';
import { certificateByCode, certificateById, certificateHistory, certificatesOf, statusOf, type CertificateView } from './queries';

/** How many verification pages one address may open per hour (a person checking a few certificates never meets it). */
export const VERIFY_LIMIT_PER_HOUR = 60;

type CertificateSubject = { type: 'certificate'; holderId: string; organisationId: string; row: CertificateRow };

function onCertificate(db: Db, action: 'certificate:view' | 'certificate:badge' | 'certificate:revoke') {
  return async (_req: Request, input: { params: { certificateId: string } }): Promise<Grant<CertificateSubject>> => {
    const row = await certificateById(db, input.params.certificateId);
    if (!row) throw new NotFoundError('That certificate');
    return [action, { type: 'certificate', holderId: row.holderId, organisationId: row.organisationId, row }, 'That certificate'];
  };
}

const certificateParams = z.object({ certificateId: z.uuid({ message: 'must be an id like 3f2b…, as given by Cadre' }) });
const codeParams = z.object({ code: z.string().max(40) });
const revokeForm = z.object({ reason: text(1000, 10).meta({ label: 'reason', missing: 'Give the reason for revoking this certificate' }) });
const verifyQuery = z.object({ code: z.string().max(40).optional() });

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'certificate';

/** Mounts the certificate pages (signed in) and returns the public routers. */
export function credentialRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/certificates');
  const cohortPages = registry.router('/cohorts/:cohortId');
  const verify = registry.router('/verify');
  const issuer = registry.router('/credentials');
  const throttle = limiter(ctx.database, 'verify_ip', VERIFY_LIMIT_PER_HOUR, 3600);

  async function view(row: CertificateRow): Promise<CertificateView> {
    const found = await certificateByCode(ctx.db, row.code);
    if (!found) throw new NotFoundError('That certificate');
    return found;
  }

  /** A trainer's standing on the register as the certificate pages say it (the register's one rule, standingOf). */
  const standingWords = (s: Standing | undefined) => s && { words: s.words, style: s.style, reason: s.reason, detail: standingDetail(s) };

  async function renderPage(res: Response, actor: Actor, row: CertificateRow, extra: { revoking?: boolean; error?: AppError; values?: Record<string, unknown>; done?: string } = {}) {
    const cert = await view(row);
    const subject = { type: 'certificate' as const, holderId: row.holderId, organisationId: row.organisationId };
    const [history, standings] = await Promise.all([certificateHistory(ctx.db, row), standingsOf(ctx.db, { holderIds: [row.holderId], organisationId: row.organisationId })]);
    res.render('credentials/certificate', {
      title: `Certificate — ${cert.holderName}`,
      certificate: presentCertificate(cert),
      standing: standingWords(standings.get(standingKey(row.holderId, row.organisationId))),
      // The trainer record is for the trainer, the organisation's leads and admins (a mentor sees the certificate only).
      recordHref: can(actor, 'trainer:view', { type: 'trainer', userId: row.holderId, organisationId: row.organisationId }) ? `/organisations/${row.organisationId}/trainers/${row.holderId}` : null,
      own: actor.id === row.holderId,
      history: history.map(historyLine),
      can: { badge: can(actor, 'certificate:badge', subject), revoke: can(actor, 'certificate:revoke', subject) && cert.status !== 'revoked' },
      revoking: extra.revoking ?? false,
      error: extra.error,
      values: extra.values ?? {},
      done: extra.done === 'revoked' ? 'The certificate is revoked. Its verification page now says so.' : null,
      revokedReason: cert.status === 'revoked' ? cert.revocationReason : null,
    });
  }

  pages.get('/mine', { summary: 'My certificates (the signed-in person’s own)', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    const [list, standings] = await Promise.all([certificatesOf(ctx.db, { holderId: actor.id }), standingsOf(ctx.db, { holderIds: [actor.id] })]);
    res.render('credentials/mine', { title: 'My certificates', certificates: list.map((c) => ({ ...presentCertificate(c), standing: standingWords(standings.get(standingKey(c.holderId, c.organisationId))) })) });
  });

  pages.get('/:certificateId', { summary: 'A certificate: its status, what it certifies, its history and downloads', params: certificateParams, query: z.object({ done: z.literal('revoked').optional() }), authorize: onCertificate(ctx.db, 'certificate:view') }, async ({ actor, subject, query }, _req, res) => {
    await renderPage(res, actor, subject.row, { done: query.done });
  });

  pages.get('/:certificateId/certificate.pdf', { summary: 'The certificate as a PDF (with its code and a QR code to the verification page)', params: certificateParams, produces: 'application/pdf', authorize: onCertificate(ctx.db, 'certificate:view') }, async ({ subject }, _req, res) => {
    const cert = await view(subject.row);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="certificate-${slug(cert.holderName)}-${cert.code}.pdf"`);
    res.send(await certificatePdf(ctx, cert));
  });

  pages.get('/:certificateId/open-badge.jwt', { summary: 'The certificate as an Open Badges 3.0 credential (VC-JWT, signed by the provider)', params: certificateParams, produces: 'application/vc+jwt', authorize: onCertificate(ctx.db, 'certificate:badge') }, async ({ subject }, _req, res) => {
    const cert = await view(subject.row);
    const [holder] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, cert.holderId));
    const jwt = await signBadge(ctx, badgeCredential(ctx, cert, holder.email));
    res.setHeader('Content-Type', 'application/vc+jwt');
    res.setHeader('Content-Disposition', `attachment; filename="open-badge-${cert.code}.jwt"`);
    res.send(jwt);
  });

  pages.get('/:certificateId/revoke', { summary: 'Confirm revoking a certificate (admins): the form asks for the reason', params: certificateParams, authorize: onCertificate(ctx.db, 'certificate:revoke') }, async ({ actor, subject }, _req, res) => {
    await renderPage(res, actor, subject.row, { revoking: true });
  });

  pages.form(
    '/:certificateId/revoke',
    { summary: 'Revoke a certificate with a reason (admins; form)', params: certificateParams, body: revokeForm, authorize: onCertificate(ctx.db, 'certificate:revoke'), rerender: (_req, res, { error, values, actor, subject }) => renderPage(res, actor, subject.row, { revoking: true, error, values }) },
    async ({ body, actor, subject }) => {
      await revokeCertificate(ctx, actor.id, subject.row, body.reason);
      return seeOther(`/certificates/${subject.row.id}?done=revoked`);
    },
  );

  cohortPages.get('/certificates', { summary: 'A cohort’s certificates: each holder with status and expiry', authorize: onCohort(ctx.db, 'cohort:view-progress') }, async ({ subject: { cohort } }, _req, res) => {
    const list = await certificatesOf(ctx.db, { cohortIds: [cohort.id] });
    const standings = await standingsOf(ctx.db, { organisationId: cohort.organisationId, holderIds: [...new Set(list.map((c) => c.holderId))] });
    res.render('credentials/cohort', {
      title: `Certificates — ${cohort.name}`,
      cohort: { name: cohort.name, href: `/cohorts/${cohort.id}/readiness` },
      certificates: list.map((c) => ({ ...presentCertificate(c), standing: standingWords(standings.get(standingKey(c.holderId, c.organisationId))) })),
    });
  });

  async function countVisit(req: Request) {
    try {
      await throttle.consume(sha256(`ip:${req.ip ?? 'unknown'}`).slice(0, 40));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const minutes = Math.max(1, Math.ceil(err.msBeforeNext / 60_000));
      throw new RateLimitedError(`Too many certificates have been checked from here in the last hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, Math.ceil(err.msBeforeNext / 1000));
    }
  }

  verify.get('/', { summary: 'Check a certificate: type its code (public)', authorize: 'public', query: verifyQuery }, async ({ query }, _req, res) => {
    if (query.code !== undefined) {
      const code = normaliseCode(query.code);
      if (code) return seeOther(`/verify/${code}`);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.render('credentials/verify-form', { title: 'Check a certificate', typed: query.code ?? '', error: query.code !== undefined ? { message: 'Enter the 12-character code printed on the certificate, such as 7KQ4-M9XT-2HWC.', fields: [{ field: 'code', message: 'Enter the 12-character code printed on the certificate, such as 7KQ4-M9XT-2HWC.' }] } : null });
  });

  verify.get('/:code', { summary: 'A certificate’s public verification page: valid, expired or revoked (nothing private)', authorize: 'public', params: codeParams }, async ({ params }, req, res) => {
    await countVisit(req);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const code = normaliseCode(params.code);
    const cert = code ? await certificateByCode(ctx.db, code) : null;
    if (!cert) {
      res.status(404).render('credentials/verify-unknown', { title: 'Certificate not found', typed: params.code.slice(0, 40) });
      return;
    }
    const status = statusOf(cert);
    // The holder's standing on that organisation's register (the register's one rule), without the provider's reasons.
    const standing = (await standingsOf(ctx.db, { holderIds: [cert.holderId], organisationId: cert.organisationId })).get(standingKey(cert.holderId, cert.organisationId));
    // A provider created since the last identity reload (a fresh install's seed) is read now rather than shown as "Cadre".
    const identity = ctx.identity.get().organisationId ? ctx.identity.get() : await ctx.identity.refresh();
    res.render('credentials/verify', {
      title: `Certificate ${cert.code}`,
      provider: identity.name,
      certificate: { ...presentCertificate(cert), sentence: statusSentence(cert) },
      valid: status === 'valid',
      revoked: status === 'revoked',
      revokedOn: cert.revokedAt ? sayDay(cert.revokedAt) : null,
      standing: standing ? { words: standing.words, style: standing.style, reason: standingDetail({ reason: standing.publicReason }) } : null,
    });
  });

  issuer.get('/issuer', { summary: 'The Open Badges issuer profile (public JSON)', authorize: 'public', produces: 'application/json' }, async (_input, _req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.send(JSON.stringify(await issuerProfile(ctx)));
  });

  issuer.get('/jwks.json', { summary: 'The public keys that verify Open Badges credentials (JWK Set, public)', authorize: 'public', produces: 'application/jwk-set+json' }, async (_input, _req, res) => {
    res.setHeader('Content-Type', 'application/jwk-set+json');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.send(JSON.stringify(await badgeKeySet(ctx)));
  });

  return { routers: [pages, cohortPages], publicRouters: [verify, issuer] };
}
