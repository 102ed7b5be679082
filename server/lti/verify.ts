/** Verifying a platform's id_token: its key set (cached per platform, fetched again for an unknown `kid`), the
 * signature, iss, aud/azp, exp/iat with a small skew, the single-use state and nonce, message type, version and
 * deployment. Every refusal is an `LtiRefusal` whose message says what was wrong. */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { ltiLoginStates, ltiRegistrations } from '../db/tables';
import { AppError } from '../errors';
import { CLAIM, launchClaims, type LaunchClaims } from './claims';
import { knowsDeployment } from './registrations';

/** Seconds of clock difference tolerated on exp and iat. */
export const CLOCK_SKEW_SECONDS = 60;
/** An id_token issued longer ago than this is refused, whatever its exp says. */
export const MAX_TOKEN_AGE_SECONDS = 600;

/** Why a launch was refused: a stable code (logged, tested) and a sentence for the person. */
export class LtiRefusal extends AppError {
  constructor(
    message: string,
    code: string,
    status = 400,
    public readonly detail: Record<string, unknown> = {},
  ) {
    super(message, status, `lti_${code}`);
  }
}

/** SHA-256 hex of a secret (states and entry tokens are stored this way). */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** Platforms' key sets, one cache per JWKS address; a `kid` not in the cache fetches the set again (at most once per
 * `cooldownMs`). */
export class PlatformKeys {
  private readonly sets = new Map<string, KeySet>();

  constructor(private readonly options: { cooldownMs: number; cacheMaxAgeMs: number } = { cooldownMs: 30_000, cacheMaxAgeMs: 600_000 }) {}

  /** The key set behind `jwksUrl`. */
  for(jwksUrl: string): KeySet {
    let set = this.sets.get(jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: this.options.cooldownMs, cacheMaxAge: this.options.cacheMaxAgeMs, timeoutDuration: 5000 });
      this.sets.set(jwksUrl, set);
    }
    return set;
  }
}

/** What a verified launch gives: the registration, the deployment and the claims. */
export type VerifiedLaunch = { registration: typeof ltiRegistrations.$inferSelect; deploymentId: string; claims: LaunchClaims; targetLinkUri: string };

function joseRefusal(err: unknown, reg: { issuer: string; clientId: string }, kid: string | undefined): LtiRefusal {
  if (err instanceof errors.JWSSignatureVerificationFailed) return new LtiRefusal('The launch’s signature does not match the platform’s key. The launch may have been altered on the way; launch Cadre again from your course.', 'bad_signature', 401);
  if (err instanceof errors.JWKSNoMatchingKey) return new LtiRefusal(`The launch was signed with a key (key id “${kid ?? 'none'}”) that the platform’s published key set does not list. Check the platform key set address in the registration.`, 'unknown_kid', 401, { kid });
  if (err instanceof errors.JWKSMultipleMatchingKeys) return new LtiRefusal('The platform’s key set lists more than one key for this launch’s key id.', 'ambiguous_kid', 401, { kid });
  if (err instanceof errors.JWTExpired) return new LtiRefusal('The launch has expired (its id_token is past its expiry time). Launch Cadre again from your course.', 'expired', 401);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new LtiRefusal(`The launch says it comes from another platform than the one this login started with (${reg.issuer}).`, 'wrong_issuer', 401);
    if (err.claim === 'aud') return new LtiRefusal(`The launch is addressed to another tool: its audience does not include this registration’s client id (${reg.clientId}).`, 'wrong_audience', 401);
    if (err.claim === 'iat') return new LtiRefusal('The launch’s issue time is in the future or too long ago. Check the platform’s clock, then launch again.', 'bad_iat', 401);
    return new LtiRefusal(`The launch’s “${err.claim}” claim is not acceptable: ${err.reason}.`, 'bad_claim', 401, { claim: err.claim });
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new LtiRefusal('The launch is signed with an algorithm Cadre does not accept (RS256 is required).', 'bad_algorithm', 401);
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError) return new LtiRefusal('Cadre could not read the platform’s public key set. Check the key set address in the registration; the platform may be unreachable.', 'platform_keys_unreachable', 502);
  if (err instanceof errors.JOSEError) return new LtiRefusal(`The launch’s id_token could not be verified (${err.code}).`, 'invalid_token', 401);
  throw err;
}

