/** The request path's edge rules: same-origin redirects only, CSRF tokens never from the address, secrets never in
 * the request log. */
import http from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { sameOriginPath } from '../../server/http/redirects';
import { redactUrl } from '../../server/http/redact';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, TEST_PASSWORD, type World } from '../support/factories';

jest.setTimeout(60_000);

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp({ logger: pino({ level: 'info' }, sink) });
  w = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

describe('next and back stay on this site', () => {
  it.each(['/\\evil.example/', '//evil.example/x', 'https://evil.example/', '/\\/evil.example', 'javascript:alert(1)', '\u0000/x'])('%s falls back', (value) => {
    expect(sameOriginPath(value, '/')).toBe('/');
  });

  it('keeps an encoded backslash as a path on this site (the browser does not turn %5C into a host)', () => {
    expect(sameOriginPath('/%5Cevil.example', '/')).toBe('/%5Cevil.example');
  });

  it('keeps same-origin paths with their query and fragment, and uses the first of repeated values', () => {
    expect(sameOriginPath('/cohorts/1/signoffs?done=1#x', '/')).toBe('/cohorts/1/signoffs?done=1#x');
    expect(sameOriginPath(['/a', '/b'], '/')).toBe('/a');
    expect(sameOriginPath('/cohorts/2/x', '/', '/cohorts/1')).toBe('/');
  });

  it('logging in with next=/\\evil.example/ lands on this site, and a repeated next never crashes the page', async () => {
    const agent = t.anonymous();
    const page = await agent.get(`/login?next=${encodeURIComponent('/\\evil.example/')}&next=/cohorts`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('evil.example');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email: w.admin.email, password: TEST_PASSWORD, next: '/\\evil.example/' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.location, 'http://cadre.test').origin).toBe('http://cadre.test');
    expect(res.headers.location).toBe('/');
  });
});

