/** POST /webhooks/zoom-intro: Zoom's signed events (URL validation, participants joining and leaving). */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError, plain, reply, ValidationError, type Db, type StageRuntime, type StageWebhooks } from '../../server/modules/kit';
import { emitAttendance, recordParticipant } from './commands';
import { zoomIntroWebhookEvents } from './schema';
import { challengeResponse, MAX_FUTURE_SKEW_MS, REPLAY_WINDOW_MS, verifyZoomRequest } from './signature';

/**
 * Records a delivery by the SHA-256 of its signed body; false when it was seen before (a replay, or Zoom retrying an
 * event already recorded). Deliveries older than two days are forgotten: by then a replay is refused as stale.
 */
async function firstDelivery(tx: Db, rawBody: Buffer): Promise<boolean> {
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  await tx.delete(zoomIntroWebhookEvents).where(sql`${zoomIntroWebhookEvents.receivedAt} < now() - interval '2 days'`);
  const inserted = await tx.insert(zoomIntroWebhookEvents).values({ bodyHash }).onConflictDoNothing().returning({ bodyHash: zoomIntroWebhookEvents.bodyHash });
  return inserted.length === 1;
}

const refusals = {
  bad: 'The signature does not match.',
  stale: `The request is too old (replay window is ${REPLAY_WINDOW_MS / 60_000} minutes).`,
  future: `The request's timestamp is ahead of this server's clock by more than ${MAX_FUTURE_SKEW_MS / 1000} seconds.`,
} as const;

const maybeText = (max: number) => z.string().max(max).nullish();

/** The part of a Zoom event Cadre reads (anything else Zoom sends is kept out of the way, not refused). */
const zoomEvent = z
  .object({
    event: maybeText(200),
    payload: z
      .object({
        plainToken: maybeText(500),
        object: z
          .object({
            id: z.union([z.string().max(40), z.number()]).nullish(),
            participant: z.object({ email: maybeText(320), join_time: maybeText(64), leave_time: maybeText(64) }).loose().nullish(),
          })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

/**
 * Mounts the webhook; every request must carry a valid Zoom signature with a timestamp inside the window (not too old,
 * not ahead of our clock) or it is refused with 401, and a delivery already recorded is not recorded again.
 */
export function webhookRoutes(r: StageWebhooks, ctx: StageRuntime): void {
  /** Refuses the request unless Zoom signed it (runs before the body is parsed). */
  const verify = (req: Request) => {
    const secret = ctx.config.zoomWebhookSecret;
    // Without a secret nothing can be verified: the endpoint is switched off (404), never open.
    if (!secret) throw new AppError('Zoom webhooks are not configured on this server (set ZOOM_WEBHOOK_SECRET).', 404, 'not_found');
    const verdict = verifyZoomRequest(secret, { timestamp: req.header('x-zm-request-timestamp'), signature: req.header('x-zm-signature') }, req.rawBody);
    if (verdict !== 'ok') {
      req.log.warn({ verdict }, 'zoom webhook refused');
      throw new AppError(refusals[verdict], 401, 'bad_signature');
    }
  };

  r.post(
    '/',
    { summary: 'Zoom webhook: URL validation and participant joined/left (signed with x-zm-signature)', tags: ['zoom-intro'], public: true, body: zoomEvent, authorize: 'public', verify },
    async ({ body }, req) => {
      const secret = ctx.config.zoomWebhookSecret as string; // present: verified above
      if (body.event === 'endpoint.url_validation') {
        const token = body.payload?.plainToken;
        if (!token) throw new ValidationError('plainToken is missing.', [{ field: 'payload.plainToken', message: 'is required' }]);
        return reply(plain(challengeResponse(secret, token)));
      }
      if (body.event === 'meeting.participant_joined' || body.event === 'meeting.participant_left') {
        const p = body.payload?.object?.participant;
        const meetingId = body.payload?.object?.id;
        const when = body.event === 'meeting.participant_joined' ? p?.join_time : p?.leave_time;
        const email = p?.email;
        if (!email || meetingId === undefined || meetingId === null) return reply(plain({ recorded: false, reason: 'no participant e-mail or meeting id' }));
        const at = when && !Number.isNaN(Date.parse(when)) ? new Date(when) : new Date();
        const event = body.event;
        const raw = req.rawBody as Buffer; // present: verified above
        const outcome = await ctx.db.transaction(async (tx) => {
          if (!(await firstDelivery(tx, raw))) return 'duplicate' as const;
          return recordParticipant(tx, { event, meetingId: String(meetingId), email, at });
        });
        // Answered 200 so Zoom stops retrying; nothing is recorded twice.
        if (outcome === 'duplicate') return reply(plain({ recorded: false, duplicate: true }));
        if (outcome) await emitAttendance(ctx, [outcome]);
        return reply(plain({ recorded: !!outcome }));
      }
      return reply(plain({ recorded: false, reason: 'event not used' }));
    },
  );
}
