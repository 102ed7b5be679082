/** An organisation's settings page: its time zone (every date and time its people see on pages, in CSVs and in the
 * inspector report, and the zone typed times in its forms are read in). Its leads and the provider's admins. */
import type { Request, Response } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import { rolesChanged } from '../auth/authority';
import { memberships, organisations } from '../db/tables';
import { formOf } from '../http/forms';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { onOrganisation, type OrganisationSubject } from '../impact/grants';
import { isTimeZone, timeZoneChoices, timeZoneLabel } from '../util/time-zones';

/** POST /organisations/:organisationId/settings. */
export const organisationSettingsInput = z.strictObject({
  timeZone: z.string().max(64).refine(isTimeZone, 'Choose a time zone from the list').meta({ label: 'time zone', missing: 'Choose the time zone your organisation works in' }),
});

/** Saves the organisation's time zone (one transaction with its audit event); its people's cached roles are
 * reloaded on every node so pages outside a cohort follow at once. */
export async function setOrganisationTimeZone(ctx: AppContext, actor: Actor, organisationId: string, timeZone: string) {
  const people = await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select({ timeZone: organisations.timeZone }).from(organisations).where(eq(organisations.id, organisationId));
    await tx.update(organisations).set({ timeZone }).where(eq(organisations.id, organisationId));
    await audit(tx, { actorId: actor.id, action: 'organisation.time-zone-set', subjectType: 'organisation', subjectId: organisationId, before: { timeZone: before?.timeZone }, after: { timeZone } });
    return tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.organisationId, organisationId));
  });
  for (const p of new Set(people.map((m) => m.userId))) rolesChanged(ctx, p);
}

/** Mounts /organisations/:organisationId/settings. */
export function organisationSettingsRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/organisations/:organisationId');
  const settings = onOrganisation(ctx.db, 'organisation:settings');

  function render(_req: Request, res: Response, subject: OrganisationSubject, extra: Record<string, unknown> = {}) {
    const chosen = typeof (extra.values as { timeZone?: unknown } | undefined)?.timeZone === 'string' ? String((extra.values as { timeZone: string }).timeZone) : subject.timeZone;
    res.render('pages/organisation-settings', {
      title: `${subject.name} — settings`,
      organisation: subject,
      current: timeZoneLabel(subject.timeZone),
      zones: timeZoneChoices().map((g) => ({ region: g.region, zones: g.zones.map((z) => ({ ...z, selected: z.zone === chosen })) })),
      ...extra,
    });
  }

  r.get('/settings', { summary: "An organisation's settings: its time zone", query: z.object({ saved: z.literal('1').optional() }), authorize: settings }, ({ subject, query }, req, res) => render(req, res, subject, { saved: !!query.saved }));

  r.form(
    '/settings',
    { summary: "Save an organisation's time zone (form)", body: formOf(organisationSettingsInput), authorize: settings, rerender: (req, res, { error, values, subject }) => Promise.resolve(render(req, res, subject, { error, values })) },
    async ({ body, actor, subject }) => {
      await setOrganisationTimeZone(ctx, actor, subject.id, body.timeZone);
      return seeOther(`/organisations/${subject.id}/settings?saved=1`);
    },
  );

  return [r];
}
