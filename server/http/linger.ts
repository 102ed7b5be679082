/** Answers that come before the request's body was read reach the client.
 *
 * A refusal sent before an upload is parsed (authorisation, CSRF, the sign-in redirect) is answered while the client
 * is still sending. On a connection that closes after the answer, the rest of the body meets a closed socket and the
 * client sees a reset (EPIPE, ECONNRESET) instead of the sentence that says why. Like nginx's lingering close, the
 * answer to a small unread body waits until the body has arrived (read and thrown away), up to a bound in bytes and
 * time; a larger body is answered at once, since reading gigabytes for someone who may not upload is worse. */
import type { RequestHandler, Response } from 'express';

export type LingerOptions = {
  /** Bodies up to this declared length are read before the answer is sent. */
  maxBytes: number;
  /** The longest the answer waits for the rest of the body. */
  maxMs: number;
};

export function answerAfterBody({ maxBytes, maxMs }: LingerOptions): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    if (!(length > 0 && length <= maxBytes)) return next();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (req.complete || req.destroyed) return end(...args);
      let sent = false;
      const send = () => {
        if (sent) return;
        sent = true;
        clearTimeout(timer);
        req.off('end', send).off('close', send).off('error', send);
        end(...args);
      };
      const timer = setTimeout(send, maxMs);
      req.once('end', send).once('close', send).once('error', send);
      req.resume();
      return res;
    }) as Response['end'];
    next();
  };
}
