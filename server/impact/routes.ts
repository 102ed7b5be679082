/** The impact view for the lead and the provider's admins: /impact (which organisation), the organisation's impact
 * page, its CSV export, and the organisation's impact settings. */
import type { AppContext } from '../context';
import { audit } from '../audit';
import { organisations, impactSettings } from '../db/tables';
import { ForbiddenError } from '../errors';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { asc, eq } from 'drizzle-orm';
import { leadsOrganisation } from '../policies/relations';
import { can } from '../policies';
import { impactCsv } from './csv';
import { fileSlug, sendCsv } from '../exports/csv';
import { onOrganisation } from './grants';
import { presentImpactPage } from './present';
import { organisationImpact } from './queries';
import { standingsOf } from '../register/status';
import { settingsForm } from './schemas';
import { z } from 'zod';


/** Mounts /impact and /organisations/:organisationId/impact. */
export function impactRoutes(registry: RouteRegistry, ctx: AppContext) {
  const index = registry.router('/impact');
  const org = registry.router('/organisations/:organisationId/impact');
  const orgRoot = registry.router('/organisations/:organisationId');

  index.get('/', { summary: 'Which organisation’s impact to see (a lead goes straight to theirs)', authorize: 'signed-in' }, async ({ actor }, _req, res) => {
    const all = await ctx.db.select({ id: organisations.id, name: organisations.name, kind: organisations.kind }).from(organisations).orderBy(asc(organisations.name));
    const visible = all.filter((o) => o.kind === 'client' && (actor.isAdmin || leadsOrganisation(actor, o.id)));
    if (!visible.length) throw new ForbiddenError('The impact view is for L&D leads and the training provider’s admins.');
    if (visible.length === 1 && !actor.isAdmin) return seeOther(`/organisations/${visible[0].id}/impact`);
    res.render('impact/index', { title: 'Impact', organisations: visible.map((o) => ({ ...o, link: `/organisations/${o.id}/impact` })) });
  });

  org.get('/', { summary: 'The impact view: incidents with the programme’s milestones, courses delivered and learners’ before/after', authorize: onOrganisation(ctx.db, 'impact:view'), query: z.object({ saved: z.literal('1').optional() }) }, async ({ actor, subject, query }, _req, res) => {
    const [impact, standings] = await Promise.all([organisationImpact(ctx, subject.id), standingsOf(ctx.db, { organisationId: subject.id })]);
    res.render('impact/impact', { title: `Impact — ${subject.name}`, ...presentImpactPage(impact, { manage: can(actor, 'impact:manage', subject) }, standings), isAdmin: actor.isAdmin, saved: !!query.saved });
  });

  orgRoot.get('/impact.csv', { summary: 'The impact view as CSV (UTF-8, with learners’ own words)', authorize: onOrganisation(ctx.db, 'impact:view'), produces: 'text/csv' }, async ({ subject }, _req, res) => {
    const impact = await organisationImpact(ctx, subject.id);
    sendCsv(res, `${fileSlug(subject.name)}-impact.csv`, impactCsv(impact, new Date(), subject.timeZone));
  });

  org.form('/settings', { summary: 'Choose whether course registers record codes or names (form)', body: settingsForm, authorize: onOrganisation(ctx.db, 'impact:manage') }, async ({ body, actor, subject }) => {
    await ctx.db.transaction(async (tx) => {
      const [before] = await tx.select().from(impactSettings).where(eq(impactSettings.organisationId, subject.id));
      await tx
        .insert(impactSettings)
        .values({ organisationId: subject.id, registerMode: body.registerMode, updatedBy: actor.id })
        .onConflictDoUpdate({ target: impactSettings.organisationId, set: { registerMode: body.registerMode, updatedBy: actor.id, updatedAt: new Date() } });
      await audit(tx, { actorId: actor.id, action: 'impact.settings_changed', subjectType: 'organisation', subjectId: subject.id, before: { registerMode: before?.registerMode ?? 'codes' }, after: { registerMode: body.registerMode } });
    });
    return seeOther(`/organisations/${subject.id}/impact/incidents?done=settings`);
  });

  return [index, org, orgRoot];
}
