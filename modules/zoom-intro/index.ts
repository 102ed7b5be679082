/** The Zoom introduction: a mentor schedules it, candidates get an invite, attendance comes from the register or Zoom.
 * It uses every manifest hook, so it is the loader's reference module. */
import path from 'node:path';
import { defineCapabilities, defineStage, type RequirementKind } from '../../server/modules/kit';
import * as schema from './schema';
import { activity, attendance } from './kinds';
import { apiRoutes, pageRoutes } from './routes';
import { seed } from './seed';
import { sockets } from './sockets';
import { webhookRoutes } from './webhooks';

/** Who in a cohort holds each of this module's capabilities. */
const capabilities = defineCapabilities('zoom-intro', {
    'zoom-intro:schedule': ['mentor', 'admin'],
    'zoom-intro:register': ['mentor'],
});

declare module '../../server/modules/kit' {
  /** This module's capabilities, for the type-check of every `authorize`/`can`. */
  interface ModuleCapabilities extends Record<keyof typeof capabilities, true> {}
}

export default defineStage({
  key: 'zoom-intro',
  title: 'Zoom introduction',
  summary: 'Meet your mentors and fellow candidates online: what the programme asks of you and how it works.',
  requires: [],
  capabilities,
  requirementKinds: { 'zoom-intro:attendance': attendance as unknown as RequirementKind },
  defaults: {
    config: {},
    open: [{ kind: 'previous-stage-complete', params: {} }],
    complete: [{ kind: 'attendance', params: { sessions: 1 } }],
  },
  routes: pageRoutes,
  api: apiRoutes,
  webhooks: webhookRoutes,
  views: path.join(__dirname, 'views'),
  programme: { order: 2, startDay: 14, endDay: 21 },
  schema,
  migrations: path.join(__dirname, 'migrations'),
  sockets,
  activity,
  seed,
});
