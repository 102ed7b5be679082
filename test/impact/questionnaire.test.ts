/** The learners' questionnaire over real HTTP without an account: one answer per device, CSRF without a login, the
 * per-address flood limit in the database, hostile input answered with 4xx, the QR code decoding to the link, and
 * the before/after summaries per course, per trainer and per organisation checked by hand. */
import { count } from 'drizzle-orm';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { impactResponseRatings, impactResponses } from '../../server/db/tables';
import { QUESTIONNAIRE_LIMITS } from '../../server/impact/questionnaire';
import { organisationImpact } from '../../server/impact/queries';
import { startTestApp, type TestApp } from '../support/app';
import type { World } from '../support/factories';
import { answer, buildImpactWorld, OUTCOMES, recordCourseAs } from './world';

jest.setTimeout(180_000);

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildImpactWorld(t);
});

const stored = async () => (await t.database.db.select({ n: count() }).from(impactResponses))[0].n;
const full = { b1: '2', a1: '4', b2: '1', a2: '3', safety: 'release', change: 'Give people space and time before anything else.' };

describe('answering without an account', () => {
  it('shows the course’s outcomes, takes one answer per device and refuses a repeat plainly', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const device = t.anonymous();
    const page = await device.get(`/q/${course.questionnaireCode}`).expect(200);
    for (const o of OUTCOMES) expect(page.text).toContain(o);
    expect(page.text).toContain('During a hold, the person says they cannot breathe');
    expect(page.text).not.toContain('Log out');
    expect(String(page.headers['set-cookie'])).toMatch(/cadre\.device=[A-Za-z0-9_-]{43}; Max-Age=31536000; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/);

    const first = await answer(t, course.questionnaireCode, full, device);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`/q/${course.questionnaireCode}?thanks=1`);
    expect((await device.get(first.headers.location).expect(200)).text).toContain('Your answers have been sent');

    const again = await answer(t, course.questionnaireCode, full, device);
    expect(again.status).toBe(409);
    expect(again.text).toContain('You have already answered this questionnaire on this device.');
    expect(await stored()).toBe(1);
    // Another phone answers.
    expect((await answer(t, course.questionnaireCode, full)).status).toBe(303);
    expect(await stored()).toBe(2);
    // Nothing identifying is kept: no address, no cookie value, only a hash mixed with the course.
    const rows = await t.database.db.select().from(impactResponses);
    expect(Object.keys(rows[0]).sort()).toEqual(['changeText', 'courseId', 'createdAt', 'deviceHash', 'id', 'safetyAnswer']);
    expect(rows[0].deviceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names every unanswered question and keeps what was chosen', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const res = await answer(t, course.questionnaireCode, { b1: '3' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please answer 4 more questions.');
    for (const f of ['a1', 'b2', 'a2', 'safety']) expect(res.text).toContain(`href="#field-${f}"`);
    expect(res.text).toMatch(/id="field-b1-3" name="b1" value="3" checked/);
    expect(res.text).toContain('id="field-a1"');
    expect(await stored()).toBe(0);
  });

  it('needs the form’s CSRF token and the device cookie, and answers hostile input with 4xx, never 5xx', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const path = `/q/${course.questionnaireCode}`;
    // No token: refused.
    const device = t.anonymous();
    await device.get(path);
    const noToken = await device.post(path).type('form').send(new URLSearchParams(full).toString());
    expect(noToken.status).toBe(403);
    // A token but no device cookie (cookies kept for CSRF only): refused with a sentence.
    const page = await t.anonymous().get(path);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const csrfCookie = String(page.headers['set-cookie']).match(/cadre\.csrf=[^;]+/)?.[0] as string;
    const noDevice = await t.anonymous().post(path).set('Cookie', csrfCookie).type('form').send(new URLSearchParams({ ...full, _csrf: csrf }).toString());
    expect(noDevice.status).toBe(400);
    expect(noDevice.text).toContain('Allow cookies for this site');

    const hostile: Record<string, string>[] = [
      { ...full, b1: '6' },
      { ...full, b1: '0x2' },
      { ...full, safety: 'punch' },
      { ...full, b13: '3' },
      { ...full, change: 'x'.repeat(2001) },
      { ...full, change: 'nul\u0000byte' },
      { ...full, change: '=HYPERLINK("http://evil")' },
      { ...full, unexpected: 'field' },
    ];
    for (const fields of hostile) {
      const res = await answer(t, course.questionnaireCode, fields);
      expect(res.status).toBeGreaterThanOrEqual(300);
      expect(res.status).toBeLessThan(500);
    }
    const arrays = await t.anonymous().get(path).then(async (p) => {
      const token = /name="_csrf" value="([^"]+)"/.exec(p.text)?.[1] as string;
      return { token, cookies: (p.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ') };
    });
    const weird = [
      'b1=1&b1=2&a1=3&b2=1&a2=1&safety=release',
      'safety[]=release',
      '%ff%fe=1',
      `_csrf=${arrays.token}&b1=${'9'.repeat(5000)}`,
    ];
    for (const body of weird) {
      const res = await t.anonymous().post(path).set('Cookie', arrays.cookies).type('form').send(`_csrf=${encodeURIComponent(arrays.token)}&${body}`);
      expect(res.status).toBeLessThan(500);
    }
    const json = await t.anonymous().post(path).set('Cookie', arrays.cookies).set('x-csrf-token', arrays.token).send({ b1: ['x'], safety: { $ne: 1 } });
    expect(json.status).toBeLessThan(500);
    expect(json.status).toBeGreaterThanOrEqual(400);
    for (const bad of ['/q/short', `/q/${'A'.repeat(22)}`, `/q/${'A'.repeat(200)}`, '/q/%00', "/q/'%20or%201=1"]) {
      const res = await t.anonymous().get(bad);
      expect([400, 404]).toContain(res.status);
    }
    // The only answer that could count was the formula one (stored as typed, guarded on export).
    expect(await stored()).toBe(1);
  });

  it('refuses a flood from one address through the shared database throttle', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const code = course.questionnaireCode;
    // Each answer comes from a new "device", as a script clearing its cookies would; the address is the same.
    const statuses: number[] = [];
    for (let i = 0; i < QUESTIONNAIRE_LIMITS.perIpPerHour; i++) statuses.push((await answer(t, code, full)).status);
    expect(statuses.every((s) => s === 303)).toBe(true);
    const refused = await answer(t, code, full);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.text).toContain('Too many answers have been sent from here in the last hour');
    expect(await stored()).toBe(QUESTIONNAIRE_LIMITS.perIpPerHour);
    // The counters are rows in the shared table (every node sees them), keyed by a hash, never the address.
    const keys = await t.database.query(`select key from rate_limits where key like 'questionnaire_ip%'`);
    expect(keys.rows).toHaveLength(1);
    expect(String(keys.rows[0].key)).not.toContain('127.0.0.1');
  });
});

