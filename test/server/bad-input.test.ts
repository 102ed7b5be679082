/** Bad input gets a 400 that names the field and the reason — and writes nothing at all. */
import { inviteUser } from '../../server/accounts/commands';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let world: World;
beforeAll(async () => {
  t = await startTestApp();
  world = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

/** Row counts of every table, to prove a refused request wrote nothing (sessions excepted: logging in writes one). */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await t.database.query(`select tablename from pg_tables where schemaname = 'public' and tablename not in ('session', 'socket_io_attachments') order by 1`);
  const out: Record<string, number> = {};
  for (const { tablename } of tables.rows) {
    const r = await t.database.query(`select count(*)::int as n from "${String(tablename)}"`);
    out[String(tablename)] = Number(r.rows[0].n);
  }
  return out;
}

type ErrorBody = { error: { code: string; message: string; fields: { field: string; message: string }[] } };

describe('the JSON API refuses bad input with 400, naming the field, and writes nothing', () => {
  const cases: { name: string; method: 'post' | 'get'; url: (w: World) => string; raw?: string; body?: (w: World) => object; field: string; message: RegExp }[] = [
    { name: 'malformed JSON', method: 'post', url: () => '/api/v1/organisations', raw: '{"name": "Half', field: '(body)', message: /is not valid JSON/ },
    { name: 'an unknown field', method: 'post', url: () => '/api/v1/organisations', body: () => ({ name: 'Willow House', colour: 'green' }), field: 'colour', message: /^“colour” is not a field this accepts\.$/ },
    { name: 'a missing field', method: 'post', url: () => '/api/v1/cohorts', body: () => ({ name: 'Spring' }), field: 'organisationId', message: /^Choose the organisation\.$/ },
    { name: 'a cohort without a name', method: 'post', url: () => '/api/v1/cohorts', body: (w) => ({ organisationId: w.a.org.id, name: '' }), field: 'name', message: /^Give the cohort a name\.$/ },
    { name: 'an over-long string', method: 'post', url: () => '/api/v1/organisations', body: () => ({ name: 'x'.repeat(201) }), field: 'name', message: /^The organisation's name must be at most 200 characters\.$/ },
    { name: 'an empty string', method: 'post', url: () => '/api/v1/organisations', body: () => ({ name: '   ' }), field: 'name', message: /^Give the organisation a name\.$/ },
    { name: 'a bad id in the body', method: 'post', url: (w) => `/api/v1/cohorts/${w.a.cohort.id}/members`, body: () => ({ userId: 'not-an-id', role: 'candidate' }), field: 'userId', message: /^The user must be an id/ },
    { name: 'a bad id in the address', method: 'get', url: () => '/api/v1/organisations/not-an-id', field: 'organisationId', message: /^The organisation must be an id/ },
    { name: 'a bad cohort id in the address', method: 'post', url: () => '/api/v1/cohorts/1234/members', body: (w) => ({ userId: w.a.candidate.id, role: 'candidate' }), field: 'cohortId', message: /^The cohort must be an id/ },
    { name: 'a bad date', method: 'post', url: () => '/api/v1/cohorts', body: (w) => ({ organisationId: w.a.org.id, name: 'Dated', startsOn: '31/02/2026' }), field: 'startsOn', message: /^The start date must be a date as YYYY-MM-DD\.$/ },
    { name: 'a bad e-mail address', method: 'post', url: () => '/api/v1/invitations', body: (w) => ({ email: 'not-an-email', name: 'Someone', organisationId: w.a.org.id, role: 'candidate' }), field: 'email', message: /^The e-mail address must be an e-mail address/ },
    { name: 'a value outside the list', method: 'post', url: () => '/api/v1/invitations', body: (w) => ({ email: 'role@example.test', name: 'Someone', organisationId: w.a.org.id, role: 'owner' }), field: 'role', message: /^The role must be one of/ },
  ];

  it.each(cases)('$name → 400 naming $field', async (c) => {
    const admin = await t.loginAs(world.admin.email);
    const before = await rowCounts();
    let req = admin[c.method](c.url(world));
    if (c.raw !== undefined) req = req.set('content-type', 'application/json').send(c.raw);
    else if (c.body) req = req.send(c.body(world));
    const res = await req;
    expect(res.status).toBe(400);
    const body = res.body as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    const problem = body.error.fields.find((f) => f.field === c.field);
    expect(problem).toBeDefined();
    expect(problem?.message).toMatch(c.message);
    // The message is the field's sentence (in words, never the key), so a person reads what to fix.
    expect(body.error.message).toContain(c.field === '(body)' ? 'not valid JSON' : problem?.message);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('forms re-show the page with the problem named, and write nothing', () => {
  it('an over-long organisation name on the admin page', async () => {
    const admin = await t.loginAs(world.admin.email);
    const page = await admin.get('/admin');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const before = await rowCounts();
    const res = await admin.post('/admin/organisations').type('form').send({ _csrf: csrf, kind: 'client', name: 'y'.repeat(250), staffCount: 'lots' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('The organisation&#x27;s name must be at most 200 characters.');
    expect(res.text).toContain('The number of staff must be a number.');
    expect(res.text).not.toContain(' — must');
    expect(await rowCounts()).toEqual(before);
  });
});

describe('multi-table writes are all-or-nothing', () => {
  it('an invitation that fails at its last insert leaves no user, membership or audit event behind', async () => {
    const before = await rowCounts();
    // A cohort id that does not exist makes the final insert fail (foreign key) after the user and membership rows.
    await expect(
      inviteUser(t.cadre.ctx, world.admin.id, { email: 'half@example.test', name: 'Half Written', organisationId: world.a.org.id, role: 'candidate', cohortId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toThrow();
    expect(await rowCounts()).toEqual(before);
  });
});
