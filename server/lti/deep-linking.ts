/** Deep Linking 2.0: the signed LtiDeepLinkingResponse for an instructor's choice — one ltiResourceLink to a cohort's
 * stage (with its completion line item) or to the whole programme, carrying a signed binding as a custom parameter. */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import type { LaunchRecord, ltiRegistrations } from '../db/tables';
import { CLAIM } from './claims';
import { signJwt } from './keys';
import { bindingToken } from './links';

/** What the instructor chose. */
export type DeepLinkChoice = { cohort: { id: string; name: string }; stage: { id: string; title: string } | null };

/** The content item Cadre returns for a choice. */
export function contentItem(ctx: AppContext, registrationId: string, choice: DeepLinkChoice, withLineItem: boolean) {
  const title = choice.stage ? `${choice.cohort.name} — ${choice.stage.title}` : `${choice.cohort.name} — the whole programme`;
  return {
    type: 'ltiResourceLink',
    title,
    text: choice.stage ? `Opens “${choice.stage.title}” in Cadre.` : 'Opens the programme in Cadre.',
    url: `${ctx.config.publicUrl}/lti/launch`,
    custom: { cadre_binding: bindingToken(ctx.config.sessionSecret, registrationId, choice.cohort.id, choice.stage?.id ?? null) },
    ...(withLineItem && choice.stage ? { lineItem: { scoreMaximum: 1, label: `${choice.stage.title} — completion`, resourceId: choice.stage.id, tag: 'cadre-completion' } } : {}),
  };
}

/** Signs the response: iss is the tool's client id, aud the platform, with the request's `data` echoed back. */
export async function deepLinkingResponse(ctx: AppContext, reg: typeof ltiRegistrations.$inferSelect, deploymentId: string, record: LaunchRecord, choice: DeepLinkChoice): Promise<{ jwt: string; returnUrl: string }> {
  const settings = record.deepLink;
  if (!settings) throw new Error('deepLinkingResponse needs a deep linking launch');
  const item = contentItem(ctx, reg.id, choice, settings.acceptLineItem);
  const jwt = await signJwt(ctx.db, {
    iss: reg.clientId,
    aud: reg.issuer,
    nonce: randomUUID(),
    [CLAIM.messageType]: 'LtiDeepLinkingResponse',
    [CLAIM.version]: '1.3.0',
    [CLAIM.deploymentId]: deploymentId,
    [CLAIM.contentItems]: [item],
    [CLAIM.msg]: `Linked ${item.title}.`,
    ...(settings.data !== undefined ? { [CLAIM.data]: settings.data } : {}),
  });
  return { jwt, returnUrl: settings.returnUrl };
}