describe('the questionnaire’s QR code', () => {
  it('decodes to the questionnaire’s address', async () => {
    const course = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id);
    const agent = await t.loginAs(w.a.candidate.email);
    const res = await agent.get(`/courses/${course.id}/qr.png`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(res.body as Buffer);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`${t.config.publicUrl}/q/${course.questionnaireCode}`);
    const lead = await t.loginAs(w.a.lead.email);
    await lead.get(`/courses/${course.id}/qr.png`).expect(403);
  });
});

describe('before/after summaries', () => {
  it('summarises per course, per trainer and per organisation (hand-computed)', async () => {
    // Trainer A1 (candidate): course 1 with two answers, course 2 with one. Trainer A2 (mentor): course 3, none.
    const c1 = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id, { attendees: '10' });
    const c2 = await recordCourseAs(t, w.a.candidate.email, w.a.cohort.id, { attendees: '8' });
    await recordCourseAs(t, w.a.mentor.email, w.a.cohort.id, { attendees: '6', register: '' });
    expect((await answer(t, c1.questionnaireCode, { b1: '1', a1: '4', b2: '2', a2: '4', safety: 'release' })).status).toBe(303);
    expect((await answer(t, c1.questionnaireCode, { b1: '3', a1: '5', b2: '2', a2: '3', safety: 'floor', change: 'Ask before I touch.' })).status).toBe(303);
    expect((await answer(t, c2.questionnaireCode, { b1: '2', a1: '2', b2: '4', a2: '5', safety: 'release' })).status).toBe(303);
    expect((await t.database.db.select({ n: count() }).from(impactResponseRatings))[0].n).toBe(6);

    // Course 1: before (1+2+3+2)/4 = 2, after (4+4+5+3)/4 = 4, change +2; outcome 1 before 2 after 4.5; safe 1 of 2.
    const agent = await t.loginAs(w.a.candidate.email);
    const page = await agent.get(`/courses/${c1.id}`).expect(200);
    expect(page.text).toContain('2 learners answered. Average confidence 2 out of 5 before the course and 4 after (+2). 50% chose the safe answer');
    expect(page.text).toMatch(/Explains why restraint is a last resort<\/th><td class="num">2<\/td><td class="num">2<\/td><td class="num">4\.5<\/td><td class="num">\+2\.5/);
    expect(page.text).toContain('Ask before I touch.');

    const impact = await organisationImpact(t.cadre.ctx, w.a.org.id);
    const { learners, courses } = impact.model;
    // Organisation: 6 pairs, before (1+2+3+2+2+4)/6 = 2.33 → 2.3, after (4+4+5+3+2+5)/6 = 3.83 → 3.8, change +1.5; safe 2 of 3 = 67%.
    expect(learners.overall).toMatchObject({ responses: 3, pairs: 6, before: 2.3, after: 3.8, change: 1.5, safePercent: 67 });
    // Outcome 2 over all courses: before (2+2+4)/3 = 2.67, after (4+3+5)/3 = 4 → change 1.33 → 1.3.
    expect(learners.byOutcome).toEqual([
      { outcome: OUTCOMES[0], pairs: 3, before: 2, after: 3.7, change: 1.7 },
      { outcome: OUTCOMES[1], pairs: 3, before: 2.7, after: 4, change: 1.3 },
    ]);
    const byName = Object.fromEntries(learners.byTrainer.map((x) => [x.trainerName, x]));
    expect(byName[w.a.candidate.name]).toMatchObject({ courses: 2, attendees: 18, responses: 3, before: 2.3, after: 3.8, change: 1.5 });
    expect(byName[w.a.mentor.name]).toMatchObject({ courses: 1, attendees: 6, responses: 0, before: null, change: null });
    expect(courses).toMatchObject({ total: 3, attendees: 24 });
    expect(learners.summary).toContain('3 learners answered the questionnaire after 2 courses. On average they rated their confidence 2.3 out of 5 before the course and 3.8 after (+1.5).');
    expect(learners.summary).toContain('not yet what they do at work');

    const lead = await t.loginAs(w.a.lead.email);
    const view = await lead.get(`/organisations/${w.a.org.id}/impact`).expect(200);
    expect(view.text).toContain(learners.summary.replace(/’/g, '&#x27;').slice(0, 80));
    expect(view.text).toContain('Ask before I touch.');
  });
});
