/** Invitations after sending (13.5), over real HTTP on a real database: states, re-send (new link, old one dead),
 * revoke (link dead, grants nothing), a repeated invitation says so; removing a member ends their access at once —
 * pages and an open socket.io connection. */
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { invitations, userTokens } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, TEST_PASSWORD, type World } from '../support/factories';

jest.setTimeout(60_000);

let t: TestApp;
let w: World;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp();
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.stop();
});

const linkOf = (html: string) => /data-testid="invite-link">([^<]+)</.exec(html)?.[1] ?? '';
const pathOf = (link: string) => new URL(link).pathname;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('invitations on the cohort page', () => {
  it('show their state, are re-sent with a new link (the old one dead), say when repeated, and can be revoked', async () => {
    const admin = await t.loginAs(w.admin.email);
    const manageUrl = `/cohorts/${w.a.cohort.id}/manage`;
    const token = await t.csrf(admin, manageUrl);
    const invite = () => admin.post('/admin/invitations').type('form').send({ _csrf: token, name: 'Rae Okafor', email: 'rae@example.test', organisationId: w.a.org.id, role: 'candidate', cohortId: w.a.cohort.id });
    expect((await invite()).status).toBe(303);
    let page = await admin.get(`${manageUrl}?invited=1`);
    const first = linkOf(page.text);
    expect(page.text).toMatch(/data-testid="invitation" data-state="pending"/);
    expect(text(page.text)).toContain('Pending');

    // The same invitation again: one row, sent again, and the page says it was a repeat.
    expect((await invite()).status).toBe(303);
    page = await admin.get(`${manageUrl}?invited=1`);
    expect(text(page.text)).toContain('rae@example.test was already invited on');
    const second = linkOf(page.text);
    expect(second).not.toBe(first);
    expect((await t.database.db.select().from(invitations).where(eq(invitations.name, 'Rae Okafor'))).length).toBe(1);
    expect((await t.anonymous().get(pathOf(first))).text).not.toContain('name="password"');

    // Re-send: a new link; the one before stops working.
    const [inv] = await t.database.db.select().from(invitations).where(eq(invitations.name, 'Rae Okafor'));
    const resent = await admin.post(`${manageUrl.replace('/manage', '')}/invitations/${inv.id}/resend`).type('form').send({ _csrf: token });
    expect(resent.status).toBe(303);
    page = await admin.get(resent.headers.location);
    expect(text(page.text)).toContain('Invitation sent again with a new link');
    const third = linkOf(page.text);
    expect(third).toMatch(/\/invite\//);
    expect((await t.anonymous().get(pathOf(second))).text).not.toContain('name="password"');
    expect((await t.anonymous().get(pathOf(third))).text).toContain('name="password"');

    // Expired: the link's time ran out.
    await t.database.db.update(userTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(userTokens.userId, inv.userId));
    page = await admin.get(manageUrl);
    expect(page.text).toMatch(/data-testid="invitation" data-state="expired"/);
    expect(text(page.text)).toContain('Expired');

    // Revoke: the link dies, and a second revoke says why it cannot.
    await admin.post(`/cohorts/${w.a.cohort.id}/invitations/${inv.id}/resend`).type('form').send({ _csrf: token });
    const live = linkOf((await admin.get(`${manageUrl}?invitation=resent`)).text);
    const revoked = await admin.post(`/cohorts/${w.a.cohort.id}/invitations/${inv.id}/revoke`).type('form').send({ _csrf: token });
    expect(revoked.status).toBe(303);
    page = await admin.get(manageUrl);
    expect(page.text).toMatch(/data-testid="invitation" data-state="revoked"/);
    expect(page.text).not.toContain(`/invitations/${inv.id}/revoke`);
    expect((await t.anonymous().get(pathOf(live))).text).not.toContain('name="password"');
    const again = await admin.post(`/cohorts/${w.a.cohort.id}/invitations/${inv.id}/revoke`).type('form').send({ _csrf: token });
    expect(again.status).toBe(409);
    expect(text(again.text)).toContain('This invitation to Rae Okafor was revoked already.');
    // Another cohort's manager cannot touch it; a candidate cannot either.
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.post(`/cohorts/${w.a.cohort.id}/invitations/${inv.id}/resend`).type('form').send({ _csrf: await t.csrf(candidate, '/notifications') })).status).toBe(403);
    expect((await admin.post(`/cohorts/${w.b.cohort.id}/invitations/${inv.id}/resend`).type('form').send({ _csrf: token })).status).toBe(404);
  });
});

describe('removing a member from the cohort page', () => {
  it('keeps their records and ends their access at once: pages and their open socket', async () => {
    const base = await t.listen();
    const login = await request(base).post('/api/v1/session').send({ email: w.a.otherCandidate.email, password: TEST_PASSWORD });
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const s = ioClient(base, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.on('connect', () => resolve());
      s.on('connect_error', reject);
    });
    const cut = new Promise<void>((resolve) => s.on('disconnect', () => resolve()));
    const page = (agent: ReturnType<typeof request.agent>) => agent.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.otherCandidate.id}`);
    const them = request.agent(base);
    await them.post('/api/v1/session').send({ email: w.a.otherCandidate.email, password: TEST_PASSWORD });
    expect((await page(them)).status).toBe(200);

    const admin = await t.loginAs(w.admin.email);
    const manage = await admin.get(`/cohorts/${w.a.cohort.id}/manage`);
    const action = `/cohorts/${w.a.cohort.id}/members/${w.a.otherCandidate.id}/candidate/remove`;
    expect(manage.text).toContain(`action="${action}"`);
    const removed = await admin.post(action).type('form').send({ _csrf: await t.csrf(admin, `/cohorts/${w.a.cohort.id}/manage`) });
    expect(removed.status).toBe(303);
    expect(text((await admin.get(removed.headers.location)).text)).toContain('Their records stay; their access to this cohort ended at once.');
    await cut;
    expect(s.connected).toBe(false);
    expect([403, 404]).toContain((await page(them)).status);
  });
});
