/** The launch handshake against the running app, driven by a test platform over real HTTP: login initiation →
 * authorization redirect → id_token POST → entry → the signed-in page in the right cohort and role. */
import { and, eq } from 'drizzle-orm';
import { cohortMembers, ltiIdentities, memberships, users } from '../../server/db/tables';
import { addToCohort, TEST_PASSWORD } from '../support/factories';
import { R } from './platform';
import { launch, startLtiWorld, type LtiWorld } from './support';

let w: LtiWorld;
beforeAll(async () => {
  w = await startLtiWorld();
}, 120_000);
afterAll(() => w.stop());

const lead = () => ({ sub: 'lms-lead-a', name: w.world.a.lead.name, email: w.world.a.lead.email, roles: [R.instructor] });

describe('LTI launch', () => {
  it('sends the browser to the platform’s authorization endpoint with state and nonce (GET and POST login)', async () => {
    for (const method of ['get', 'post'] as const) {
      const steps = await launch(w, w.t.anonymous(), { user: { sub: 'nobody', name: 'Nobody', roles: [R.learner] } }, { method, follow: false });
      expect(steps.login.status).toBe(302);
      const loc = new URL(String(steps.login.headers.location));
      expect(loc.origin + loc.pathname).toBe(w.platform.authUrl);
      expect(loc.searchParams.get('response_type')).toBe('id_token');
      expect(loc.searchParams.get('response_mode')).toBe('form_post');
      expect(loc.searchParams.get('client_id')).toBe(w.platform.clientId);
      expect(loc.searchParams.get('redirect_uri')).toBe(`${w.base}/lti/launch`);
      expect(loc.searchParams.get('state')?.length).toBeGreaterThan(30);
      expect(loc.searchParams.get('nonce')?.length).toBeGreaterThan(20);
      expect(loc.searchParams.get('lti_message_hint')).toBe('course-101');
    }
  });

  it('an instructor who leads the cohort binds the course on first launch with a picker of real names; later launches go straight there', async () => {
    const agent = w.t.anonymous();
    const steps = await launch(w, agent, { user: lead(), resourceLinkId: 'link-programme' });
    expect(steps.launch.status).toBe(200);
    expect(steps.launch.headers['content-security-policy']).toContain(`frame-ancestors ${w.platform.url}`);
    expect(steps.launch.headers['x-frame-options']).toBeUndefined();
    expect(steps.enter?.status).toBe(303);
    // The picker: cohort and stage names, never ids on screen.
    expect(steps.landing?.status).toBe(200);
    expect(steps.landing?.text).toContain('Connect this course to Cadre');
    expect(steps.landing?.text).toContain('Cohort A');
    expect(steps.landing?.text).toContain('Stage 1: Transfer week');
    expect(steps.landing?.text).not.toContain('Cohort B');
    const linkPath = /action="(\/lti\/links\/[^"]+\/bind)"/.exec(steps.landing?.text ?? '')?.[1] as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(steps.landing?.text ?? '')?.[1] as string;
    const bound = await agent.post(linkPath).type('form').send({ _csrf: csrf, target: w.world.a.cohort.id });
    expect(bound.status).toBe(303);
    const here = await agent.get('/lti/here');
    expect(here.status).toBe(303);
    expect(here.headers.location).toBe(`/cohorts/${w.world.a.cohort.id}`);
    const page = await agent.get(here.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cohort A');
    // A second launch by the same instructor lands in the cohort directly.
    const again = await launch(w, w.t.anonymous(), { user: lead(), resourceLinkId: 'link-programme' });
    expect(again.landing?.status).toBe(200);
    expect(again.landing?.text).toContain('Cohort A');
    expect(again.landing?.text).not.toContain('Connect this course to Cadre');
  });

  it('a learner new to Cadre gets an account in the organisation, joins the bound cohort as a candidate and lands on their own timeline', async () => {
    const steps = await launch(w, w.t.anonymous(), { user: { sub: 'lms-learner-1', name: 'Ada Learner', email: 'ada.learner@riverside.example', roles: [R.learner] }, resourceLinkId: 'link-programme' });
    expect(steps.enter?.status).toBe(303);
    expect(steps.landing?.status).toBe(200);
    expect(steps.landing?.text).toContain('Ada Learner');
    expect(steps.landing?.text).toContain('Transfer week');
    const [user] = await w.t.database.db.select().from(users).where(eq(users.email, 'ada.learner@riverside.example'));
    const roles = await w.t.database.db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(roles).toEqual([expect.objectContaining({ organisationId: w.world.a.org.id, role: 'candidate' })]);
    const cohortRoles = await w.t.database.db.select().from(cohortMembers).where(eq(cohortMembers.userId, user.id));
    expect(cohortRoles.map((c) => [c.cohortId, c.role])).toEqual([[w.world.a.cohort.id, 'candidate']]);
  });

  it('links an existing candidate of the organisation by e-mail; a launch never grants a mentor role', async () => {
    const candidate = w.world.a.candidate;
    const steps = await launch(w, w.t.anonymous(), { user: { sub: 'lms-cand-a', name: candidate.name, email: candidate.email, roles: [R.learner, R.instructor] }, resourceLinkId: 'link-programme' });
    expect(steps.landing?.status).toBe(200);
    expect(steps.landing?.text).toContain(candidate.name);
    const [identity] = await w.t.database.db.select().from(ltiIdentities).where(eq(ltiIdentities.sub, 'lms-cand-a'));
    expect(identity).toMatchObject({ userId: candidate.id, linkedBy: 'email' });
    const mentorRoles = await w.t.database.db.select().from(cohortMembers).where(and(eq(cohortMembers.userId, candidate.id), eq(cohortMembers.role, 'mentor')));
    expect(mentorRoles).toEqual([]);
  });

  it('never links a provider mentor by e-mail: they sign in once to connect, then act as the mentor only inside this organisation', async () => {
    const mentor = w.world.a.mentor;
    // The mentor also mentors tenant B's cohort: a normal sign-in reaches it, a session from A's LMS must not.
    await addToCohort(w.t.database.db, w.world.b.cohort.id, mentor.id, 'mentor');
    expect((await (await w.t.loginAs(mentor.email)).get(`/cohorts/${w.world.b.cohort.id}`)).status).toBe(200);
    const agent = w.t.anonymous();
    const steps = await launch(w, agent, { user: { sub: 'lms-mentor', name: mentor.name, email: mentor.email, roles: [R.instructor] }, resourceLinkId: 'link-programme' });
    expect(steps.launch.text).toContain('Sign in to connect');
    const [none] = await w.t.database.db.select().from(ltiIdentities).where(eq(ltiIdentities.sub, 'lms-mentor'));
    expect(none).toBeUndefined();
    const connect = await agent.post('/lti/connect').type('form').send({ token: steps.token });
    expect(connect.status).toBe(303);
    expect(connect.headers.location).toBe('/login?next=%2Flti%2Fconnect');
    const csrf = await w.t.csrf(agent, '/login');
    const login = await agent.post('/login').type('form').send({ _csrf: csrf, email: mentor.email, password: TEST_PASSWORD, next: '/lti/connect' });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/lti/connect');
    const done = await agent.get('/lti/connect');
    expect(done.status).toBe(303);
    const here = await agent.get('/lti/here');
    expect(here.headers.location).toBe(`/cohorts/${w.world.a.cohort.id}`);
    // The session acts inside organisation A only: tenant B's cohort, which this mentor also mentors, is out of reach.
    expect((await agent.get(`/cohorts/${w.world.b.cohort.id}`)).status).toBe(404);
    // The next launch signs the mentor in straight away.
    const again = await launch(w, w.t.anonymous(), { user: { sub: 'lms-mentor', name: mentor.name, email: mentor.email, roles: [R.instructor] }, resourceLinkId: 'link-programme' });
    expect(again.landing?.status).toBe(200);
    expect(again.landing?.text).toContain('Cohort A');
  });
});
