/** Invitations and password resets, over HTTP as a new user would go through them. */
import { eq } from 'drizzle-orm';
import { issueToken } from '../../server/auth/tokens';
import { userTokens } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildUser, buildWorld, TEST_PASSWORD, type World } from '../support/factories';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let world: World;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  world = await buildWorld(t.database.db);
});

const csrfOf = (html: string) => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1];
};
const pathOf = (link: string) => new URL(link).pathname;
const newPassword = 'a kettle sings at dawn';

describe('an admin invites a new candidate through the admin page', () => {
  it('shows the link (no SMTP); the invitee sets a password, logs in and sees their membership and cohort', async () => {
    const admin = await t.loginAs(world.admin.email);
    const adminPage = await admin.get('/admin');
    expect(adminPage.status).toBe(200);
    const invite = await admin
      .post('/admin/invitations')
      .type('form')
      .send({ _csrf: csrfOf(adminPage.text), name: 'Nia Brooks', email: 'Nia.Brooks@Example.test', organisationId: world.a.org.id, role: 'candidate', cohortId: world.a.cohort.id });
    expect(invite.status).toBe(303);
    expect(invite.headers.location).toBe(`/cohorts/${world.a.cohort.id}/manage?invited=1`);
    const manage = await admin.get(invite.headers.location);
    expect(manage.text).toContain('Invitation created for nia.brooks@example.test');
    const link = /data-testid="invite-link">([^<]+)</.exec(manage.text)?.[1];
    expect(link).toMatch(/^http:\/\/localhost:\d+\/invite\/[\w-]{40,}$/);
    expect(manage.text).toMatch(/Nia Brooks <span class="hint">[^<]*invited, not yet joined/);

    // The invitee, in their own browser.
    const invitee = t.anonymous();
    const form = await invitee.get(pathOf(link as string));
    expect(form.status).toBe(200);
    expect(form.text).toContain('Choose a password to finish setting up your account');
    const mismatch = await invitee.post(pathOf(link as string)).type('form').send({ _csrf: csrfOf(form.text), password: newPassword, confirm: 'something else entirely' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The password confirmation does not match the password.');
    const short = await invitee.post(pathOf(link as string)).type('form').send({ _csrf: csrfOf(form.text), password: 'short', confirm: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('The password must be at least 12 characters');
    const set = await invitee.post(pathOf(link as string)).type('form').send({ _csrf: csrfOf(form.text), password: newPassword, confirm: newPassword });
    expect(set.status).toBe(302);
    expect(set.headers.location).toBe('/login?passwordSet=1');

    // The login that follows says the password is set and has the address filled in (once: a reload does not).
    const loginPage = await invitee.get(set.headers.location);
    expect(loginPage.text).toContain('Your password is set. Log in with it now.');
    expect(loginPage.text).toContain('value="nia.brooks@example.test"');
    expect(loginPage.text).not.toContain('passwordSet');
    const reload = await invitee.get(set.headers.location);
    expect(reload.text).not.toContain('Your password is set');
    const login = await invitee.post('/login').type('form').send({ _csrf: csrfOf(loginPage.text), email: 'nia.brooks@example.test', password: newPassword });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/');
    const me = await invitee.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: 'nia.brooks@example.test', name: 'Nia Brooks', role: 'candidate', isAdmin: false });
    expect(me.body.memberships).toEqual([{ organisationId: world.a.org.id, role: 'candidate', organisationKind: 'client' }]);
    expect(me.body.cohorts).toEqual([expect.objectContaining({ id: world.a.cohort.id, roles: ['candidate'] })]);

    // The link worked once.
    const again = await t.anonymous().get(pathOf(link as string));
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has expired or has already been used.');
    // Fetch the token first: the agent attaches its cookies when a request is created, and the CSRF cookie is now set
    // only by a page that renders a form (once per session), not by every response.
    const reuseToken = csrfOf((await invitee.get('/forgot')).text);
    const reuse = await invitee.post(pathOf(link as string)).type('form').send({ _csrf: reuseToken, password: 'another long password', confirm: 'another long password' });
    expect(reuse.status).toBe(409);
    expect(reuse.text).toContain('This link has expired or has already been used. Ask for a new one.');
  });

  it('refuses a cohort of another organisation on the form, re-showing the form with the field named and nothing written', async () => {
    const admin = await t.loginAs(world.admin.email);
    const page = await admin.get('/admin');
    const res = await admin
      .post('/admin/invitations')
      .type('form')
      .send({ _csrf: csrfOf(page.text), name: 'Misfiled', email: 'misfiled@example.test', organisationId: world.a.org.id, role: 'candidate', cohortId: world.b.cohort.id });
    expect(res.status).toBe(400);
    expect(res.text).toContain('That cohort belongs to another organisation.');
    expect(res.text).toContain('The cohort must be a cohort of the organisation.');
    expect((await admin.get('/api/v1/cohorts/' + world.b.cohort.id)).body.members.map((m: { name: string }) => m.name)).not.toContain('Misfiled');
    expect((await t.database.query(`select count(*)::int as n from users where email = 'misfiled@example.test'`)).rows[0].n).toBe(0);
  });

  it('refuses an expired link with 410, and setting a password with it with 409', async () => {
    const user = await buildUser(t.database.db, { organisationId: world.a.org.id, role: 'candidate', status: 'invited' });
    const token = await issueToken(t.database.db, user.id, 'invite', world.admin.id);
    await t.database.db.update(userTokens).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(userTokens.userId, user.id));
    const agent = t.anonymous();
    const page = await agent.get(`/invite/${token}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('Ask your administrator for a new invitation');
    const post = await agent.post(`/invite/${token}`).type('form').send({ _csrf: csrfOf((await agent.get('/login')).text), password: newPassword, confirm: newPassword });
    expect(post.status).toBe(409);
    const login = await t.anonymous().post('/api/v1/session').send({ email: user.email, password: newPassword });
    expect(login.status).toBe(401);
  });
});

describe('password reset', () => {
  it('mails a one-time link; the new password works and the old one stops working', async () => {
    const agent = t.anonymous();
    const forgot = await agent.get('/forgot');
    const sent = await agent.post('/forgot').type('form').send({ _csrf: csrfOf(forgot.text), email: world.a.candidate.email.toUpperCase() });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('a reset link is on its way');
    const mail = await t.mailTo(world.a.candidate.email); // sent after the answer
    const link = /http:\/\/\S+\/reset\/[\w-]+/.exec(mail?.text ?? '')?.[0];
    expect(link).toBeDefined();

    const page = await agent.get(pathOf(link as string));
    expect(page.status).toBe(200);
    const set = await agent.post(pathOf(link as string)).type('form').send({ _csrf: csrfOf(page.text), password: newPassword, confirm: newPassword });
    expect(set.status).toBe(302);
    expect((await t.anonymous().post('/api/v1/session').send({ email: world.a.candidate.email, password: TEST_PASSWORD })).status).toBe(401);
    expect((await t.anonymous().post('/api/v1/session').send({ email: world.a.candidate.email, password: newPassword })).status).toBe(200);
    expect((await agent.get(pathOf(link as string))).status).toBe(410);
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const before = t.cadre.ctx.mailer.outbox.length;
    const res = await t.anonymous().post('/api/v1/password-resets').send({ email: 'nobody@example.test' });
    expect(res.status).toBe(202);
    expect(res.body.message).toBe('If that address has an account, a reset link is on its way.');
    expect(t.cadre.ctx.mailer.outbox.length).toBe(before);
  });
});

describe('a lead invites candidates', () => {
  // Changed on purpose (issue 10.7): a lead is never handed the link, so the answer cannot tell them whether the
  // address already has an account; the link goes to the invitee by e-mail (logged when no SMTP server is set).
  it('into their own organisation and cohort (201, no link: it is e-mailed), not into another organisation (404)', async () => {
    const lead = await t.loginAs(world.a.lead.email);
    const own = await lead.post('/api/v1/invitations').send({ email: 'new.candidate@example.test', name: 'New Candidate', organisationId: world.a.org.id, role: 'candidate', cohortId: world.a.cohort.id });
    expect(own.status).toBe(201);
    expect(own.body).toEqual({ invitationId: expect.any(String), emailed: false, message: 'Invitation sent to new.candidate@example.test.' });
    expect(t.cadre.ctx.mailer.outbox.at(-1)?.text).toMatch(/\/invite\/[\w-]+\n/);

    const other = await lead.post('/api/v1/invitations').send({ email: 'sneaky@example.test', name: 'Sneaky', organisationId: world.b.org.id, role: 'candidate' });
    expect(other.status).toBe(404);
    expect(other.body.error.message).toBe('That organisation could not be found.');
    const otherCohort = await lead.post('/api/v1/invitations').send({ email: 'sneaky2@example.test', name: 'Sneaky', organisationId: world.a.org.id, role: 'candidate', cohortId: world.b.cohort.id });
    expect(otherCohort.status).toBe(400);
    expect(otherCohort.body.error.fields).toEqual([{ field: 'cohortId', message: 'The cohort must be a cohort of the organisation.' }]);
    const mentor = await lead.post('/api/v1/invitations').send({ email: 'mentor.x@example.test', name: 'Mentor X', organisationId: world.a.org.id, role: 'mentor' });
    expect(mentor.status).toBe(400);
    expect(mentor.body.error.fields[0].field).toBe('role');
  });

  it('through the cohort page form, and sees the invitee listed as invited (the link goes by e-mail)', async () => {
    const lead = await t.loginAs(world.a.lead.email);
    const page = await lead.get(`/cohorts/${world.a.cohort.id}/manage`);
    expect(page.status).toBe(200);
    const res = await lead
      .post('/admin/invitations')
      .type('form')
      .send({ _csrf: csrfOf(page.text), cohortId: world.a.cohort.id, organisationId: world.a.org.id, name: 'Page Invitee', email: 'page.invitee@example.test', role: 'candidate' });
    expect(res.status).toBe(303);
    const after = await lead.get(res.headers.location);
    expect(after.text).toContain('Invitation created for page.invitee@example.test.');
    expect(after.text).not.toContain('data-testid="invite-link"');
    expect(after.text).toMatch(/Page Invitee <span class="hint">page.invitee@example.test · invited, not yet joined/);
    const other = await lead
      .post('/admin/invitations')
      .type('form')
      .send({ _csrf: csrfOf(page.text), organisationId: world.b.org.id, name: 'Other', email: 'other.invitee@example.test', role: 'candidate' });
    expect(other.status).toBe(404);
  });
});
