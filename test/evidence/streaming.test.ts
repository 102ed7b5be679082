/** Uploads never sit in memory (issue 10.12): evidence streams to storage, is checked from its first bytes, a refused
 * file is never stored, an oversize one is removed, a file is in storage before the request ends, and one person may
 * run only a few uploads at once. */
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { MAX_CONCURRENT_UPLOADS } from '../../server/evidence/store';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, REFLECTION, type SignoffWorld } from '../signoffs/support';

jest.setTimeout(120_000);

const MAX = 50 * 1024 ** 2;
let t: TestApp;
let w: SignoffWorld;
let url: string;
beforeAll(async () => {
  t = await startTestApp({ config: { EVIDENCE_MAX_BYTES: String(MAX) } });
  url = await t.listen();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildSignoffWorld(t);
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A file on disk (so the test client streams it too) of `bytes` that starts like a PDF. */
function pdfOnDisk(bytes: number, name = 'big.pdf'): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cadre-upload-')), name);
  const buf = Buffer.alloc(bytes, 0x20);
  buf.write('%PDF-1.4\n');
  writeFileSync(file, buf);
  return file;
}

const requestPath = () => `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`;

async function candidate() {
  const agent = await t.loginAs(w.a.candidate.email);
  return { agent, token: await t.csrf(agent, '/cohorts') };
}

describe('evidence streams to storage', () => {
  it('never stores a refused file: a program is refused from its first bytes, before storage is asked', async () => {
    const put = jest.spyOn(t.cadre.ctx.storage, 'put');
    try {
      const { agent, token } = await candidate();
      const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2 * 1024 ** 2)]);
      const res = await agent.post(requestPath()).set('x-csrf-token', token).field('competencyId', w.code.D1).field('reflection', REFLECTION).attach('files', elf, { filename: 'report.pdf', contentType: 'application/pdf' });
      expect(res.status).toBe(415);
      expect(res.body.error.message).toMatch(/Linux program/);
      expect(put.mock.calls).toHaveLength(0);
      expect(filesUnder(t.config.uploadDir)).toEqual([]);
    } finally {
      put.mockRestore();
    }
  });

  it('removes an oversize file as soon as it passes the cap, leaving nothing behind', async () => {
    const { agent, token } = await candidate();
    const res = await agent.post(requestPath()).set('x-csrf-token', token).field('competencyId', w.code.D1).field('reflection', REFLECTION).attach('files', pdfOnDisk(MAX + 1024 ** 2));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/larger than 50 MB/);
    expect(filesUnder(t.config.uploadDir)).toEqual([]);
    expect(Number((await t.database.query('select count(*)::int as n from files')).rows[0].n)).toBe(0);
  });

  it('removes stored files when the form turns out to be wrong after the upload', async () => {
    const { agent, token } = await candidate();
    const res = await agent.post(requestPath()).set('x-csrf-token', token).field('competencyId', 'not-a-competency').field('reflection', REFLECTION).attach('files', pdfOnDisk(1024 ** 2));
    expect(res.status).toBe(400);
    for (let i = 0; i < 50 && filesUnder(t.config.uploadDir).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(filesUnder(t.config.uploadDir)).toEqual([]);
  });

  it('streams: the first file is in storage while the second is still being sent (buffering would store nothing yet)', async () => {
    const { agent, token } = await candidate();
    const slow = openUpload(agent, token, w.code.D1);
    const first = Buffer.alloc(8 * 1024 ** 2, 0x20);
    first.write('%PDF-1.4\n');
    slow.req.write(first);
    slow.req.write(`\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="second.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n${' '.repeat(64 * 1024)}`);
    // The request is still open (its second file unfinished): a buffering upload would not have stored a byte.
    const stored = () => filesUnder(t.config.uploadDir).map((f) => statSync(f).size);
    for (let i = 0; i < 600 && !stored().some((n) => n === first.length); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stored()).toContain(first.length);
    slow.req.end(`\r\n--${BOUNDARY}--\r\n`);
    expect(await slow.answered).toBe(201);
    expect(stored().sort((a, b) => a - b)).toEqual([64 * 1024 + 9, first.length]);
  });
});

const BOUNDARY = 'cadre-slow-upload';

/** A raw multipart sign-off request that has sent its fields and the head of a first file, and waits for more. */
function openUpload(agent: Awaited<ReturnType<typeof candidate>>['agent'], token: string, competencyId: string) {
  const cookie = (agent as unknown as { jar: { getCookies: (o: object) => { toValueString(): string }[] } }).jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => c.toValueString())
    .join('; ');
  const { port } = new URL(url);
  const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: requestPath(), headers: { cookie, 'x-csrf-token': token, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'transfer-encoding': 'chunked' } });
  const answered = new Promise<number>((resolve) => req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
  req.on('error', () => undefined);
  req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="competencyId"\r\n\r\n${competencyId}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="reflection"\r\n\r\n${REFLECTION}\r\n`);
  req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="slow.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  return { req, answered };
}

describe('concurrent uploads', () => {
  it(`allows ${MAX_CONCURRENT_UPLOADS} at once per person; another is refused with 429 until one finishes`, async () => {
    const { agent, token } = await candidate();
    // Uploads that send their first bytes, then wait.
    const slow = Array.from({ length: MAX_CONCURRENT_UPLOADS }, () => {
      const upload = openUpload(agent, token, w.code.D2);
      upload.req.write(`%PDF-1.4\n${' '.repeat(8000)}`);
      return upload;
    });
    await new Promise((r) => setTimeout(r, 300));
    const third = await agent.post(requestPath()).set('x-csrf-token', token).field('competencyId', w.code.D3).field('reflection', REFLECTION).attach('files', pdfOnDisk(1024), { filename: 'third.pdf', contentType: 'application/pdf' });
    expect(third.status).toBe(429);
    expect(third.body.error.message).toMatch(new RegExp(`already have ${MAX_CONCURRENT_UPLOADS} uploads in progress`));
    for (const s of slow) s.req.end(`\r\n--${BOUNDARY}--\r\n`);
    const statuses = await Promise.all(slow.map((s) => s.answered));
    expect(statuses.every((s) => s < 500)).toBe(true);
    const after = await agent.post(requestPath()).set('x-csrf-token', token).field('competencyId', w.code.D3).field('reflection', REFLECTION).attach('files', pdfOnDisk(1024), { filename: 'fourth.pdf', contentType: 'application/pdf' });
    expect(after.status).toBe(201);
  });
});
