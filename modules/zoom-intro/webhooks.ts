/** POST /webhooks/zoom-intro: Zoom's signed events (URL validation, participants joining and leaving). */
import type { Request, Response } from 'express';
import type { CadreRouter, StageRuntime } from '../../server/modules/kit';
import { emitAttendance, recordParticipant } from './commands';
import { challengeResponse, verifyZoomRequest } from './signature';

type ZoomBody = {
  event?: string;
  event_ts?: number;
  payload?: { plainToken?: string; object?: { id?: string | number; participant?: { email?: string; join_time?: string; leave_time?: string } } };
};

/** Mounts the webhook; every request must carry a valid, fresh Zoom signature or it is refused with 401. */
export function webhookRoutes(r: CadreRouter, ctx: StageRuntime): void {
  r.post('/', { summary: 'Zoom webhook: URL validation and participant joined/left (signed with x-zm-signature)', tags: ['zoom-intro'], public: true }, async (req: Request, res: Response) => {
    const secret = ctx.config.zoomWebhookSecret;
    // Without a secret nothing can be verified: the endpoint is switched off (404), never open.
    if (!secret) return void res.status(404).json({ error: { code: 'not_found', message: 'Zoom webhooks are not configured on this server (set ZOOM_WEBHOOK_SECRET).' } });
    const verdict = verifyZoomRequest(secret, { timestamp: req.header('x-zm-request-timestamp'), signature: req.header('x-zm-signature') }, req.rawBody);
    if (verdict !== 'ok') {
      req.log.warn({ verdict }, 'zoom webhook refused');
      return void res.status(401).json({ error: { code: 'bad_signature', message: verdict === 'stale' ? 'The request is too old (replay window is 5 minutes).' : 'The signature does not match.' } });
    }
    const body = (req.body ?? {}) as ZoomBody;
    if (body.event === 'endpoint.url_validation') {
      const token = body.payload?.plainToken;
      if (typeof token !== 'string' || !token) return void res.status(400).json({ error: { code: 'validation_failed', message: 'plainToken is missing.' } });
      return void res.json(challengeResponse(secret, token));
    }
    if (body.event === 'meeting.participant_joined' || body.event === 'meeting.participant_left') {
      const p = body.payload?.object?.participant;
      const meetingId = body.payload?.object?.id;
      const when = body.event === 'meeting.participant_joined' ? p?.join_time : p?.leave_time;
      if (!p?.email || meetingId === undefined) return void res.json({ recorded: false, reason: 'no participant e-mail or meeting id' });
      const at = when && !Number.isNaN(Date.parse(when)) ? new Date(when) : new Date();
      const change = await recordParticipant(ctx.db, { event: body.event, meetingId: String(meetingId), email: p.email, at });
      if (change) emitAttendance(ctx, [change]);
      return void res.json({ recorded: !!change });
    }
    res.json({ recorded: false, reason: 'event not used' });
  });
}
