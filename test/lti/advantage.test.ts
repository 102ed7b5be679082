/** LTI Advantage against the test platform: Deep Linking 2.0 (the response verified with the tool's JWKS), NRPS roster
 * sync, and AGS scores — a stage completion and a rubric score arriving with a valid bearer token, retried from the
 * durable queue when the platform fails, every post recorded with its answer. */
import { and, eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { cohortMembers, invitations, ltiIdentities, ltiScorePosts, users } from '../../server/db/tables';
import { addToCohort, buildUser } from '../support/factories';
import { C, R, type PlatformUser } from './platform';
import { eventually, launch, startLtiWorld, type LtiWorld } from './support';

let w: LtiWorld;
let lead: TestAgent;
let linkId: string;
beforeAll(async () => {
  w = await startLtiWorld();
  // The lead binds the course's programme link on their first launch.
  lead = w.t.anonymous();
  const steps = await launch(w, lead, { user: leadUser(), resourceLinkId: 'link-programme' });
  linkId = /\/lti\/links\/([^/]+)\/bind/.exec(steps.landing?.text ?? '')?.[1] as string;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(steps.landing?.text ?? '')?.[1] as string;
  expect((await lead.post(`/lti/links/${linkId}/bind`).type('form').send({ _csrf: csrf, target: w.world.a.cohort.id })).status).toBe(303);
}, 120_000);
afterAll(() => w.stop());

function leadUser(): PlatformUser {
  return { sub: 'lms-lead', name: w.world.a.lead.name, email: w.world.a.lead.email, roles: [R.instructor] };
}

async function csrfOf(agent: TestAgent, path: string): Promise<string> {
  const page = await agent.get(path);
  return /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
}

describe('Deep Linking 2.0', () => {
  it('an instructor picks a cohort’s stage and Cadre returns a signed LtiDeepLinkingResponse the platform verifies with the tool’s key set', async () => {
    const agent = w.t.anonymous();
    const steps = await launch(w, agent, { user: leadUser(), messageType: 'LtiDeepLinkingRequest' }, { target: 'deep-link' });
    expect(steps.landing?.status).toBe(200);
    expect(steps.landing?.text).toContain('Choose what to add to your course');
    expect(steps.landing?.text).toContain('Stage 2: Co-delivery');
    const action = /action="(\/lti\/deep-link\/[^"]+)"/.exec(steps.landing?.text ?? '')?.[1] as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(steps.landing?.text ?? '')?.[1] as string;
    const res = await agent.post(action).type('form').send({ _csrf: csrf, target: `${w.world.a.cohort.id}:${w.stages.gated}` });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Cohort A — Co-delivery');
    expect(res.headers['content-security-policy']).toMatch(new RegExp(`form-action [^;]*${w.platform.url}`));
    const returnUrl = /action="([^"]+)" data-lti-return/.exec(res.text)?.[1] as string;
    expect(returnUrl).toBe(`${w.platform.url}/deep-link-return`);
    const jwt = /name="JWT" value="([^"]+)"/.exec(res.text)?.[1] as string;
    // The browser's auto-submit, done here: the platform verifies the response against Cadre's published keys.
    const back = await fetch(returnUrl, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) });
    expect(back.status).toBe(200);
    const payload = w.platform.deepLinkReturns.at(-1) as Record<string, unknown>;
    expect(payload[C.messageType]).toBe('LtiDeepLinkingResponse');
    expect(payload['https://purl.imsglobal.org/spec/lti/claim/version']).toBe('1.3.0');
    expect(payload[C.deploymentId]).toBe(w.platform.deploymentId);
    expect(payload[C.dlData]).toBe('opaque-platform-data');
    const [item] = payload[C.contentItems] as Record<string, unknown>[];
    expect(item).toMatchObject({ type: 'ltiResourceLink', title: 'Cohort A — Co-delivery', url: `${w.base}/lti/launch`, lineItem: { scoreMaximum: 1, label: 'Co-delivery — completion', resourceId: w.stages.gated, tag: 'cadre-completion' } });
    const custom = item.custom as Record<string, string>;
    expect(custom.cadre_binding).toContain(w.world.a.cohort.id);

    // The platform makes the link; the first launch of it lands on the chosen stage without a picker.
    const learner = await launch(w, w.t.anonymous(), { user: { sub: 'lms-dl-learner', name: 'Dee Linked', email: 'dee@riverside.example', roles: [R.learner] }, resourceLinkId: 'link-from-dl', custom });
    expect(learner.enter?.headers.location).toBe('/lti/here');
    const agent2 = w.t.anonymous();
    await launch(w, agent2, { user: { sub: 'lms-dl-learner', name: 'Dee Linked', roles: [R.learner] }, resourceLinkId: 'link-from-dl', custom }, { follow: false });
    expect((await agent2.get('/lti/here')).headers.location).toBe(`/cohorts/${w.world.a.cohort.id}/stages/co-delivery`);

    // An edited binding (another organisation's cohort) is ignored: the link stays unconnected.
    const forgedBinding = custom.cadre_binding.replace(w.world.a.cohort.id, w.world.b.cohort.id);
    const edited = await launch(w, w.t.anonymous(), { user: { sub: 'lms-dl-learner', name: 'Dee Linked', roles: [R.learner] }, resourceLinkId: 'link-edited', custom: { cadre_binding: forgedBinding } });
    expect(edited.landing?.text).toContain('not connected to a Cadre cohort yet');
  });
});

