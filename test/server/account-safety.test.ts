/** Attacks on accounts (issue 10.7): invitations to existing addresses, link reuse, sessions after a password change, reset probing. */
import { eq, sql } from 'drizzle-orm';
import { issueToken } from '../../server/auth/tokens';
import { memberships, userTokens } from '../../server/db/tables';
import { SESSION_ABSOLUTE_MS } from '../../server/http/session';
import { connected, loginCookie, openSocket } from '../live/clients';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, TEST_PASSWORD, type World } from '../support/factories';

jest.setTimeout(60_000);

let t: TestApp;
let url: string;
let world: World;
beforeAll(async () => {
  t = await startTestApp({ config: { TRUST_PROXY: 'loopback' } });
  url = await t.listen();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  world = await buildWorld(t.database.db);
});

const pathOf = (link: string) => new URL(link).pathname;
const linkIn = (text: string | undefined) => /http:\/\/\S+\/(invite|reset)\/[\w-]+/.exec(text ?? '')?.[0] as string;
const lastMailTo = (email: string) => t.cadre.ctx.mailer.outbox.filter((m) => m.to === email).at(-1);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
const newPassword = 'a kettle sings at dawn';
const canLogIn = async (email: string, password: string) => (await t.anonymous().post('/api/v1/session').send({ email, password })).status === 200;

