/** When the S3 bucket is down or hangs, people are told so in words (503 "Cadre cannot reach its file store…"), never a
 * stack, never an error page dressed as the file (a video's type, a logo's day-long caching), and never a request
 * that waits for ever on a store that accepts connections but does not answer. */
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type TestAgent from 'supertest/lib/agent';
import { StorageUnavailableError } from '../../server/errors';
import { S3Storage } from '../../server/storage/s3';
import { startTestApp, type TestApp } from '../support/app';
import { startS3Peer, type S3Peer } from '../support/s3-peer';
import { buildSignoffWorld, PDF, PNG, REFLECTION, type SignoffWorld } from '../signoffs/support';

jest.setTimeout(60_000);

const SENTENCE = 'Cadre cannot reach its file store just now, so files cannot be opened or saved. Nothing was changed; please try again in a few minutes.';

/** A TCP server that accepts connections and never answers (a hung store, a black-holed load balancer). */
async function silentServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    stop: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

const settings = (url: string) => ({ kind: 's3' as const, bucket: 'cadre-files', endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'K', secretAccessKey: 'S' } });

describe('S3Storage when the bucket does not answer', () => {
  it('refuses to wait for ever: stat, get and delete end with StorageUnavailableError', async () => {
    const silent = await silentServer();
    const storage = new S3Storage(settings(silent.url), { answerMs: 300 });
    try {
      const err = await storage.stat('evidence/abc').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      // What operators read in the log: which bucket, and that it did not answer.
      expect(String((err as StorageUnavailableError).cause)).toContain(`S3_BUCKET cadre-files at S3_ENDPOINT ${silent.url} gave no answer within 300 ms`);
      await expect(storage.get('videos/abc.webm', { start: 0, end: 9 })).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.delete('evidence/abc')).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      storage.close();
      await silent.stop();
    }
  });

  it('a stopped bucket: every operation ends with StorageUnavailableError (503), a missing file is still simply missing', async () => {
    const peer = await startS3Peer();
    const storage = new S3Storage({ ...settings(peer.url), credentials: peer.credentials });
    try {
      await storage.put('evidence/kept', Readable.from([PDF]));
      expect(await storage.stat('evidence/none')).toBeNull();
      await peer.stop();
      const refused = storage.stat('evidence/kept');
      await expect(refused).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(refused).rejects.toMatchObject({ status: 503, code: 'storage_unavailable', message: SENTENCE });
      await expect(storage.get('evidence/kept')).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.put('evidence/new', Readable.from([PDF]))).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      storage.close();
    }
  });
});

describe('pages and files while the bucket is stopped', () => {
  let peer: S3Peer;
  let t: TestApp;
  let w: SignoffWorld;
  let candidate: TestAgent;
  let evidenceHref: string;
  beforeAll(async () => {
    peer = await startS3Peer();
    t = await startTestApp({ config: peer.env });
    w = await buildSignoffWorld(t);
    await t.cadre.ctx.identity.refresh();
    candidate = await t.loginAs(w.a.candidate.email);
    const token = await t.csrf(candidate, '/cohorts');
    const res = await candidate
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .set('x-csrf-token', token)
      .field('competencyId', w.code.D1)
      .field('reflection', REFLECTION)
      .attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(201);
    evidenceHref = res.body.evidence[0].href;
    const admin = await t.loginAs(w.admin.email);
    const adminToken = await t.csrf(admin, '/admin');
    const logo = await admin.post('/admin/identity/logo').field('_csrf', adminToken).attach('logo', PNG, { filename: 'logo.png', contentType: 'image/png' });
    expect(logo.status).toBe(303);
    expect((await candidate.get(evidenceHref)).status).toBe(200);
    await peer.stop();
  });
  afterAll(() => t.stop());

  it('an evidence file answers 503 with the sentence as a page: not the file’s type, name or sandbox, never cached', async () => {
    for (const href of [evidenceHref, `${evidenceHref}?view=inline`]) {
      const res = await candidate.get(href).set('accept', 'text/html');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).not.toMatch(/sandbox/);
      expect(res.text).toContain(SENTENCE);
      expect(res.text).not.toMatch(/ECONNREFUSED|at .*\.js:\d+/);
    }
  });

  it('the logo answers 503 that no browser or proxy keeps, and pages still render (with the name)', async () => {
    const page = await candidate.get('/cohorts');
    expect(page.status).toBe(200);
    const src = /<img[^>]+src="(\/provider\/logo\/[^"]+)"/.exec(page.text)?.[1];
    expect(src).toBeDefined();
    const logo = await t.anonymous().get(String(src)).set('accept', 'text/html');
    expect(logo.status).toBe(503);
    expect(logo.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(logo.headers['cache-control']).toBe('no-store');
    expect(logo.text).toContain(SENTENCE);
  });

  it('the API says it as JSON, and /readyz says storage is down', async () => {
    const res = await candidate.get(evidenceHref).set('accept', 'application/json');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({ code: 'storage_unavailable', message: SENTENCE, fields: [] });
    const ready = await t.anonymous().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ storage: 's3', storageReady: false, databaseReady: true });
  });
});
