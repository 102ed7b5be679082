/** The learners' questionnaire: anonymous answers, one per device per course (a first-party cookie whose hash, mixed
 * with the course, is all that is stored), limited per network address through the shared database throttle. */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { RateLimiterRes, type RateLimiterPostgres } from 'rate-limiter-flexible';
import { limiter } from '../auth/rate-limit';
import type { Config } from '../config';
import type { Database, Db } from '../db';
import { impactResponseRatings, impactResponses } from '../db/tables';
import { ConflictError, isPgError, RateLimitedError, ValidationError, type FieldProblem } from '../errors';
import { sha256 } from '../util/canonical';
import type { CourseRow } from './course-queries';
import type { AnswerInput } from './schemas';

/** The limits, exported so tests and documentation agree with the code. A training room often shares one address. */
export const QUESTIONNAIRE_LIMITS = {
  /** Answers sent (accepted or not) from one network address in an hour, across every course. */
  perIpPerHour: 60,
  /** Answers sent to one course in an hour, from anywhere. */
  perCoursePerHour: 300,
} as const;

/** Counts answers per address and per course in the shared `rate_limits` table. */
export class QuestionnaireThrottle {
  private readonly byIp: RateLimiterPostgres;
  private readonly byCourse: RateLimiterPostgres;

  constructor(database: Database) {
    this.byIp = limiter(database, 'questionnaire_ip', QUESTIONNAIRE_LIMITS.perIpPerHour, 3600);
    this.byCourse = limiter(database, 'questionnaire_course', QUESTIONNAIRE_LIMITS.perCoursePerHour, 3600);
  }

  /** Counts one answer; throws RateLimitedError (429, with the wait in words) when either limit is spent. */
  async consume(ip: string, courseId: string): Promise<void> {
    // The address is kept only as a hash, and only until its counter expires.
    const results = await Promise.allSettled([this.byIp.consume(sha256(`ip:${ip}`).slice(0, 40)), this.byCourse.consume(courseId)]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    for (const reason of refused) if (!(reason instanceof RateLimiterRes)) throw reason;
    if (!refused.length) return;
    const wait = Math.max(...refused.map((r) => (r as RateLimiterRes).msBeforeNext));
    const minutes = Math.max(1, Math.ceil(wait / 60_000));
    throw new RateLimitedError(`Too many answers have been sent from here in the last hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, Math.ceil(wait / 1000));
  }
}

/** The device cookie's name (`__Host-` in production: this site only, over HTTPS). */
export function deviceCookieName(config: Config): string {
  return config.env === 'production' ? '__Host-cadre.device' : 'cadre.device';
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The device token from the request's cookie, if it carries a well-formed one. */
export function deviceToken(req: Request, config: Config): string | null {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[deviceCookieName(config)];
  return typeof value === 'string' && TOKEN.test(value) ? value : null;
}

/** Gives the browser a device token (a year long, this site only) unless it has one; returns it. */
export function ensureDeviceToken(req: Request, res: Response, config: Config): string {
  const existing = deviceToken(req, config);
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  res.cookie(deviceCookieName(config), token, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', path: '/', maxAge: 365 * 86_400_000 });
  return token;
}

/** The stored form of a device for one course: answers to two courses from one phone cannot be linked. */
export function deviceHash(token: string, courseId: string): string {
  return sha256(`${courseId}:${token}`);
}

/** Checks an answer against the course's outcomes: every rating before and after, and the safety question. */
export function checkAnswer(course: Pick<CourseRow, 'outcomes'>, input: AnswerInput): { ratings: { position: number; before: number; after: number }[] } {
  const problems: FieldProblem[] = [];
  const values = input as Record<string, number | string | null | undefined>;
  const ratings = course.outcomes.map((outcome, i) => {
    const before = values[`b${i + 1}`];
    const after = values[`a${i + 1}`];
    const short = outcome.length > 70 ? `${outcome.slice(0, 67)}…` : outcome;
    if (typeof before !== 'number') problems.push({ field: `b${i + 1}`, message: `choose how confident you were before the course to “${short}”` });
    if (typeof after !== 'number') problems.push({ field: `a${i + 1}`, message: `choose how confident you are now to “${short}”` });
    return { position: i + 1, before: Number(before), after: Number(after) };
  });
  if (!input.safety) problems.push({ field: 'safety', message: 'choose one answer to the safety question' });
  if (problems.length) throw new ValidationError(`Please answer ${problems.length === 1 ? 'one more question' : `${problems.length} more questions`}.`, problems);
  return { ratings };
}

/** Stores one anonymous answer; a second from the same device is refused with a plain 409. */
export async function recordAnswer(db: Db, course: Pick<CourseRow, 'id' | 'outcomes'>, token: string, input: AnswerInput): Promise<void> {
  const { ratings } = checkAnswer(course, input);
  try {
    await db.transaction(async (tx) => {
      const [row] = await tx.insert(impactResponses).values({ courseId: course.id, deviceHash: deviceHash(token, course.id), safetyAnswer: input.safety as string, changeText: input.change }).returning({ id: impactResponses.id });
      await tx.insert(impactResponseRatings).values(ratings.map((r) => ({ responseId: row.id, ...r })));
    });
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw new ConflictError('You have already answered this questionnaire on this device. Thank you — each person answers once.');
    throw err;
  }
}
