/** The Zoom introduction: a mentor schedules it, candidates get an invite, attendance comes from the register or Zoom.
 * It uses every manifest hook, so it is the loader's reference module. */
import path from 'node:path';
import { defineStage, type RequirementKind } from '../../server/modules/kit';
import { activity, attendance } from './kinds';
import { apiRoutes, pageRoutes } from './routes';
import { seed } from './seed';
import { sockets } from './sockets';
import { webhookRoutes } from './webhooks';

export default defineStage({
  key: 'zoom-intro',
  title: 'Zoom introduction',
  summary: 'Meet your mentors and fellow candidates online: what the programme asks of you and how it works.',
  requires: [],
  capabilities: {
    'zoom-intro:schedule': ['mentor', 'admin'],
    'zoom-intro:register': ['mentor'],
  },
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
  sockets,
  activity,
  seed,
});