describe('CSRF tokens are never taken from the address', () => {
  it('refuses a form whose token is only in the query string, and accepts the same token in the hidden field', async () => {
    const admin = await t.loginAs(w.admin.email);
    const page = await admin.get('/admin');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    expect(page.text).not.toMatch(/action="[^"]*_csrf=/);
    const viaQuery = await admin.post(`/admin/organisations?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ kind: 'client', name: 'Query Token Trust' });
    expect(viaQuery.status).toBe(403);
    const viaField = await admin.post('/admin/organisations').type('form').send({ _csrf: csrf, kind: 'client', name: 'Field Token Trust' });
    expect(viaField.status).toBe(303);
  });

  it('no form on any page puts the token (or any secret-looking value) in its address', async () => {
    // Every page route of the registry, as the admin and a mentor, with tenant A's ids where the path names them.
    const known: Record<string, string> = { cohortId: w.a.cohort.id, organisationId: w.a.org.id, userId: w.a.candidate.id, candidateId: w.a.candidate.id };
    const pages = t.cadre.routes.routes.filter((r) => r.method === 'get' && !r.path.startsWith('/api/') && r.path.split('/:').slice(1).every((seg) => seg.split('/')[0] in known));
    const inAction: string[] = [];
    let forms = 0;
    for (const email of [w.admin.email, w.a.mentor.email]) {
      const agent = await t.loginAs(email);
      const token = await t.csrf(agent, '/cohorts');
      for (const route of pages) {
        const res = await agent.get(route.path.replace(/:(\w+)/g, (_m, n: string) => known[n]));
        if (res.status !== 200 || !String(res.headers['content-type']).includes('text/html')) continue;
        for (const [form, action] of res.text.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>/gi)) {
          forms += 1;
          const decoded = action.replace(/&amp;/g, '&');
          if (/[?&](_csrf|csrf|token)=/i.test(decoded) || decoded.includes(token) || decoded.includes(encodeURIComponent(token))) inAction.push(`${email} ${route.path}: ${form}`);
        }
      }
    }
    expect(forms).toBeGreaterThan(20);
    expect(inAction).toEqual([]);
  });
});

describe('secrets stay out of the request log', () => {
  it('redacts invitation and reset tokens in paths and secret query values', async () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
    await t.anonymous().get(`/reset/${token}`);
    await t.anonymous().get(`/invite/${token}?x=1`);
    await t.anonymous().get(`/login?next=/cohorts&token=${token}&_csrf=abc`);
    const logged = lines.filter((l) => l.msg === 'request').map((l) => String(l.url));
    expect(logged.some((u) => u.startsWith('/reset/[redacted]'))).toBe(true);
    expect(logged.some((u) => u.startsWith('/invite/[redacted]?x=1'))).toBe(true);
    expect(logged.some((u) => u === '/login?next=/cohorts&token=[redacted]&_csrf=[redacted]')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(token);
    expect(redactUrl('/cohorts/3f2b0c1e-1111-4222-8333-444455556666/manage')).toBe('/cohorts/3f2b0c1e-1111-4222-8333-444455556666/manage');
  });

  it('redacts the links of e-mails that are logged instead of sent', async () => {
    const before = lines.length;
    await t.anonymous().post('/api/v1/password-resets').send({ email: w.a.candidate.email });
    const deadline = Date.now() + 5000;
    while (!lines.slice(before).some((l) => String(l.msg).startsWith('e-mail (not sent')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const mail = lines.slice(before).find((l) => String(l.msg).startsWith('e-mail (not sent'));
    expect(mail).toBeDefined();
    expect(String(mail?.msg)).toContain('/reset/[redacted]');
    const sent = t.cadre.ctx.mailer.outbox.at(-1)?.text ?? '';
    const secret = /\/reset\/([\w-]+)/.exec(sent)?.[1];
    expect(secret).toBeDefined();
    expect(JSON.stringify(lines)).not.toContain(secret!);
  });
});

describe('a whole account flow leaves no secret in the log', () => {
  it('invitation, password set, form login, password change (wrong then right), reset and its use: no link token, password, session cookie or CSRF token is logged', async () => {
    const before = lines.length;
    const secrets: string[] = [TEST_PASSWORD];
    const cookieValues = (res: { headers: Record<string, unknown> }) => {
      const set = res.headers['set-cookie'];
      for (const c of (Array.isArray(set) ? set : []) as string[]) {
        const value = decodeURIComponent(c.split(';')[0].split('=').slice(1).join('='));
        if (value.length >= 16) secrets.push(value);
      }
    };
    const admin = await t.loginAs(w.admin.email);
    const invited = await admin.post('/api/v1/invitations').send({ name: 'Logged Person', email: 'logged.person@example.test', organisationId: w.a.org.id, role: 'candidate', cohortId: w.a.cohort.id });
    expect(invited.status).toBe(201);
    const inviteToken = /\/invite\/([\w-]+)/.exec(String(invited.body.link))![1];
    secrets.push(inviteToken);

    const person = t.anonymous();
    const invitePage = await person.get(`/invite/${inviteToken}`);
    cookieValues(invitePage);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(invitePage.text)![1];
    secrets.push(csrf);
    const first = 'first chosen password, long';
    secrets.push(first);
    expect((await person.post(`/invite/${inviteToken}`).type('form').send({ _csrf: csrf, password: first, confirm: first })).status).toBe(302);
    const loginPage = await person.get('/login');
    const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.text)![1];
    secrets.push(loginCsrf);
    const login = await person.post('/login').type('form').send({ _csrf: loginCsrf, email: 'logged.person@example.test', password: first });
    expect(login.status).toBe(302);
    cookieValues(login);

    const second = 'second chosen password, long';
    secrets.push(second, 'a wrong current password');
    expect((await person.post('/api/v1/me/password').send({ current: 'a wrong current password', password: second, confirm: second })).status).toBe(400);
    expect((await person.post('/api/v1/me/password').send({ current: first, password: 'short', confirm: 'short' })).status).toBe(400);
    expect((await person.post('/api/v1/me/password').send({ current: first, password: second, confirm: second })).status).toBe(204);

    const mailed = t.cadre.ctx.mailer.outbox.filter((m) => m.to === 'logged.person@example.test').length;
    await t.anonymous().post('/api/v1/password-resets').send({ email: 'logged.person@example.test' });
    const reset = await t.mailTo('logged.person@example.test', mailed + 1);
    const resetToken = /\/reset\/([\w-]+)/.exec(reset.text)![1];
    secrets.push(resetToken);
    const third = 'third chosen password, long';
    secrets.push(third);
    expect((await t.anonymous().post(`/api/v1/password-resets/${resetToken}`).send({ password: third, confirm: third })).status).toBe(204);
    // A used link tried again: refused, and still not logged.
    expect((await t.anonymous().get(`/reset/${resetToken}`)).status).toBeGreaterThanOrEqual(400);

    const logged = JSON.stringify(lines.slice(before));
    expect(lines.length).toBeGreaterThan(before);
    for (const s of secrets) expect({ secret: s.slice(0, 6), inLog: logged.includes(s) }).toEqual({ secret: s.slice(0, 6), inLog: false });
  });
});

describe('an upload refused before its body is read is answered, not reset', () => {
  /** Posts a multipart body on a connection that closes after the answer (as a client without keep-alive does):
   * the headers and a first part, then — after the server has had time to refuse — the rest. */
  async function postSlowly(base: string, bytes: number) {
    const url = new URL('/stages/preload-video/videos', base);
    const boundary = 'cadre-test-boundary';
    const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="clip.webm"\r\ncontent-type: video/webm\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = Buffer.concat([head, Buffer.alloc(bytes, 7), tail]);
    return new Promise<{ status?: number; error?: string; answeredAfterBody: boolean }>((resolve) => {
      let sentAll = false;
      let status: number | undefined;
      let answeredAfterBody = false;
      const req = http.request(url, { method: 'POST', agent: false, headers: { connection: 'close', 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } }, (res) => {
        status = res.statusCode;
        answeredAfterBody = sentAll;
        res.resume();
      });
      // Settled once the whole body was written (or the write failed) and any late error had time to arrive.
      req.on('error', (err) => resolve({ status, error: (err as NodeJS.ErrnoException).code ?? err.message, answeredAfterBody }));
      req.on('finish', () => setTimeout(() => resolve({ status, answeredAfterBody }), 300));
      setTimeout(() => resolve({ status, error: 'the rest of the body could not be sent', answeredAfterBody }), 5000);
      req.write(body.subarray(0, 1024));
      // Several pieces, well after the refusal: the first lands in a half-closed socket, the next meet its reset.
      let offset = 1024;
      const step = Math.ceil((body.length - offset) / 4);
      const more = () => {
        const piece = body.subarray(offset, offset + step);
        offset += step;
        if (offset < body.length) {
          req.write(piece);
          setTimeout(more, 100);
        } else {
          sentAll = true;
          req.end(piece);
        }
      };
      setTimeout(more, 300);
    });
  }

  it('waits for a small body, so a client without keep-alive reads the answer instead of a broken pipe', async () => {
    const base = await t.listen();
    const result = await postSlowly(base, 200_000);
    expect(result.error).toBeUndefined();
    // Anonymous: the answer is the sign-in refusal, sent once the body has arrived.
    expect(result.status).toBeGreaterThanOrEqual(300);
    expect(result.status).toBeLessThan(500);
    expect(result.answeredAfterBody).toBe(true);
  });
});

describe('one dispatch for every router', () => {
  it('routes as express would: any case, a trailing slash, parameters; an unknown path is a 404 or the login page', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const timeline = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`;
    for (const path of [timeline, `${timeline}/`, timeline.replace('/cohorts/', '/COHORTS/').replace('/candidates/', '/Candidates/')]) {
      const res = await candidate.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.text).toContain('Your programme');
    }
    // A module's page (mounted under /cohorts/:cohortId/stages/<key>), the API, a public page, the home page.
    expect((await candidate.get(`/cohorts/${w.a.cohort.id}/stages/preload-video`)).status).toBeLessThan(500);
    expect((await candidate.get('/api/v1/me')).status).toBe(200);
    expect((await t.anonymous().get('/login')).status).toBe(200);
    expect([200, 302]).toContain((await candidate.get('/')).status);
    // Nobody's route: 404 for the signed-in (page and API), the login page for anyone else.
    expect((await candidate.get(`/cohorts/${w.a.cohort.id}/nothing-here`)).status).toBe(404);
    expect((await candidate.get('/nothing-here/at/all')).status).toBe(404);
    expect((await candidate.get('/api/v1/nothing')).status).toBe(404);
    const anonymous = await t.anonymous().get('/nothing-here');
    expect([anonymous.status, anonymous.headers.location]).toEqual([302, '/login?next=%2Fnothing-here']);
  });
});
