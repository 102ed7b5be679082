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

describe('invitations without a cohort on /admin', () => {
  it('show their state with the cohort page\'s Re-send and Revoke, and a repeated invitation says it is one', async () => {
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, '/admin');
    const invite = () => admin.post('/admin/invitations').type('form').send({ _csrf: token, name: 'Sol Adeyemi', email: 'sol@example.test', organisationId: w.a.org.id, role: 'lead', cohortId: '' });
    const sent = await invite();
    expect(sent.headers.location).toBe('/admin?invited=1');
    let page = await admin.get(sent.headers.location);
    expect(text(page.text)).toContain('Invitation created for sol@example.test.');
    const first = linkOf(page.text);
    const row = () => /<tr data-testid="invitation" data-state="(\w+)">\s*<th scope="row"[^>]*>Sol Adeyemi[\s\S]*?<\/tr>/.exec(page.text);
    expect(row()?.[1]).toBe('pending');
    expect(text(row()![0])).toContain(w.a.org.name);
    expect(text(row()![0])).toContain('Lead');

    // Again: the same invitation, sent again, and the page says so.
    await invite();
    page = await admin.get('/admin?invited=1');
    expect(text(page.text)).toContain('sol@example.test was already invited on');
    expect((await t.database.db.select().from(invitations).where(eq(invitations.name, 'Sol Adeyemi'))).length).toBe(1);
    expect((await t.anonymous().get(pathOf(first))).text).not.toContain('name="password"');

    const [inv] = await t.database.db.select().from(invitations).where(eq(invitations.name, 'Sol Adeyemi'));
    expect(page.text).toContain(`action="/admin/invitations/${inv.id}/resend"`);
    expect(page.text).toContain(`action="/admin/invitations/${inv.id}/revoke"`);
    const resent = await admin.post(`/admin/invitations/${inv.id}/resend`).type('form').send({ _csrf: token });
    expect(resent.headers.location).toBe('/admin?invitation=resent#invitations');
    page = await admin.get(resent.headers.location);
    expect(text(page.text)).toContain('Invitation sent again with a new link');
    const live = linkOf(page.text);
    expect((await t.anonymous().get(pathOf(live))).text).toContain('name="password"');

    // Expired shows so, and may still be re-sent or revoked.
    await t.database.db.update(userTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(userTokens.userId, inv.userId));
    page = await admin.get('/admin');
    expect(row()?.[1]).toBe('expired');
    expect(text(row()![0])).toContain('Expired');
    expect(row()![0]).toContain(`/admin/invitations/${inv.id}/revoke`);

    const revoked = await admin.post(`/admin/invitations/${inv.id}/revoke`).type('form').send({ _csrf: token });
    expect(revoked.headers.location).toBe('/admin?invitation=revoked#invitations');
    page = await admin.get(revoked.headers.location);
    expect(text(page.text)).toContain('Invitation revoked: its link no longer works and it grants nothing.');
    expect(row()?.[1]).toBe('revoked');
    // The button goes with the command's rule: no Re-send or Revoke once revoked, and a late post is refused in words.
    expect(page.text).not.toContain(`/admin/invitations/${inv.id}/re`);
    const again = await admin.post(`/admin/invitations/${inv.id}/resend`).type('form').send({ _csrf: token });
    expect(again.status).toBe(409);
    expect(text(again.text)).toContain('This invitation to Sol Adeyemi was revoked; invite them again instead.');

    // A cohort's invitation is not listed here nor changed from here.
    expect(page.text).not.toContain('Rae Okafor');
    const [cohortInv] = await t.database.db.select().from(invitations).where(eq(invitations.name, 'Rae Okafor'));
    expect((await admin.post(`/admin/invitations/${cohortInv.id}/revoke`).type('form').send({ _csrf: token })).status).toBe(404);
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
