/** The home page: sends each person to the place that answers their first question. */
import type { AppContext } from '../context';
import { primaryRole } from '../auth/actor';
import type { RouteRegistry } from '../http/router';
import { visibleCohorts } from '../cohorts/queries';

/** Where each role lands after logging in. Features register richer homes by replacing these paths. */
export const roleHomes: Record<string, string> = { admin: '/admin', mentor: '/mentor', lead: '/lead', candidate: '/me/progress' };

/** GET / and GET /cohorts. */
export function homeRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');
  r.get('/', { summary: 'Home: each role’s landing page', authorize: 'signed-in' }, ({ actor }, _req, res) => {
    res.redirect(roleHomes[primaryRole(actor)] ?? '/cohorts');
  });
  r.get('/cohorts', { summary: 'Your cohorts', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    const list = await visibleCohorts(ctx.db, actor);
    res.render('pages/cohorts', {
      title: 'Your cohorts',
      cohorts: list.map((c) => ({ ...c, roles: actor.cohortRoles.filter((x) => x.cohortId === c.id).map((x) => x.role) })),
    });
  });
  return [r];
}