describe('inviting an address that already has an account', () => {
  it('a lead of another organisation gets the same answer as for a new address, no link, and attaches nobody', async () => {
    const lead = await t.loginAs(world.b.lead.email);
    const existing = await lead.post('/api/v1/invitations').send({ email: world.a.candidate.email.toUpperCase(), name: 'Whoever', organisationId: world.b.org.id, role: 'candidate', cohortId: world.b.cohort.id });
    const fresh = await lead.post('/api/v1/invitations').send({ email: 'brand.new@example.test', name: 'Brand New', organisationId: world.b.org.id, role: 'candidate', cohortId: world.b.cohort.id });
    expect(existing.status).toBe(fresh.status);
    const shape = (b: Record<string, unknown>) => ({ ...b, invitationId: typeof b.invitationId, message: String(b.message).replace(/to \S+\.$/, 'to ….') });
    expect(shape(existing.body)).toEqual(shape(fresh.body));
    expect(existing.body.link).toBeUndefined();

    // Nothing attached: the candidate of A is not in B until they say yes, and their password still works.
    expect(await t.database.db.select().from(memberships).where(eq(memberships.userId, world.a.candidate.id))).toEqual([expect.objectContaining({ organisationId: world.a.org.id })]);
    const cohortB = await (await t.loginAs(world.admin.email)).get(`/api/v1/cohorts/${world.b.cohort.id}`);
    expect(cohortB.body.members.map((m: { userId: string }) => m.userId)).not.toContain(world.a.candidate.id);
    expect(await canLogIn(world.a.candidate.email, TEST_PASSWORD)).toBe(true);

    // The e-mailed link never sets the password, whoever holds it.
    const mail = lastMailTo(world.a.candidate.email);
    expect(mail?.text).toContain('Log in as yourself and accept the invitation');
    const link = pathOf(linkIn(mail?.text));
    const stranger = t.anonymous();
    const page = await stranger.get(link);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="password"');
    expect(page.text).toContain('Log in</a> as yourself');
    const post = await stranger.post(link).type('form').send({ _csrf: await t.csrf(stranger, link), password: newPassword, confirm: newPassword });
    expect(post.status).toBe(303);
    expect(post.headers.location).toMatch(/^\/login\?next=/);
    const api = await t.anonymous().post(`/api/v1/password-resets/${link.split('/').pop()}`).send({ kind: 'invite', password: newPassword, confirm: newPassword });
    expect(api.status).toBe(409);
    expect(await canLogIn(world.a.candidate.email, newPassword)).toBe(false);
    expect(await canLogIn(world.a.candidate.email, TEST_PASSWORD)).toBe(true);

    // Logged in as someone else: told it is not theirs, nothing accepted.
    const other = await t.loginAs(world.b.candidate.email);
    const wrong = await other.get(link);
    expect(wrong.text).toContain('addressed to another account');
    expect(wrong.text).not.toContain('Accept the invitation');

    // The invitee, logged in as themselves, sees where it leads and accepts.
    const invitee = await t.loginAs(world.a.candidate.email);
    const own = await invitee.get(link);
    expect(own.text).toContain(`${world.b.org.name} as candidate, in the cohort ${world.b.cohort.name}`);
    const accept = await invitee.post(link).type('form').send({ _csrf: csrfOf(own.text), accept: '1' });
    expect(accept.status).toBe(303);
    const me = await invitee.get('/api/v1/me');
    expect(me.body.memberships.map((m: { organisationId: string }) => m.organisationId).sort()).toEqual([world.a.org.id, world.b.org.id].sort());
    expect(me.body.cohorts.map((c: { id: string }) => c.id)).toContain(world.b.cohort.id);
    expect((await invitee.get(link)).status).toBe(410); // used once
  });

  it('a provider admin is answered alike too: a link either way, and the existing account’s link sets no password', async () => {
    const admin = await t.loginAs(world.admin.email);
    const existing = await admin.post('/api/v1/invitations').send({ email: world.a.mentor.email, name: 'Mentor again', organisationId: world.provider.id, role: 'admin' });
    const fresh = await admin.post('/api/v1/invitations').send({ email: 'new.admin@example.test', name: 'New Admin', organisationId: world.provider.id, role: 'admin' });
    expect(Object.keys(existing.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(pathOf(existing.body.link)).toMatch(/^\/invite\/[\w-]{40,}$/);
    const page = await t.anonymous().get(pathOf(existing.body.link));
    expect(page.text).not.toContain('name="password"');
    expect(await t.database.db.select().from(memberships).where(eq(memberships.userId, world.a.mentor.id))).toHaveLength(1);
  });
});

describe('one-time links', () => {
  it('a new reset link revokes the older one; using any link revokes every other link of that user', async () => {
    const email = world.a.candidate.email;
    await t.anonymous().post('/api/v1/password-resets').send({ email });
    const first = pathOf(linkIn((await t.mailTo(email, 1)).text)); // the link is issued after the answer
    await t.anonymous().post('/api/v1/password-resets').send({ email });
    const second = pathOf(linkIn((await t.mailTo(email, 2)).text));
    expect(second).not.toBe(first);
    expect((await t.anonymous().get(first)).status).toBe(410);
    expect((await t.anonymous().get(second)).status).toBe(200);

    // An invitation link of the same person stops working once the reset link is used.
    const inviteToken = await issueToken(t.database.db, world.a.candidate.id, 'invite', world.admin.id);
    const set = await t.anonymous().post(`/api/v1/password-resets/${second.split('/').pop()}`).send({ password: newPassword, confirm: newPassword });
    expect(set.status).toBe(204);
    expect((await t.anonymous().get(`/invite/${inviteToken}`)).status).toBe(410);
    const live = await t.database.db.select().from(userTokens).where(eq(userTokens.userId, world.a.candidate.id));
    expect(live.filter((tok) => tok.usedAt === null)).toEqual([]);
  });
});

describe('a new password ends the other sessions and their sockets', () => {
  it('a reset logs out every session (pages and sockets)', async () => {
    const page = await t.loginAs(world.a.mentor.email);
    const socket = openSocket(url, await loginCookie(url, world.a.mentor.email), { reconnectionDelay: 60_000 });
    await connected(socket);
    const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const token = await issueToken(t.database.db, world.a.mentor.id, 'reset', null);
    expect((await t.anonymous().post(`/api/v1/password-resets/${token}`).send({ password: newPassword, confirm: newPassword })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect((await page.get('/api/v1/me')).status).toBe(401);
    socket.close();
  });

  it('changing it keeps this session and socket, ends the others; the current password is required', async () => {
    const here = await t.loginAs(world.a.mentor.email);
    const elsewhere = await t.loginAs(world.a.mentor.email);
    const hereCookie = await loginCookie(url, world.a.mentor.email);
    const otherSocket = openSocket(url, await loginCookie(url, world.a.mentor.email), { reconnectionDelay: 60_000 });
    await connected(otherSocket);
    const gone = new Promise<string>((resolve) => otherSocket.once('disconnect', (reason) => resolve(reason)));

    const wrong = await here.post('/api/v1/me/password').send({ current: 'not it', password: newPassword, confirm: newPassword });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toEqual([{ field: 'current', message: 'That is not your current password.' }]);
    expect((await elsewhere.get('/api/v1/me')).status).toBe(200);

    // A socket opened with the session that changes the password stays.
    const hereAgent = t.anonymous().set('Cookie', hereCookie);
    const hereSocket = openSocket(url, hereCookie, { reconnectionDelay: 60_000 });
    await connected(hereSocket);
    const changed = await hereAgent.post('/api/v1/me/password').send({ current: TEST_PASSWORD, password: newPassword, confirm: newPassword });
    expect(changed.status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect((await elsewhere.get('/api/v1/me')).status).toBe(401);
    expect((await here.get('/api/v1/me')).status).toBe(401);
    expect((await t.anonymous().set('Cookie', hereCookie).get('/api/v1/me')).status).toBe(200);
    expect(hereSocket.connected).toBe(true);
    hereSocket.close();
    otherSocket.close();
  });
});

describe('session lifetime', () => {
  it('ends a session past its absolute lifetime however active it is, and idles out after four hours unused', async () => {
    const agent = t.anonymous();
    const login = await agent.post('/api/v1/session').send({ email: world.a.lead.email, password: TEST_PASSWORD });
    // A browser-session cookie: no lifetime of its own (the browser forgets it when it closes), sent once, at login.
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('cadre.sid=')) as string;
    expect(cookie).not.toMatch(/Expires=|Max-Age=/i);
    const me = await agent.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(([] as string[]).concat(me.headers['set-cookie'] ?? []).filter((c) => c.startsWith('cadre.sid='))).toEqual([]);
    // The idle lifetime is the stored expiry, four hours on.
    const sid = decodeURIComponent(/^cadre\.sid=s:([^.;]+)/.exec(decodeURIComponent(cookie))?.[1] ?? '');
    const stored = await t.database.query('select expire from session where sid = $1', [sid]);
    expect(Math.round((new Date(stored.rows[0].expire as string).getTime() - Date.now()) / 3600_000)).toBe(4);
    // Four hours unused: the server has ended it, whatever the browser still holds.
    await t.database.query(`update session set expire = now() - interval '1 second' where sid = $1`, [sid]);
    expect((await agent.get('/api/v1/me')).status).toBe(401);

    const active = t.anonymous();
    await active.post('/api/v1/session').send({ email: world.a.lead.email, password: TEST_PASSWORD });
    expect((await active.get('/api/v1/me')).status).toBe(200);
    const longAgo = Date.now() - SESSION_ABSOLUTE_MS - 60_000;
    await t.database.db.execute(sql`update session set sess = jsonb_set(sess, '{startedAt}', to_jsonb(${longAgo}::bigint))`);
    expect((await active.get('/api/v1/me')).status).toBe(401);
  });
});

describe('password-reset requests', () => {
  it('answer the same, and do the same work before answering, whether or not the address exists', async () => {
    // A mail server that never answers: if either request waited for the link to be issued and mailed, it would hang.
    const mailer = t.cadre.ctx.mailer;
    const send = mailer.send;
    const held: string[] = [];
    mailer.send = (mail) => {
      held.push(mail.to);
      return new Promise<void>(() => undefined);
    };
    try {
      const known = await t.anonymous().post('/api/v1/password-resets').send({ email: world.a.candidate.email });
      const unknown = await t.anonymous().post('/api/v1/password-resets').send({ email: 'nobody@example.test' });
      expect([known.status, known.body]).toEqual([unknown.status, unknown.body]);
      const forgot = async (email: string) => {
        const agent = t.anonymous();
        const token = await t.csrf(agent, '/forgot');
        return (await agent.post('/forgot').type('form').send({ _csrf: token, email })).text.replace(/(value|content)="[0-9a-f]{64}\.[0-9a-f]{64}"/g, '');
      };
      expect(await forgot(world.a.candidate.email)).toBe(await forgot('nobody@example.test'));
      for (let i = 0; i < 100 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100)); // and nothing more arrives for the unknown address
      expect(held).toEqual([world.a.candidate.email, world.a.candidate.email]); // issued after the answers, only for the account
    } finally {
      mailer.send = send;
    }
  });

  it('are limited per address (known or not, alike) and per client address', async () => {
    for (const email of [world.a.candidate.email, 'nobody@example.test']) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.anonymous().post('/api/v1/password-resets').send({ email })).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
    }
    const refused = await t.anonymous().post('/api/v1/password-resets').send({ email: world.a.candidate.email });
    expect(refused.body.error.message).toMatch(/^Too many reset requests\. Try again in \d+ minutes?/);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);

    const from = (ip: string, email: string) => t.anonymous().post('/api/v1/password-resets').set('X-Forwarded-For', ip).send({ email });
    const byOneClient: number[] = [];
    for (let i = 0; i < 51; i++) byOneClient.push((await from('203.0.113.50', `spray-${i}@example.test`)).status);
    expect(byOneClient.filter((s) => s === 202)).toHaveLength(50);
    expect(byOneClient.at(-1)).toBe(429);
    expect((await from('198.51.100.20', 'someone@example.test')).status).toBe(202);
  });
});
