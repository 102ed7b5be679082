/** A cohort's readiness page, its CSV and PDF exports, and the JSON API equivalents. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import type { Actor } from '../auth/actor';
import { onCohort, type CohortSubject } from '../http/grants';
import { getCohort } from '../cohorts/queries';
import { presented, reply } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { cohortRelation } from '../policies/relations';
import { verifyRecord } from '../ledger/verify';
import { computeReadiness } from './queries';
import { readinessRows, signoffRows } from './csv';
import { fileSlug, sendCsv, toCsv } from '../exports/csv';
import { evidenceWords } from './evidence-words';
import { reportParties } from './report/identity';
import { cohortReportPdf } from './pdf';
import { organisationImpact } from '../impact/queries';
import { cohortSignoffs, cohortWaivers, scoresPerCriterion } from './records';
import { presentReadinessJson, presentReadinessPage } from './presenters';
import { presentCharts } from './charts';
import { ukDate } from './model';


async function cohortReadiness(ctx: AppContext, cohortId: string) {
  const { cohorts } = await computeReadiness(ctx, { cohortIds: [cohortId] });
  return cohorts[0];
}

const slug = fileSlug;

/** Builds the PDF report for a cohort (also used by tests and scripts); `actorId` is whose view resolves the evidence. */
export async function buildCohortReport(ctx: AppContext, cohortId: string, generatedBy: string, actorId?: string): Promise<Buffer> {
  const [readiness, signoffs, waivers, sections, ledger] = await Promise.all([
    cohortReadiness(ctx, cohortId),
    cohortSignoffs(ctx.db, cohortId),
    cohortWaivers(ctx.db, cohortId),
    Promise.all(ctx.registry.reports.map((section) => section(ctx.db, cohortId))),
    // The chain is checked whole; the tables only for this cohort (a report never names another tenant's rows).
    verifyRecord(ctx.db, ctx.registry.projections, { cohortId }),
  ]);
  const [impact, evidence, parties] = await Promise.all([
    organisationImpact(ctx, readiness.organisationId),
    evidenceWords(ctx, cohortId, actorId ?? '00000000-0000-0000-0000-000000000000', signoffs),
    reportParties(ctx, { id: readiness.organisationId, name: readiness.organisationName }),
  ]);
  const generatedAt = new Date();
  // The cohort's row (cached while its version holds) carries its organisation's time zone.
  const { timeZone } = await getCohort(ctx.db, cohortId);
  return cohortReportPdf({ cohort: readiness, signoffs, evidence, waivers, sections: sections.filter((s) => s !== null), ledger, impact, generatedAt, generatedBy, timeZone, ...parties, today: ukDate(generatedAt) });
}

/** Page routes under /cohorts/:cohortId and API routes under /api/v1/cohorts/:cohortId. */
export function readinessRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/cohorts/:cohortId');
  const api = registry.router('/api/v1/cohorts/:cohortId');

  // Who may see a cohort's progress: 404 outside their world, 403 for candidates.
  const readable = onCohort(ctx.db, 'cohort:view-progress');
  type Input = { subject: CohortSubject; actor: Actor };

  const csv = ({ subject: { cohort } }: Input, _req: Request, res: Response) => cohortReadiness(ctx, cohort.id).then((r) => sendCsv(res, `${slug(cohort.name)}-readiness.csv`, toCsv(readinessRows(r, cohort.timeZone))));
  const signoffs = async ({ subject: { cohort }, actor }: Input, _req: Request, res: Response) => {
    const list = await cohortSignoffs(ctx.db, cohort.id);
    sendCsv(res, `${slug(cohort.name)}-signoffs.csv`, toCsv(signoffRows(list, await evidenceWords(ctx, cohort.id, actor.id, list), cohort.timeZone)));
  };
  const pdf = async ({ subject: { cohort }, actor }: Input, _req: Request, res: Response) => {
    const file = await buildCohortReport(ctx, cohort.id, actor.name, actor.id);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${slug(cohort.name)}-report.pdf"`);
    res.send(file);
  };

  pages.get('/readiness', { summary: 'A cohort’s readiness page', authorize: readable }, async ({ actor, subject: { cohort } }, _req, res) => {
    const [readiness, scores] = await Promise.all([cohortReadiness(ctx, cohort.id), scoresPerCriterion(ctx.db, cohort.id)]);
    const rel = cohortRelation(actor, cohort);
    const back = rel.admin || rel.lead ? { href: '/lead', label: 'Readiness dashboard' } : { href: '/mentor', label: 'Mentor dashboard' };
    res.render('readiness/cohort', presentReadinessPage(readiness, presentCharts(readiness, scores), { export: true }, back, ukDate(new Date())));
  });
  pages.get('/readiness.csv', { summary: 'The readiness heatmap as CSV', produces: 'text/csv', authorize: readable }, csv);
  pages.get('/signoffs.csv', { summary: 'Every sign-off request as CSV', produces: 'text/csv', authorize: readable }, signoffs);
  pages.get('/report.pdf', { summary: 'The cohort report (PDF)', produces: 'application/pdf', authorize: readable }, pdf);

  api.get('/readiness', { summary: "A cohort's readiness: every candidate by stage and competency, with risk flags and next actions", tags: ['Readiness'], authorize: readable }, async ({ subject: { cohort } }) =>
    reply(presented(presentReadinessJson(await cohortReadiness(ctx, cohort.id)))),
  );
  api.get('/readiness.csv', { summary: 'The readiness heatmap as CSV', tags: ['Readiness'], produces: 'text/csv', authorize: readable }, csv);
  api.get('/signoffs.csv', { summary: 'Every sign-off request of the cohort as CSV, with evidence references', tags: ['Readiness'], produces: 'text/csv', authorize: readable }, signoffs);
  api.get('/report.pdf', { summary: 'The cohort report for inspectors (PDF), with the ledger verification', tags: ['Readiness'], produces: 'application/pdf', authorize: readable }, pdf);
  return [pages, api];
}