describe('Names and Role Provisioning (roster sync)', () => {
  it('brings the course’s learners into the cohort: known people join, new people are invited, leavers are listed for a decision', async () => {
    const db = w.t.database.db;
    // Candidate A2 came from this LMS once but has left the course since.
    await db.insert(ltiIdentities).values({ registrationId: w.registrationId, sub: 'lms-left', userId: w.world.a.otherCandidate.id, linkedBy: 'created' });
    w.platform.roster = [
      { user_id: 'lms-lead', name: w.world.a.lead.name, email: w.world.a.lead.email, roles: [R.instructor] },
      { user_id: 'lms-cand-a', name: w.world.a.candidate.name, email: w.world.a.candidate.email, roles: [R.learner] },
      { user_id: 'lms-new', name: 'Nia Newcomer', email: 'nia.newcomer@riverside.example', roles: [R.learner] },
      { user_id: 'lms-no-email', name: 'Quinn Quiet', roles: [R.learner] },
      { user_id: 'lms-gone', name: 'Gone Away', email: 'gone@riverside.example', roles: [R.learner], status: 'Inactive' },
    ];
    const page = `/lti/links/${linkId}/roster`;
    const pageToken = await csrfOf(lead, page);
    const sync = await lead.post(page).type('form').send({ _csrf: pageToken });
    expect(sync.status).toBe(303);
    const shown = await lead.get(page);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Nia Newcomer');
    expect(shown.text).toContain('without an e-mail address');
    expect(shown.text).toContain(`Remove ${w.world.a.otherCandidate.name} from the cohort`);
    expect(shown.text).not.toContain('Gone Away');
    const [nia] = await db.select().from(users).where(eq(users.email, 'nia.newcomer@riverside.example'));
    expect(nia.status).toBe('invited');
    expect(await db.select().from(invitations).where(eq(invitations.userId, nia.id))).toHaveLength(1);
    // Nobody was removed by the sync.
    const stillIn = await db.select().from(cohortMembers).where(and(eq(cohortMembers.cohortId, w.world.a.cohort.id), eq(cohortMembers.userId, w.world.a.otherCandidate.id)));
    expect(stillIn).toHaveLength(1);
    // The lead decides to remove the leaver; their records stay.
    const removed = await lead.post(`${page}/removals`).type('form').send({ _csrf: pageToken, userId: w.world.a.otherCandidate.id });
    expect(removed.status).toBe(303);
    expect(await db.select().from(cohortMembers).where(and(eq(cohortMembers.cohortId, w.world.a.cohort.id), eq(cohortMembers.userId, w.world.a.otherCandidate.id)))).toHaveLength(0);
    // Nia, invited by the sync, launches from the course: her account is the invited one, now in the cohort.
    const steps = await launch(w, w.t.anonymous(), { user: { sub: 'lms-new', name: 'Nia Newcomer', email: 'nia.newcomer@riverside.example', roles: [R.learner] }, resourceLinkId: 'link-programme' });
    expect(steps.landing?.status).toBe(200);
    expect(steps.landing?.text).toContain('Nia Newcomer');
    expect(await db.select().from(cohortMembers).where(and(eq(cohortMembers.cohortId, w.world.a.cohort.id), eq(cohortMembers.userId, nia.id)))).toHaveLength(1);
    // The same sync through the API: everyone is in now; the one without an e-mail address still waits for a launch;
    // Dee (who joined through the deep-linked item) is not in this course's roster, so is listed, not removed.
    const again = await lead.post(`/api/v1/lti/links/${linkId}/roster-sync`).send({});
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ joined: [], invited: [], withoutEmail: [{ name: 'Quinn Quiet' }], leftTheCourse: [{ userId: expect.any(String), name: 'Dee Linked' }], staffLeftAsTheyAre: 1 });
  });
});

