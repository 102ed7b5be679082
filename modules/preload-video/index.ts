/** The pre-load stage: candidates watch short videos (only played time counts) and take an optional knowledge check. */
import path from 'node:path';
import { defineStage, type RequirementKind } from '../../server/modules/kit';
import * as schema from './schema';
import { globalRoutes } from './global-routes';
import { activity, quizPassed, watched } from './kinds';
import { apiRoutes, pageRoutes } from './routes';
import { seed } from './seed';

export default defineStage({
  key: 'preload-video',
  title: 'Pre-load videos',
  summary: 'Watch the pre-load videos on non-escalation, de-escalation and restraint as a last resort, then take a short knowledge check.',
  requires: [],
  // No capabilities of its own: it authorises with core's cohort actions.
  capabilities: {},
  requirementKinds: {
    'preload-video:watched': watched as unknown as RequirementKind,
    'preload-video:quiz-passed': quizPassed as unknown as RequirementKind,
  },
  defaults: {
    config: {},
    open: [{ kind: 'date-reached', params: {} }],
    complete: [
      { kind: 'preload-video:watched', params: {} },
      { kind: 'preload-video:quiz-passed', params: { passMark: 80 } },
    ],
  },
  routes: pageRoutes,
  api: apiRoutes,
  globalRoutes,
  views: path.join(__dirname, 'views'),
  programme: { order: 1, startDay: 0, endDay: 20 },
  schema,
  migrations: path.join(__dirname, 'migrations'),
  adminLinks: [{ label: 'Pre-load videos', href: '/stages/preload-video/admin' }],
  activity,
  seed,
});
