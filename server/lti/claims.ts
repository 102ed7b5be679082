/** LTI 1.3 / LTI Advantage names: claim URIs, role URIs, service scopes and media types (IMS Core 1.3, Deep
 * Linking 2.0, NRPS 2.0, AGS 2.0), and the one schema a verified id_token's claims are read with. */
import { z } from 'zod';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

/** Claim names. */
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  launchPresentation: `${LTI}launch_presentation`,
  toolPlatform: `${LTI}tool_platform`,
  deepLinkingSettings: `${DL}deep_linking_settings`,
  contentItems: `${DL}content_items`,
  data: `${DL}data`,
  msg: `${DL}msg`,
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
} as const;

/** OAuth 2 scopes of the services Cadre calls. */
export const SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  memberships: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

/** Media types of the service documents. */
export const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  memberships: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#';
const SYSTEM = 'http://purl.imsglobal.org/vocab/lis/v2/system/person#';

/** What Cadre reads from a launch's roles. */
export type RoleFacts = { learner: boolean; instructor: boolean; institutionAdmin: boolean };

/**
 * Reads LTI role URIs: context Learner; context Instructor, TeachingAssistant (a sub-role of Instructor),
 * ContentDeveloper or Administrator count as teaching staff; institution or system Administrator as an administrator.
 * Short context role names ("Learner", "Instructor") are read too, as LTI 1.3 allows for context roles.
 */
export function readRoles(roles: string[]): RoleFacts {
  const has = (...names: string[]) => roles.some((r) => names.includes(r));
  const staff = ['Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Administrator', 'Mentor'];
  return {
    learner: has(`${MEMBERSHIP}Learner`, 'Learner') || roles.some((r) => r.startsWith(`${MEMBERSHIP}Learner#`)),
    instructor: has(...staff.map((s) => `${MEMBERSHIP}${s}`), ...staff) || roles.some((r) => r.startsWith(`${MEMBERSHIP}Instructor#`)),
    institutionAdmin: has(`${INSTITUTION}Administrator`, `${SYSTEM}Administrator`),
  };
}

/** The role URIs, for tests and the roster (NRPS members carry the same vocabulary). */
export const ROLE = {
  learner: `${MEMBERSHIP}Learner`,
  instructor: `${MEMBERSHIP}Instructor`,
  teachingAssistant: `${MEMBERSHIP}Instructor#TeachingAssistant`,
  institutionAdmin: `${INSTITUTION}Administrator`,
} as const;

const url = z.url({ protocol: /^https?$/ });
const str = z.string().min(1).max(1000);

/** The claims of a verified LtiResourceLinkRequest or LtiDeepLinkingRequest (unknown claims are ignored). */
export const launchClaims = z.object({
  sub: z.string().min(1).max(255),
  name: z.string().max(300).optional(),
  given_name: z.string().max(200).optional(),
  family_name: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  email_verified: z.boolean().optional(),
  [CLAIM.messageType]: z.enum(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']),
  [CLAIM.version]: z.literal('1.3.0'),
  [CLAIM.deploymentId]: str,
  [CLAIM.roles]: z.array(z.string().max(500)).max(100),
  [CLAIM.targetLinkUri]: str.optional(),
  [CLAIM.resourceLink]: z.object({ id: str, title: z.string().max(300).optional() }).optional(),
  [CLAIM.context]: z.object({ id: str, title: z.string().max(300).optional(), label: z.string().max(300).optional() }).optional(),
  [CLAIM.custom]: z.record(z.string(), z.unknown()).optional(),
  [CLAIM.launchPresentation]: z.object({ return_url: z.string().max(1000).optional(), document_target: z.string().max(20).optional() }).optional(),
  [CLAIM.deepLinkingSettings]: z
    .object({
      deep_link_return_url: url,
      accept_types: z.array(z.string().max(100)).max(20).default([]),
      accept_lineitem: z.boolean().optional(),
      data: z.string().max(4000).optional(),
    })
    .optional(),
  [CLAIM.nrps]: z.object({ context_memberships_url: url, service_versions: z.array(z.string()).optional() }).optional(),
  [CLAIM.ags]: z.object({ scope: z.array(z.string()).default([]), lineitems: url.optional(), lineitem: url.optional() }).optional(),
});

/** The claims a launch carries, parsed. */
export type LaunchClaims = z.output<typeof launchClaims>;
