/** A cohort's readiness page, its CSV and PDF exports, and the JSON API equivalents. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { getCohort } from '../cohorts/queries';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { authorize } from '../policies';
import { cohortRelation } from '../policies/relations';
import { verifyLedger } from '../ledger';
import { computeReadiness } from './queries';
import { readinessCsv, signoffsCsv } from './csv';
import { cohortReportPdf } from './pdf';
import { cohortSignoffs, cohortWaivers, completionsPerWeek, scoresPerCriterion } from './records';
import { presentCharts, presentReadinessJson, presentReadinessPage } from './presenters';

/** Loads the cohort and checks the actor may see its progress: 404 outside their world, 403 for candidates. */
async function readableCohort(ctx: AppContext, req: Request) {
  const cohort = await getCohort(ctx.db, String(req.params.cohortId));
  authorize(actorOf(req), 'cohort:view-progress', { type: 'cohort', cohort }, 'That cohort');
  return cohort;
}

async function cohortReadiness(ctx: AppContext, cohortId: string) {
  const { cohorts } = await computeReadiness(ctx, { cohortIds: [cohortId] });
  return cohorts[0];
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'cohort';

function sendCsv(res: Response, name: string, text: string) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.send(text);
}

/** Builds the PDF report for a cohort (also used by tests and scripts). */
export async function buildCohortReport(ctx: AppContext, cohortId: string, generatedBy: string): Promise<Buffer> {
  const [readiness, signoffs, waivers, ledger] = await Promise.all([
    cohortReadiness(ctx, cohortId),
    cohortSignoffs(ctx.db, cohortId),
    cohortWaivers(ctx.db, cohortId),
    verifyLedger(ctx.db),
  ]);
  return cohortReportPdf({ cohort: readiness, signoffs, waivers, ledger, generatedAt: new Date(), generatedBy });
}

/** Page routes under /cohorts/:cohortId and API routes under /api/v1/cohorts/:cohortId. */
export function readinessRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/cohorts/:cohortId');
  const api = registry.router('/api/v1/cohorts/:cohortId');

  const csvHandler = async (req: Request, res: Response) => {
    const cohort = await readableCohort(ctx, req);
    sendCsv(res, `${slug(cohort.name)}-readiness.csv`, readinessCsv(await cohortReadiness(ctx, cohort.id)));
  };
  const signoffsHandler = async (req: Request, res: Response) => {
    const cohort = await readableCohort(ctx, req);
    sendCsv(res, `${slug(cohort.name)}-signoffs.csv`, signoffsCsv(await cohortSignoffs(ctx.db, cohort.id)));
  };
  const pdfHandler = async (req: Request, res: Response) => {
    const cohort = await readableCohort(ctx, req);
    const pdf = await buildCohortReport(ctx, cohort.id, actorOf(req).name);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${slug(cohort.name)}-report.pdf"`);
    res.send(pdf);
  };

  pages.get('/readiness', async (req, res) => {
    const cohort = await readableCohort(ctx, req);
    const [readiness, weeks, scores] = await Promise.all([cohortReadiness(ctx, cohort.id), completionsPerWeek(ctx.db, cohort.id), scoresPerCriterion(ctx.db, cohort.id)]);
    const rel = cohortRelation(actorOf(req), cohort);
    const back = rel.admin || rel.lead ? { href: '/lead', label: 'Readiness dashboard' } : { href: '/mentor', label: 'Mentor dashboard' };
    res.render('readiness/cohort', presentReadinessPage(readiness, presentCharts(weeks, scores), { export: true }, back));
  });
  pages.get('/readiness.csv', csvHandler);
  pages.get('/signoffs.csv', signoffsHandler);
  pages.get('/report.pdf', pdfHandler);

  api.get('/readiness', { summary: "A cohort's readiness: every candidate by stage and competency, with risk flags and next actions", tags: ['Readiness'] }, async (req, res) => {
    const cohort = await readableCohort(ctx, req);
    res.json(presentReadinessJson(await cohortReadiness(ctx, cohort.id)));
  });
  api.get('/readiness.csv', { summary: 'The readiness heatmap as CSV', tags: ['Readiness'], produces: 'text/csv' }, csvHandler);
  api.get('/signoffs.csv', { summary: 'Every sign-off request of the cohort as CSV, with evidence references', tags: ['Readiness'], produces: 'text/csv' }, signoffsHandler);
  api.get('/report.pdf', { summary: 'The cohort report for inspectors (PDF), with the ledger verification', tags: ['Readiness'], produces: 'application/pdf' }, pdfHandler);
  return [pages, api];
}