/** Verifies a launch POST (`id_token` and `state`) and uses up its state; throws LtiRefusal. */
export async function verifyLaunch(db: Db, keys: PlatformKeys, input: { idToken?: unknown; state?: unknown }): Promise<VerifiedLaunch> {
  const { idToken, state } = input;
  if (typeof idToken !== 'string' || !idToken) return refuse('The platform sent no id_token. Launch Cadre from your course (a link to this address on its own does not work).', 'no_token');
  if (typeof state !== 'string' || !state || state.length > 200) return refuse('The launch carries no state. Launch Cadre again from your course.', 'no_state');
  let header: { kid?: string };
  try {
    header = decodeProtectedHeader(idToken);
    decodeJwt(idToken);
  } catch {
    return refuse('The id_token is not a readable JSON Web Token.', 'malformed');
  }
  const stateHash = digest(state);
  const [login] = await db.select().from(ltiLoginStates).where(eq(ltiLoginStates.stateHash, stateHash));
  if (!login) return refuse('This launch was not started from Cadre’s login step (its state is unknown). Launch Cadre again from your course.', 'unknown_state');
  if (login.usedAt) return refuse('This launch has been used already: a launch works once. Launch Cadre again from your course.', 'replayed');
  if (login.expiresAt < new Date()) return refuse('This launch took too long and has expired. Launch Cadre again from your course.', 'expired_state');
  const [registration] = await db.select().from(ltiRegistrations).where(eq(ltiRegistrations.id, login.registrationId));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys.for(registration.jwksUrl), {
      issuer: registration.issuer,
      audience: registration.clientId,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
    }));
  } catch (err) {
    throw joseRefusal(err, registration, header.kid);
  }
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) return refuse('The launch’s issue time is in the future. Check the platform’s clock, then launch again.', 'bad_iat', 401);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== registration.clientId) {
    return refuse(`The launch names another authorised party (azp) than this registration’s client id (${registration.clientId}).`, 'wrong_azp', 401);
  }
  if (payload.nonce !== login.nonce) return refuse('The launch’s nonce does not belong to this login: it was made for another launch, or replayed.', 'replayed', 401);
  const type = payload[CLAIM.messageType];
  if (type !== 'LtiResourceLinkRequest' && type !== 'LtiDeepLinkingRequest') {
    return refuse(`The platform sent a “${String(type ?? 'missing')}” message; Cadre takes resource link launches and deep linking requests.`, 'wrong_message_type');
  }
  if (payload[CLAIM.version] !== '1.3.0') return refuse(`The launch says LTI version “${String(payload[CLAIM.version] ?? 'missing')}”; Cadre speaks LTI 1.3.0.`, 'wrong_version');
  const deploymentId = payload[CLAIM.deploymentId];
  if (typeof deploymentId !== 'string' || !(await knowsDeployment(db, registration.id, deploymentId))) {
    return refuse(`The launch comes from a deployment (“${String(deploymentId ?? 'missing')}”) this registration does not list. Add the deployment id to the platform registration in Cadre.`, 'unknown_deployment', 403, { deploymentId });
  }
  const parsed = launchClaims.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(`The launch’s “${issue.path.join('.') || 'claims'}” is not as LTI 1.3 requires: ${issue.message}.`, 'bad_claims');
  }
  if (type === 'LtiResourceLinkRequest' && !parsed.data[CLAIM.resourceLink]) return refuse('The launch names no resource link.', 'bad_claims');
  if (type === 'LtiDeepLinkingRequest' && !parsed.data[CLAIM.deepLinkingSettings]) return refuse('The deep linking request carries no deep linking settings.', 'bad_claims');
  // Use the state up only now, so a forged request cannot spend a real person's state; two racing uses: one wins.
  const used = await db
    .update(ltiLoginStates)
    .set({ usedAt: new Date() })
    .where(and(eq(ltiLoginStates.stateHash, stateHash), isNull(ltiLoginStates.usedAt), gt(ltiLoginStates.expiresAt, new Date())))
    .returning({ s: ltiLoginStates.stateHash });
  if (!used.length) return refuse('This launch has been used already: a launch works once. Launch Cadre again from your course.', 'replayed');
  return { registration, deploymentId, claims: parsed.data, targetLinkUri: login.targetLinkUri };
}

function refuse(message: string, code: string, status = 400, detail: Record<string, unknown> = {}): never {
  throw new LtiRefusal(message, code, status, detail);
}
