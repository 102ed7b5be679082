/** Certificates in words for pages: status sentences, dates, history lines — never an id or a code word. */
import { dateFormat } from '../util/dates';
import type { CertificateStatus, CertificateView } from './queries';

const day = dateFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });

/** A date as the pages say it ("2 December 2026", UK time). */
export const sayDay = (d: Date) => day.format(d);

/** The status as a short label and a class for its badge. */
export const STATUS_WORDS: Record<CertificateStatus, { label: string; tone: string }> = {
  valid: { label: 'Valid', tone: 'status-complete' },
  expired: { label: 'Expired', tone: 'status-at_risk' },
  revoked: { label: 'Revoked', tone: 'status-revoked' },
};

/** The one sentence saying where a certificate stands (no private reason). */
export function statusSentence(c: Pick<CertificateView, 'status' | 'expiresAt' | 'revokedAt'>): string {
  if (c.status === 'revoked' && c.revokedAt) return `This certificate was revoked on ${sayDay(c.revokedAt)}. It is no longer valid.`;
  if (c.status === 'expired') return `This certificate expired on ${sayDay(c.expiresAt)}. It can be renewed by completing the annual refresher.`;
  return `This certificate is valid until ${sayDay(c.expiresAt)}.`;
}

/** A certificate as list rows and pages show it. */
export function presentCertificate(c: CertificateView) {
  return {
    id: c.id,
    code: c.code,
    holderName: c.holderName,
    organisationName: c.organisationName,
    programme: c.programme,
    role: c.role,
    status: STATUS_WORDS[c.status],
    revoked: c.status === 'revoked',
    sentence: statusSentence(c),
    issued: sayDay(c.issuedAt),
    validFrom: sayDay(c.validFrom),
    expires: sayDay(c.expiresAt),
    renewals: c.renewals,
    competencies: c.competencies,
    href: `/certificates/${c.id}`,
    verifyHref: `/verify/${c.code}`,
  };
}

/** A ledger entry about a certificate as a history line. */
export function historyLine(e: { kind: string; at: Date; payload: Record<string, unknown> }): string {
  const when = sayDay(e.at);
  if (e.kind === 'certificate.issued') return `${when}: issued on the final readiness sign-off, valid until ${sayDay(new Date(String(e.payload.expiresAt)))}.`;
  if (e.kind === 'certificate.renewed') return `${when}: renewed by the refresher ${String(e.payload.refresherName ?? '')}, now valid until ${sayDay(new Date(String(e.payload.expiresAt)))}.`.replace('refresher , ', 'refresher, ');
  if (e.kind === 'certificate.revoked') return `${when}: revoked. Reason: ${String(e.payload.reason ?? '')}`;
  return `${when}: ${e.kind}`;
}
