/** The lead (/lead), mentor (/mentor) and admin (/admin/overview) dashboards, and their JSON equivalents. */
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import { ForbiddenError } from '../errors';
import { onProvider } from '../http/grants';
import { plain, reply } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { computeReadiness } from '../readiness/queries';
import { candidateStateLabel, presentCohortSummary } from '../readiness/presenters';
import type { CohortReadiness } from '../readiness/model';
import { countWaiting, leadCohortIds, mentorCohortIds, runningCohorts, upcomingStages, waitingRequests } from './queries';

/** Candidates needing attention across cohorts (at risk or blocked), most flags first. */
function attention(cohorts: CohortReadiness[]) {
  return cohorts
    .flatMap((c) =>
      c.candidates
        .filter((p) => p.state === 'at_risk' || p.state === 'blocked')
        .map((p) => ({
          cohortId: c.id,
          cohortName: c.name,
          candidateId: p.candidateId,
          name: p.name,
          state: p.state,
          stateLabel: candidateStateLabel(p.state),
          flags: p.flags,
          nextAction: p.nextAction,
          link: `/cohorts/${c.id}/candidates/${p.candidateId}`,
        })),
    )
    .sort((a, b) => b.flags.length - a.flags.length || a.name.localeCompare(b.name));
}

/** The lead dashboard's data for `actor` (403 for someone who leads nothing). */
export async function leadDashboard(ctx: AppContext, actor: Actor) {
  const isLead = actor.isAdmin || actor.orgRoles.some((m) => m.role === 'lead') || actor.cohortRoles.some((c) => c.role === 'lead');
  if (!isLead) throw new ForbiddenError('The readiness dashboard is for L&D leads.');
  const ids = await leadCohortIds(ctx.db, actor);
  const { cohorts } = await computeReadiness(ctx, { cohortIds: ids });
  const totals = cohorts.reduce(
    (t, c) => ({ candidates: t.candidates + c.counts.candidates, ready: t.ready + c.counts.ready, atRisk: t.atRisk + c.counts.atRisk, blocked: t.blocked + c.counts.blocked, inProgress: t.inProgress + c.counts.inProgress }),
    { candidates: 0, ready: 0, atRisk: 0, blocked: 0, inProgress: 0 },
  );
  return { cohorts: cohorts.map(presentCohortSummary), totals, attention: attention(cohorts).slice(0, 100) };
}

/** The mentor dashboard's data for `actor` (403 for someone who mentors no cohort). */
export async function mentorDashboard(ctx: AppContext, actor: Actor) {
  const ids = mentorCohortIds(actor);
  const isMentor = ids.length > 0 || actor.orgRoles.some((m) => m.role === 'mentor');
  if (!isMentor) throw new ForbiddenError('The mentor dashboard is for mentors.');
  if (!ids.length) return { cohorts: [], waiting: [], waitingTotal: 0, upcoming: [], running: [], atRisk: [] };
  const now = new Date();
  const [{ cohorts }, waiting, counts, upcoming, running] = await Promise.all([
    computeReadiness(ctx, { cohortIds: ids }),
    waitingRequests(ctx.db, { cohortIds: ids, mentorId: actor.id }),
    countWaiting(ctx.db, { cohortIds: ids, mentorId: actor.id }),
    upcomingStages(ctx.db, ids, now),
    Promise.all(ctx.registry.runningNow.map((hook) => hook(ctx.db, ids, now))).then((lists) => lists.flat()),
  ]);
  const cohortName = new Map(cohorts.map((c) => [c.id, c.name]));
  return {
    running: running.map((r) => ({ ...r, cohortName: cohortName.get(r.cohortId) ?? '' })),
    cohorts: cohorts.map((c) => ({ ...presentCohortSummary(c), waiting: counts.byCohort.get(c.id) ?? 0 })),
    waiting,
    waitingTotal: counts.total,
    upcoming,
    atRisk: attention(cohorts),
  };
}

/** The admin overview across organisations. */
export async function adminOverview(ctx: AppContext) {
  const running = await runningCohorts(ctx.db);
  const [{ cohorts }, waiting] = await Promise.all([computeReadiness(ctx, { cohortIds: running.map((c) => c.id) }), waitingRequests(ctx.db, { limit: 20 })]);
  const byOrg = new Map<string, { organisationId: string; organisationName: string; cohortsRunning: number; candidates: number; ready: number; atRisk: number }>();
  for (const c of cohorts) {
    const o = byOrg.get(c.organisationId) ?? { organisationId: c.organisationId, organisationName: c.organisationName, cohortsRunning: 0, candidates: 0, ready: 0, atRisk: 0 };
    o.cohortsRunning += 1;
    o.candidates += c.counts.candidates;
    o.ready += c.counts.ready;
    o.atRisk += c.counts.atRisk;
    byOrg.set(c.organisationId, o);
  }
  const organisations = [...byOrg.values()].sort((a, b) => a.organisationName.localeCompare(b.organisationName));
  const totals = organisations.reduce((t, o) => ({ cohortsRunning: t.cohortsRunning + o.cohortsRunning, candidates: t.candidates + o.candidates, ready: t.ready + o.ready, atRisk: t.atRisk + o.atRisk }), {
    cohortsRunning: 0,
    candidates: 0,
    ready: 0,
    atRisk: 0,
  });
  return { organisations, totals, waiting };
}

/** Page and API routes for the dashboards. Each dashboard shows only the actor's own cohorts (the queries scope by
 * the actor), so a signed-in person is the whole rule; the overview is for the provider's admins. */
export function dashboardRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('');
  const api = registry.router('/api/v1/dashboards');
  const overview = onProvider('provider:view');

  pages.get('/lead', { summary: 'The lead’s readiness dashboard', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    res.render('dashboards/lead', { title: 'Readiness dashboard', ...(await leadDashboard(ctx, actor)) });
  });
  pages.get('/mentor', { summary: 'The mentor’s dashboard', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    res.render('dashboards/mentor', { title: 'Mentor dashboard', ...(await mentorDashboard(ctx, actor)) });
  });
  pages.get('/admin/overview', { summary: 'The admin overview', authorize: overview }, async (_input, _req, res) => {
    res.render('dashboards/admin', { title: 'Overview across organisations', ...(await adminOverview(ctx)) });
  });

  api.get('/lead', { summary: "The lead's readiness dashboard: every cohort they lead side by side, and the candidates needing attention", tags: ['Dashboards'], authorize: 'signed-in' }, async ({ actor }) =>
    reply(plain(await leadDashboard(ctx, actor))),
  );
  api.get('/mentor', { summary: "A mentor's dashboard: their cohorts, sign-off requests waiting (oldest first), upcoming stage windows, candidates at risk", tags: ['Dashboards'], authorize: 'signed-in' }, async ({ actor }) =>
    reply(plain(await mentorDashboard(ctx, actor))),
  );
  api.get('/admin', { summary: 'The admin overview across organisations: cohorts running, candidates ready, requests waiting longest', tags: ['Dashboards'], authorize: overview }, async () => reply(plain(await adminOverview(ctx))));
  return [pages, api];
}
