/** The sign-offs feature: competencies, sign-off workflow, rubrics, evidence downloads and the ledger check. */
import type { FeatureRegistration } from '../feature-types';
import { competencyRoutes } from '../competencies/routes';
import { evidenceRoutes } from '../evidence/routes';
import { rubricApiRoutes } from '../rubrics/api';
import { rubricPageRoutes } from '../rubrics/pages';
import { signoffApiRoutes } from './api';
import { signoffPageRoutes } from './pages';

/** Registers every router of the sign-offs and rubrics feature. */
export const signoffFeature: FeatureRegistration = (routes, ctx) => ({
  routers: [...signoffApiRoutes(routes, ctx), ...rubricApiRoutes(routes, ctx), ...signoffPageRoutes(routes, ctx), ...rubricPageRoutes(routes, ctx), ...evidenceRoutes(routes, ctx), ...competencyRoutes(routes, ctx)],
});
