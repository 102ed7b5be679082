/** The organisation's time zone (13.10): chosen on its settings page, then every date and time its people see is in
 * it — a cohort in America/New_York types its session at 09:30, sees it at 09:30 on the page, and finds it (and when
 * the sign-off citing it was submitted) at New York time in the sign-offs CSV. Real HTTP, real database. */
import { eq } from 'drizzle-orm';
import { cohortStages, signoffRequests } from '../../server/db/tables';
import { coDeliveryGroups, coDeliverySessions } from '../../modules/co-delivery/schema';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, REFLECTION, type SignoffWorld } from '../signoffs/support';

jest.setTimeout(60_000);

let t: TestApp;
let w: SignoffWorld;
beforeAll(async () => {
  t = await startTestApp();
  await t.database.truncateAll();
  w = await buildSignoffWorld(t);
});
afterAll(() => t.stop());

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

describe("an organisation's time zone", () => {
  it('is chosen by plain name on its settings page, and its cohort then sees and types times in it — page and CSV', async () => {
    const settings = `/organisations/${w.a.org.id}/settings`;
    const lead = await t.loginAs(w.a.lead.email);
    let page = await lead.get(settings);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="Europe\/London" selected>United Kingdom — London<\/option>/);
    expect(page.text).toContain('<option value="America/New_York">New York — Eastern Time</option>');
    const token = await t.csrf(lead, settings);

    // A zone that is not on the list is refused in a sentence linked to the select.
    const bad = await lead.post(settings).type('form').send({ _csrf: token, timeZone: 'Mars/Olympus_Mons' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('Choose a time zone from the list');
    expect(bad.text).toContain('href="#field-timeZone"');

    const saved = await lead.post(settings).type('form').send({ _csrf: token, timeZone: 'America/New_York' });
    expect(saved.status).toBe(303);
    page = await lead.get(saved.headers.location);
    expect(text(page.text)).toContain(`Saved. Dates and times for ${w.a.org.name} are now shown in New York — Eastern Time.`);
    expect(page.text).toMatch(/<option value="America\/New_York" selected>/);

    // The mentor types a session's times on the co-delivery page: read as New York time (EDT, UTC−4, on 10 March 2026).
    const [stage] = await t.database.db.insert(cohortStages).values({ cohortId: w.a.cohort.id, position: 50, moduleKey: 'co-delivery', title: 'Co-delivery' }).returning();
    const mentor = await t.loginAs(w.a.mentor.email);
    const stagePage = `/cohorts/${w.a.cohort.id}/stages/co-delivery`;
    page = await mentor.get(stagePage);
    expect(text(page.text)).toContain('Starts (New York time)');
    const added = await mentor
      .post(`${stagePage}/sessions`)
      .type('form')
      .send({ _csrf: await t.csrf(mentor, stagePage), title: 'Breakaways with the night team', startsAt: '2026-03-10T09:30', endsAt: '2026-03-10T12:00' });
    expect(added.status).toBe(303);
    const [session] = await t.database.db.select().from(coDeliverySessions).where(eq(coDeliverySessions.cohortStageId, stage.id));
    expect(session.startsAt.toISOString()).toBe('2026-03-10T13:30:00.000Z');
    page = await mentor.get(stagePage);
    expect(text(page.text)).toContain('Breakaways with the night team — 10 Mar, 09:30 to 10 Mar, 12:00');

    // The candidate cites the session; the lead's CSV names it, and when it was submitted, at New York time.
    await t.database.db.insert(coDeliveryGroups).values({ cohortStageId: stage.id, name: 'Group A', candidateId: w.a.candidate.id, sessionId: session.id });
    const candidate = await t.loginAs(w.a.candidate.email);
    await candidate
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .send({ competencyId: w.code.D1, reflection: REFLECTION, references: [{ refType: 'co-delivery:session', refId: session.id }] })
      .expect(201);
    const [request] = await t.database.db.select().from(signoffRequests).where(eq(signoffRequests.candidateId, w.a.candidate.id));
    const csv = (await lead.get(`/cohorts/${w.a.cohort.id}/signoffs.csv`)).text;
    const [header, row] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).toContain('Submitted (New York time),Signed (New York time)');
    expect(row).toContain('Co-delivery session “Breakaways with the night team” on Tue, 10 Mar 2026 at 09:30 — Group A');
    const newYork = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(request.createdAt).replace(',', '');
    expect(row).toContain(newYork);

    // Another organisation keeps UK time.
    const otherMentor = await t.loginAs(w.b.mentor.email);
    await t.database.db.insert(cohortStages).values({ cohortId: w.b.cohort.id, position: 50, moduleKey: 'co-delivery', title: 'Co-delivery' });
    expect(text((await otherMentor.get(`/cohorts/${w.b.cohort.id}/stages/co-delivery`)).text)).toContain('Starts (UK time)');
  });
});
