/** Evidence uploads: good files are stored by random key and served only to permitted people as attachments;
 * attacks are refused with a clear message and leave nothing behind (no row, no file). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, PDF, PNG, REFLECTION, type SignoffWorld } from '../signoffs/support';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default.
jest.setTimeout(60_000);
const MAX = 64 * 1024;
let t: TestApp;
let w: SignoffWorld;
beforeAll(async () => {
  t = await startTestApp({ config: { EVIDENCE_MAX_BYTES: String(MAX) } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildSignoffWorld(t);
});

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A tiny ZIP with the given entries (stored, not compressed), as Word documents are. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  void deflateRawSync;
  return Buffer.concat([...locals, cd, end]);
}

async function candidateAgent(): Promise<{ agent: TestAgent; token: string }> {
  const agent = await t.loginAs(w.a.candidate.email);
  return { agent, token: await t.csrf(agent, '/cohorts') };
}

async function upload(file: { data: Buffer; name: string; type: string }, code = 'D1'): Promise<Response> {
  const { agent, token } = await candidateAgent();
  return agent
    .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
    .set('x-csrf-token', token)
    .field('competencyId', w.code[code])
    .field('reflection', REFLECTION)
    .attach('files', file.data, { filename: file.name, contentType: file.type });
}

async function expectNothingStored() {
  const counts = await t.database.query(`select (select count(*) from files)::int as files, (select count(*) from signoff_requests)::int as requests, (select count(*) from signoff_evidence)::int as evidence, (select count(*) from ledger_entries)::int as ledger`);
  expect(counts.rows[0]).toEqual({ files: 0, requests: 0, evidence: 0, ledger: 0 });
  // A file stored before the refusal was known (a multipart form's CSRF field is read with the upload) is deleted
  // once the answer has been sent: wait for that, briefly.
  for (let i = 0; i < 100 && filesUnder(t.config.uploadDir).length; i++) await new Promise((r) => setTimeout(r, 20));
  expect(filesUnder(t.config.uploadDir)).toEqual([]);
}

const binary = (agent: TestAgent, url: string) =>
  agent.get(url).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('refused uploads leave nothing behind', () => {
  it('refuses a Linux executable renamed .pdf (415)', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(512, 1)]);
    const res = await upload({ data: elf, name: 'certificate.pdf', type: 'application/pdf' });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toBe('“certificate.pdf” is a Linux program, which cannot be used as evidence. Programs are never accepted as evidence. Accepted: PDF, PNG image, JPEG image, WebP image, MP4 video, WebM video, MOV video, Word document, Word 97–2003 document. Nothing was saved.');
    await expectNothingStored();
  });

  it('refuses a Windows executable renamed .pdf (415)', async () => {
    const mz = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(600, 0)]);
    const res = await upload({ data: mz, name: 'notes.pdf', type: 'application/pdf' });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/Windows program/);
    await expectNothingStored();
  });

  it('refuses an oversize file (413) naming the file and the limit', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(MAX + 1024, 0x20)]);
    const res = await upload({ data: big, name: 'video-notes.pdf', type: 'application/pdf' });
    expect(res.status).toBe(413);
    // The file as the person named it, never the form's field ("files").
    expect(res.body.error.message).toMatch(/^“video-notes\.pdf” is larger than (64 KB|0\.1 MB)/);
    expect(res.body.error.fields).toEqual([{ field: 'files', message: res.body.error.message }]);
    await expectNothingStored();
  });

  it('refuses an empty file (400)', async () => {
    const res = await upload({ data: Buffer.alloc(0), name: 'empty.pdf', type: 'application/pdf' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/is empty/);
    await expectNothingStored();
  });

  it('refuses a declared type that does not match the content (415)', async () => {
    const res = await upload({ data: PDF, name: 'photo.png', type: 'image/png' });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toBe('“photo.png” was sent as image/png but its content is a PDF. Save it in the right format and try again — nothing was saved.');
    await expectNothingStored();
  });

  it('refuses a name whose extension does not match the content (415)', async () => {
    const res = await upload({ data: PNG, name: 'report.pdf', type: 'application/octet-stream' });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/named \.pdf but its content is a PNG image/);
    await expectNothingStored();
  });

  it('refuses a plain ZIP that is not a Word document (415)', async () => {
    const res = await upload({ data: zip({ 'evil.sh': 'echo hi' }), name: 'essay.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    expect(res.status).toBe(415);
    await expectNothingStored();
  });

  it('refuses a file from someone who may not add evidence before reading it (404), with nothing stored', async () => {
    const peer = await t.loginAs(w.a.otherCandidate.email);
    const token = await t.csrf(peer, '/cohorts');
    const res = await peer
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .set('x-csrf-token', token)
      .field('competencyId', w.code.D1)
      .field('reflection', REFLECTION)
      .attach('files', PDF, { filename: 'x.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(404);
    await expectNothingStored();
  });

  it('refuses a multipart post without the CSRF token (403)', async () => {
    const { agent } = await candidateAgent();
    const res = await agent
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .field('competencyId', w.code.D1)
      .field('reflection', REFLECTION)
      .attach('files', PDF, { filename: 'x.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(403);
    await expectNothingStored();
  });
});

describe('accepted uploads', () => {
  it('stores a path-traversal name safely: random key inside UPLOAD_DIR, display name without folders', async () => {
    const parent = path.dirname(t.config.uploadDir);
    const listing = () => readdirSync(parent).filter((n) => n !== 'uploads').sort();
    const before = listing();
    const res = await upload({ data: PDF, name: '../../../../etc/cron.d/evil.pdf', type: 'application/pdf' });
    expect(res.status).toBe(201);
    expect(res.body.evidence).toEqual([expect.objectContaining({ kind: 'file', name: 'evil.pdf', mimeType: 'application/pdf' })]);
    const stored = filesUnder(t.config.uploadDir);
    expect(stored).toHaveLength(1);
    expect(path.basename(stored[0])).toMatch(/^[0-9a-f]{48}$/);
    expect(listing()).toEqual(before);
    const rows = await t.database.db.execute(sql`select storage_key, display_name, sha256 from files`);
    const row = (rows as unknown as { rows: { storage_key: string; display_name: string; sha256: string }[] }).rows[0];
    expect(row.storage_key).not.toMatch(/evil|\.\./);
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a PDF, an image and a Word document, and serves them only to permitted people, as attachments', async () => {
    const { agent, token } = await candidateAgent();
    const docx = zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' });
    const res = await agent
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .set('x-csrf-token', token)
      .field('competencyId', w.code.D2)
      .field('reflection', REFLECTION)
      .attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' })
      .attach('files', PNG, { filename: 'flipchart.png', contentType: 'image/png' })
      .attach('files', docx, { filename: 'Reflection — week 3.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    expect(res.status).toBe(201);
    expect(res.body.evidence.map((e: { name: string }) => e.name)).toEqual(['plan.pdf', 'flipchart.png', 'Reflection — week 3.docx']);
    const href = res.body.evidence[0].href as string;

    const own = await binary(agent, href);
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.headers['content-disposition']).toBe(`attachment; filename="plan.pdf"; filename*=UTF-8''plan.pdf`);
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(own.body as Buffer, PDF)).toBe(0);

    expect((await binary(await t.loginAs(w.a.mentor.email), href)).status).toBe(200);
    expect((await binary(await t.loginAs(w.a.lead.email), href)).status).toBe(200);
    expect((await binary(await t.loginAs(w.a.otherCandidate.email), href)).status).toBe(404);
    expect((await binary(await t.loginAs(w.b.mentor.email), href)).status).toBe(404);
    const anon = await t.anonymous().get(href);
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toMatch(/^\/login/);
    expect((await agent.get('/evidence/not-an-id')).status).toBe(404);
  });
});
