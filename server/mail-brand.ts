/** E-mails in the provider's name: the sender shows the provider, the message ends with its name, and an HTML part
 * carries its logo inline — so an invitation reads as coming from the training company people know. */
import type { Mail, Mailer } from './mail';
import type { ProviderIdentity } from './identity';

/** What branding needs: the provider's identity now, and its logo's bytes when it has one. */
export type MailBrand = { identity(): ProviderIdentity | Promise<ProviderIdentity>; logo(identity: ProviderIdentity): Promise<{ bytes: Buffer; contentType: string } | null> };

const LOGO_CID = 'provider-logo';
const LOGO_FILES: Record<string, string> = { 'image/png': 'logo.png', 'image/jpeg': 'logo.jpg', 'image/webp': 'logo.webp' };

/** A mailer that sends every message branded (the inner mailer's outbox keeps the branded message). */
export function brandedMailer(inner: Mailer, brand: MailBrand): Mailer {
  return {
    get transport() {
      return inner.transport;
    },
    outbox: inner.outbox,
    async send(mail) {
      await inner.send(await brandMail(mail, brand));
    },
  };
}

/** `mail` with the provider's name as sender and signature, and an HTML part (with the logo when there is one). */
export async function brandMail(mail: Mail, brand: MailBrand): Promise<Mail> {
  const identity = await brand.identity();
  const logo = await brand.logo(identity).catch(() => null);
  const signature = identity.organisationId ? `${identity.name}, through Cadre` : 'Cadre';
  const text = `${mail.text.trimEnd()}\n\n— ${signature}\n`;
  const header = logo
    ? `<img src="cid:${LOGO_CID}" alt="${escapeHtml(identity.name)}" style="max-height:48px;max-width:200px">`
    : `<strong style="font-size:18px">${escapeHtml(identity.name)}</strong>`;
  const body = mail.text
    .trimEnd()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${linkify(escapeHtml(paragraph)).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const html = [
    '<!doctype html><html lang="en-GB"><body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#1b1f23">',
    `<div style="max-width:600px;margin:0 auto;padding:16px">${header}`,
    body,
    `<p style="color:#4a5560;font-size:14px">— ${escapeHtml(signature)}</p></div></body></html>`,
  ].join('\n');
  const attachments = logo ? [...(mail.attachments ?? []), { filename: LOGO_FILES[logo.contentType] ?? 'logo', content: logo.bytes, contentType: logo.contentType, cid: LOGO_CID }] : mail.attachments;
  return { ...mail, text, html, fromName: identity.organisationId ? identity.name : mail.fromName, ...(attachments ? { attachments } : {}) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Links in already-escaped text become anchors (the address is shown as written). */
function linkify(escaped: string): string {
  return escaped.replace(/\bhttps?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}