describe('Assignment and Grade Services', () => {
  it('posts a stage completion and a rubric score to the platform with a bearer token; retries when the platform fails; records every post', async () => {
    const db = w.t.database.db;
    const candidate = w.world.a.candidate; // linked to lms-cand-a by the first test file's e-mail rule, or now:
    await launch(w, w.t.anonymous(), { user: { sub: 'lms-cand-a', name: candidate.name, email: candidate.email, roles: [R.learner] }, resourceLinkId: 'link-programme' });
    const mentor = await w.t.loginAs(w.world.a.mentor.email);
    const timeline = `/cohorts/${w.world.a.cohort.id}/candidates/${candidate.id}`;
    const token = await csrfOf(mentor, timeline);
    const mark = await mentor.post(`${timeline}/stages/${w.stages.marked}/complete`).type('form').send({ _csrf: token });
    expect(mark.status).toBe(303);
    await eventually('the completion score arrives', () => w.platform.scores.some((s) => s.body.userId === 'lms-cand-a' && s.body.scoreGiven === 1));
    const completion = w.platform.scores.find((s) => s.body.userId === 'lms-cand-a' && s.body.scoreGiven === 1);
    expect(completion?.contentType).toBe('application/vnd.ims.lis.v1.score+json');
    expect(completion?.scopes).toContain('https://purl.imsglobal.org/spec/lti-ags/scope/score');
    expect(completion?.body).toMatchObject({ scoreGiven: 1, scoreMaximum: 1, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(typeof completion?.body.timestamp).toBe('string');
    const item = w.platform.lineItems.find((l) => l.id === completion?.lineItemId);
    expect(item).toMatchObject({ label: 'Transfer week — completion', scoreMaximum: 1, resourceLinkId: 'link-programme', tag: 'cadre-completion' });
    expect(w.platform.lineItems.map((l) => l.label)).toEqual(expect.arrayContaining(['Co-delivery — completion', 'Co-delivery — Practical session']));

    // The platform is down for the next two posts: the rubric score is retried from the queue until it lands.
    w.platform.failScores(2);
    const rubric = await mentor.get(`/api/v1/rubrics/${w.rubricKey}`);
    const [calm, least] = (rubric.body.rubric?.criteria ?? rubric.body.criteria) as { id: string }[];
    const assess = await mentor.post(`/api/v1/cohorts/${w.world.a.cohort.id}/candidates/${candidate.id}/assessments`).send({ rubric: w.rubricKey, contextType: 'stage', contextId: w.stages.gated, cohortStageId: w.stages.gated, levels: { [calm.id]: 1, [least.id]: 2 } });
    expect(assess.status).toBe(201);
    await eventually('the rubric score arrives after the retries', () => w.platform.scores.some((s) => s.body.userId === 'lms-cand-a' && s.body.scoreMaximum === 100));
    const score = w.platform.scores.find((s) => s.body.userId === 'lms-cand-a' && s.body.scoreMaximum === 100);
    expect(score?.body).toMatchObject({ scoreGiven: assess.body.score.percent, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(w.platform.lineItems.find((l) => l.id === score?.lineItemId)?.label).toBe('Co-delivery — Practical session');

    // Both refused deliveries were recorded with the platform's answer, then posted again and accepted.
    const recorded = () => db.select().from(ltiScorePosts).where(eq(ltiScorePosts.userId, candidate.id)).orderBy(ltiScorePosts.id);
    const redelivered = (all: Awaited<ReturnType<typeof recorded>>) => all.filter((p) => p.outcome === 'failed').every((f) => all.some((p) => p.id > f.id && p.fingerprint === f.fingerprint && p.lineItemId === f.lineItemId && p.outcome === 'accepted'));
    await eventually('every failed post is delivered again', async () => redelivered(await recorded()));
    const posts = await recorded();
    expect(posts.filter((p) => p.outcome === 'failed').map((p) => [p.httpStatus, p.answer])).toEqual([
      [503, 'try again later'],
      [503, 'try again later'],
    ]);
    // The assessment also completes the gated stage, so one sync posts both scores and both refusals fall in it; a
    // later sync of the same write may deliver them before that job's own retry does, so which attempt delivered
    // them is not fixed — that each refused post was delivered again is (above).
    expect(posts.every((p) => p.attempt >= 1)).toBe(true);
    expect(posts.find((p) => p.scoreMaximum === 1 && p.outcome === 'accepted')?.answer).toContain('resultUrl');

    // Nothing changed: a sync posts nothing new.
    const before = w.platform.scores.length;
    await w.t.cadre.lti.gradesChanged(w.world.a.cohort.id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.platform.scores.length).toBe(before);

    // The admin sees the posts with names and answers.
    const admin = await w.t.loginAs(w.world.admin.email);
    const regPage = await admin.get(`/admin/lti/registrations/${w.registrationId}`);
    expect(regPage.text).toContain(candidate.name);
    expect(regPage.text).toContain('Co-delivery — Practical session');
    expect(regPage.text).toContain('Accepted');
  });

  it('posts the result the gate judges: a second mentor’s later pass does not override the first mentor’s fail (every mentor must pass)', async () => {
    const { cohort, org, mentor: first } = w.world.a;
    const candidate = await buildUser(w.t.database.db, { name: 'Gita Gate', organisationId: org.id, role: 'candidate' });
    await addToCohort(w.t.database.db, cohort.id, candidate.id, 'candidate');
    await launch(w, w.t.anonymous(), { user: { sub: 'lms-cand-gate', name: candidate.name, email: candidate.email, roles: [R.learner] }, resourceLinkId: 'link-programme' });
    const second = await buildUser(w.t.database.db, { name: 'Second Mentor', organisationId: w.world.provider.id, role: 'mentor' });
    await addToCohort(w.t.database.db, cohort.id, second.id, 'mentor');
    const rubric = await (await w.t.loginAs(first.email)).get(`/api/v1/rubrics/${w.rubricKey}`);
    const [calm, least] = (rubric.body.rubric?.criteria ?? rubric.body.criteria) as { id: string }[];
    const assess = async (email: string, calmLevel: number) =>
      (await w.t.loginAs(email)).post(`/api/v1/cohorts/${cohort.id}/candidates/${candidate.id}/assessments`).send({ rubric: w.rubricKey, contextType: 'stage', contextId: w.stages.gated, cohortStageId: w.stages.gated, levels: { [calm.id]: calmLevel, [least.id]: 2 } });
    const low = await assess(first.email, 0);
    expect(low.status).toBe(201);
    const high = await assess(second.email, 2);
    expect(high.status).toBe(201);
    expect(high.body.score.percent).toBeGreaterThan(low.body.score.percent);
    const posted = () => w.platform.scores.filter((s) => s.body.userId === 'lms-cand-gate' && s.body.scoreMaximum === 100);
    await eventually('the gate’s result arrives', () => posted().some((s) => s.body.scoreGiven === low.body.score.percent));
    await w.t.cadre.lti.gradesChanged(cohort.id);
    await eventually('the sync settles', async () => (await w.t.database.db.select().from(ltiScorePosts).where(eq(ltiScorePosts.userId, candidate.id))).every((p) => p.outcome !== 'failed'));
    // The gradebook's last word is the first mentor's fail — the latest score (the second mentor's pass) is not what counts.
    const last = posted().at(-1);
    expect(last?.body).toMatchObject({ scoreGiven: low.body.score.percent, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(String(last?.body.comment)).toContain('Not passed yet (pass mark 60%). Every mentor who assesses must pass');
    // The gate says the same: the stage is not complete, so its completion is never posted as 1.
    expect(w.platform.scores.some((s) => s.body.userId === 'lms-cand-gate' && s.body.scoreMaximum === 1 && s.body.scoreGiven === 1)).toBe(false);
    const timeline = await (await w.t.loginAs(first.email)).get(`/cohorts/${cohort.id}/candidates/${candidate.id}`);
    expect(timeline.text).toContain('Mentor A’s latest assessment scored 33%');
  });
});
