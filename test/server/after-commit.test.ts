/** After-commit effects: a mail failure never fails a recorded decision; it is logged with the request id and
 * retried from the durable job queue until the e-mail goes out. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { eq } from 'drizzle-orm';
import { signoffRequests } from '../../server/db/tables';
import type { Mail, Mailer } from '../../server/mail';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, requestJson, type SignoffWorld } from '../signoffs/support';

jest.setTimeout(60_000);

/** A mailer whose first `failures` sends throw, as an SMTP server that is down would. */
function flakyMailer(failures: number): Mailer & { attempts: number } {
  const outbox: Mail[] = [];
  const m = {
    transport: 'smtp' as const,
    outbox,
    attempts: 0,
    async send(mail: Mail) {
      m.attempts += 1;
      if (m.attempts <= failures) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
      outbox.push(mail);
    },
  };
  return m;
}

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let t: TestApp;
let w: SignoffWorld;
const mailer = flakyMailer(2);
beforeAll(async () => {
  t = await startTestApp({ logger: pino({ level: 'info' }, sink), mailer, jobPollSeconds: 0.5 });
  w = await buildSignoffWorld(t);
});
afterAll(() => t.stop());

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a decision whose e-mail fails', () => {
  it('is answered 201 and recorded; the failure is logged with the request id and the e-mail is retried from the queue', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const asked = await requestJson(candidate, w, 'D1');
    expect(asked.status).toBe(201);
    // The request's own notifications (to the mentors) already met the failing mailer: two failures used up.
    await until('the first retry', () => mailer.attempts >= 2 || undefined);

    const mentor = await t.loginAs(w.a.mentor.email);
    const before = mailer.outbox.length;
    const res = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/${asked.body.request.id}/decisions`).send({ action: 'sign_off', rating: 2 });
    expect(res.status).toBe(201);
    expect(res.body.request.status).toBe('signed');
    const [row] = await t.database.db.select().from(signoffRequests).where(eq(signoffRequests.id, asked.body.request.id));
    expect(row.status).toBe('signed');
    // The decision's e-mail went out (the mailer is healthy again) …
    await until('the candidate’s e-mail', () => mailer.outbox.slice(before).find((m) => m.to === w.a.candidate.email));
    // … and the earlier failures were logged with the id of the request that caused them, then retried.
    const failure = lines.find((l) => l.msg === 'after-commit: e-mail failed; queued for retry');
    expect(failure).toBeDefined();
    expect(failure?.reqId).toBe(asked.headers['x-request-id']);
    await until('the queued retry', () => lines.find((l) => l.msg === 'after-commit: queued e-mail sent' && l.reqId === asked.headers['x-request-id']));
    const mentorsMailed = mailer.outbox.filter((m) => m.to === w.a.mentor.email || m.to === w.mentor2.email);
    expect(mentorsMailed.length).toBeGreaterThanOrEqual(1);
  });
});
