/** Provider identity: the admin names the provider and uploads a logo (sniffed from its bytes, through storage); every
 * page shows them, and providerIdentity/providerLogo give reports and e-mails the same. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { asBuffer, binary } from '../support/pdf';
import { providerLogo } from '../../server/identity';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  await t.cadre.ctx.identity.refresh();
});
afterAll(() => t.stop());

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs). */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 200, 30, 60]))), chunk('IEND', Buffer.alloc(0))]);
}

describe('provider identity', () => {
  it('names the provider on every page, refuses a logo that is not an image, and serves the one it accepts', async () => {
    const admin = await t.loginAs(w.admin.email);
    const page = await admin.get('/admin');
    expect(page.text).toContain('data-testid="brand">Provider<');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;

    const empty = await admin.post('/admin/identity/name').type('form').send({ _csrf: csrf, name: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Give your organisation the name people will see.');
    const renamed = await admin.post('/admin/identity/name').type('form').send({ _csrf: csrf, name: 'Calm Ways Training' });
    expect(renamed.status).toBe(303);
    const home = await admin.get('/admin');
    expect(home.text).toContain('data-testid="brand">Calm Ways Training<');
    expect(home.text).toContain('<title>Administration · Calm Ways Training</title>');

    const fake = await admin.post('/admin/identity/logo').field('_csrf', csrf).attach('logo', Buffer.from('<svg onload="x()"></svg>'), { filename: 'logo.png', contentType: 'image/png' });
    expect(fake.status).toBe(415);
    expect(fake.text).toContain('That file is not a PNG, JPEG or WebP image.');
    expect(t.cadre.ctx.identity.get().logo).toBeNull();

    const ok = await admin.post('/admin/identity/logo').field('_csrf', csrf).attach('logo', png(), { filename: 'logo.bin', contentType: 'application/octet-stream' });
    expect(ok.status).toBe(303);
    const identity = t.cadre.ctx.identity.get();
    expect(identity).toMatchObject({ name: 'Calm Ways Training', logo: { contentType: 'image/png' } });
    const after = await admin.get('/admin');
    expect(after.text).toContain(`<img class="brand-logo" src="${identity.logoUrl}"`);

    // Public (the login page and e-mails show it), typed from its bytes, never sniffed by the browser.
    const logo = await t.anonymous().get(identity.logoUrl as string).buffer(true);
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/png');
    expect(logo.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(logo.body as Buffer, png())).toBe(0);
    expect((await providerLogo(t.cadre.ctx.storage, identity))?.bytes.equals(png())).toBe(true);
  });

  it('signs e-mails and the inspector report in the provider’s name, with its logo', async () => {
    // Someone asks for a reset link: the message comes from the provider, ends with its name and shows its logo.
    const before = t.cadre.ctx.mailer.outbox.length;
    const agent = t.anonymous();
    const csrf = await t.csrf(agent, '/forgot');
    const asked = await agent.post('/forgot').type('form').send({ _csrf: csrf, email: w.a.lead.email });
    expect(asked.status).toBe(200);
    for (let i = 0; i < 250 && t.cadre.ctx.mailer.outbox.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    const mail = t.cadre.ctx.mailer.outbox.at(-1);
    expect(mail).toMatchObject({ to: w.a.lead.email, fromName: 'Calm Ways Training' });
    expect(mail?.text).toMatch(/— Calm Ways Training, through Cadre\n$/);
    expect(mail?.html).toContain('<img src="cid:provider-logo" alt="Calm Ways Training"');
    expect(mail?.html).toMatch(/<a href="http[^"]+\/reset\/[^"]+">/);
    expect(mail?.attachments?.[0]).toMatchObject({ cid: 'provider-logo', contentType: 'image/png' });

    // The report's cover carries the provider's logo above its name.
    const lead = await t.loginAs(w.a.lead.email);
    const pdf = await asBuffer(lead, `/cohorts/${w.a.cohort.id}/report.pdf`);
    expect(pdf.status).toBe(200);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-cover-'));
    writeFileSync(path.join(dir, 'r.pdf'), binary(pdf));
    const images = execFileSync('pdfimages', ['-f', '1', '-l', '1', '-list', path.join(dir, 'r.pdf')]).toString().trim().split('\n').slice(2);
    expect(images).toHaveLength(1);
    expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', path.join(dir, 'r.pdf'), '-']).toString()).toContain('Calm Ways Training');
  });

  it('is the provider admin’s alone to change', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const csrf = await t.csrf(lead, '/cohorts');
    const res = await lead.post('/admin/identity/name').type('form').send({ _csrf: csrf, name: 'Taken over' });
    expect([403, 404]).toContain(res.status);
    expect(t.cadre.ctx.identity.get().name).not.toBe('Taken over');
  });
});
