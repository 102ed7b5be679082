/** The certificate as a one-page A4 landscape PDF: provider and client (names and logos), holder, programme,
 * competencies, validity, the code and a QR code to the public verification page. */
import type PDFKit from 'pdfkit';
import QRCode from 'qrcode';
import type { AppContext } from '../context';
import { reportParties } from '../readiness/report/identity';
import { dateFormat } from '../util/dates';
import type { CertificateView } from './queries';

const day = dateFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });

/** Renders the certificate (text left uncompressed so its words can be searched and tested). */
export async function certificatePdf(ctx: AppContext, cert: CertificateView): Promise<Buffer> {
  const parties = await reportParties(ctx, { id: cert.organisationId, name: cert.organisationName });
  const verifyUrl = `${ctx.config.publicUrl}/verify/${cert.code}`;
  const qr = await QRCode.toBuffer(verifyUrl, { type: 'png', margin: 1, width: 240, errorCorrectionLevel: 'M' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = require('pdfkit') as typeof PDFKit;
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 50, compress: false, info: { Title: `Certificate ${cert.code} — ${cert.holderName}`, Author: parties.provider?.name ?? 'Cadre', Subject: cert.programme } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 100;
  doc.rect(25, 25, doc.page.width - 50, doc.page.height - 50).lineWidth(2).strokeColor('#1d4e89').stroke();
  const logo = (bytes: Buffer | null | undefined, x: number) => {
    if (!bytes) return;
    try {
      doc.image(bytes, x, 45, { fit: [150, 50] });
    } catch {
      // A logo pdfkit cannot read is left out; the names are always printed.
    }
  };
  logo(parties.provider?.logo, 50);
  logo(parties.client.logo, doc.page.width - 200);
  doc.y = 110;
  const centre = (text: string, size: number, font = 'Helvetica', colour = '#111') => doc.font(font).fontSize(size).fillColor(colour).text(text, 50, doc.y, { width, align: 'center' });
  centre(parties.provider?.name ?? 'Cadre', 14, 'Helvetica-Bold', '#1d4e89');
  doc.moveDown(0.6);
  centre('certifies that', 12);
  doc.moveDown(0.3);
  centre(cert.holderName, 28, 'Helvetica-Bold');
  doc.moveDown(0.3);
  centre(`is certified as an ${cert.role.toLowerCase()} in ${cert.programme}`, 14);
  centre(`for ${cert.organisationName} only — this certificate is not transferable to another organisation.`, 11, 'Helvetica', '#333');
  doc.moveDown(0.8);
  if (cert.competencies.length) {
    centre('Competencies signed off on evidence', 11, 'Helvetica-Bold');
    centre(cert.competencies.map((c) => `${c.code} ${c.title}`).join(' · '), 10, 'Helvetica', '#333');
    doc.moveDown(0.6);
  }
  const renewed = cert.renewals ? ` Renewed ${cert.renewals === 1 ? 'once' : `${cert.renewals} times`}, most recently on ${day.format(cert.validFrom)}.` : '';
  centre(`Issued on ${day.format(cert.issuedAt)}. Valid until ${day.format(cert.expiresAt)}.${renewed}`, 11);
  if (cert.status === 'revoked' && cert.revokedAt) {
    doc.moveDown(0.4);
    centre(`REVOKED on ${day.format(cert.revokedAt)} — this certificate is no longer valid.`, 14, 'Helvetica-Bold', '#a4161a');
  }
  const bottom = doc.page.height - 160;
  doc.image(qr, 50, bottom, { width: 100 });
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#111').text(`Certificate code ${cert.code}`, 165, bottom + 18);
  doc.font('Helvetica').fontSize(10).fillColor('#333').text(`Check it is genuine and current: scan the code or visit ${verifyUrl}`, 165, bottom + 36, { width: width - 120 });
  doc.end();
  return done;
}
