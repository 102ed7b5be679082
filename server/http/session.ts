/** Database-backed sessions and the passport instance for one app. */
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { eq, sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database } from '../db';
import { users } from '../db/tables';
import type { Express, Request, RequestHandler } from 'express';
import { loadActor } from '../auth/actor';
import type { ActorCache } from '../auth/authority';
import { decoyHash, verifyPassword } from '../auth/passwords';
import { expectScopes, expectedVersions } from '../db/versions';

/** The session cookie's name. */
export const SESSION_COOKIE = 'cadre.sid';

/** How long a session lasts without use, and at most from login. */
export const SESSION_IDLE_MS = 4 * 3600_000;
/** A session ends this long after login however active it is (a new login starts a new one). */
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
/** An unchanged session's expiry is pushed back (one `UPDATE session`) at most this often. */
export const TOUCH_INTERVAL_MS = 60_000;

declare module 'express-session' {
  interface SessionData {
    /** When the person logged in (epoch ms), for the absolute lifetime. */
    startedAt?: number;
  }
}

const PgStore = connectPgSimple(session);
/** At most this many session rows are held between two writes on the embedded database. */
const HELD_SESSIONS = 10_000;
/** The session row (if live) and the data versions of the scopes `$2` (as `server/db/versions.ts` reads them): one row. */
const SESSION_WITH_VERSIONS = `select s.sess, s.expire,
  (select json_object_agg(v.scope, v.version::text) from data_versions v where v.scope = any($2::text[])) as versions
  from (values (1)) as one left join session s on s.sid = $1 and s.expire >= now()`;
/** A page of a cohort (its id in the path) reads that cohort's data versions. */
const COHORT_PATH = /^\/cohorts\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/;

/**
 * connect-pg-simple, but an unchanged session is touched at most once per TOUCH_INTERVAL_MS: express-session calls
 * `touch` on every request whose session did not change, which would be one UPDATE per page view. `get` remembers
 * the stored expiry so `touch` can tell how recently it was pushed back. On the embedded database, rows read are held
 * until this process sends its next write (nothing else writes it, see `Database.writesSent`): a page view between
 * writes reads its session from memory, and any write — a login, a logout, a password change ending sessions —
 * makes the next read ask the database.
 */
class ThrottledPgStore extends PgStore {
  private readonly storedExpiry = new Map<string, number>();
  /** Embedded only: session rows read since the write count was `at` (the row's JSON, parsed afresh for each request,
   * which express-session changes). */
  private held = { at: -1, rows: new Map<string, { json: string; expire: number }>() };

  constructor(
    private readonly database: Database,
    options: ConstructorParameters<typeof PgStore>[0],
  ) {
    super(options);
  }

  override get(sid: string, fn: (err: unknown, session?: session.SessionData | null) => void): void {
    const at = this.database.writesSent?.();
    if (at !== undefined && this.held.at !== at) this.held = { at, rows: new Map() };
    const kept = at === undefined ? undefined : this.held.rows.get(sid);
    if (kept && kept.expire >= Date.now()) return fn(null, JSON.parse(kept.json) as session.SessionData);
    // PostgreSQL, a page of a cohort: the cohort's data versions come in the same statement as the session row.
    const versions = at === undefined ? expectedVersions() : undefined;
    const read = versions
      ? this.database.query(SESSION_WITH_VERSIONS, [sid, `{${versions.scopes.map((s) => `"${s}"`).join(',')}}`], { name: 'cadre_session_get_versions' })
      : this.database.query('select sess, expire from session where sid = $1 and expire >= now()', [sid], { name: 'cadre_session_get' });
    read
      .then(({ rows }) => {
        const row = rows[0];
        if (versions && row) {
          const read = (typeof row.versions === 'string' ? JSON.parse(row.versions) : row.versions ?? {}) as Record<string, string>;
          versions.prime(new Map(versions.scopes.map((s) => [s, read[s] ?? '0'])));
        }
        if (!row?.sess) return fn(null, null);
        const expire = new Date(row.expire as string | Date).getTime();
        this.remember(sid, expire);
        const json = typeof row.sess === 'string' ? row.sess : JSON.stringify(row.sess);
        // Held only if nothing was written while it was read (such a write may or may not be in what it read).
        if (at !== undefined && this.database.writesSent?.() === at && this.held.at === at && this.held.rows.size < HELD_SESSIONS) {
          this.held.rows.set(sid, { json, expire });
        }
        fn(null, JSON.parse(json) as session.SessionData);
      })
      .catch((err: unknown) => fn(err));
  }

  override touch(sid: string, sess: session.SessionData, fn?: (err?: unknown) => void): void {
    const stored = this.storedExpiry.get(sid);
    const next = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + SESSION_IDLE_MS;
    if (stored !== undefined && next - stored < TOUCH_INTERVAL_MS) return fn?.();
    this.remember(sid, next);
    super.touch(sid, sess, fn as () => void);
  }

  override set(sid: string, sess: session.SessionData, fn?: (err?: unknown) => void): void {
    this.remember(sid, sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + SESSION_IDLE_MS);
    super.set(sid, sess, fn as () => void);
  }

  override destroy(sid: string, fn?: (err?: unknown) => void): void {
    this.storedExpiry.delete(sid);
    super.destroy(sid, fn as () => void);
  }

  private remember(sid: string, expiry: number): void {
    this.storedExpiry.delete(sid);
    if (this.storedExpiry.size >= 50_000) this.storedExpiry.delete(this.storedExpiry.keys().next().value as string);
    this.storedExpiry.set(sid, expiry);
  }
}

/** express-session middleware storing sessions in the `session` table (PGlite or PostgreSQL). */
export function createSessionMiddleware(database: Database, config: Config) {
  const store = new ThrottledPgStore(database, {
    pool: { query: database.query } as unknown as ConstructorParameters<typeof PgStore>[0] extends infer O ? O extends { pool?: infer P } ? P : never : never,
    tableName: 'session',
    createTableIfMissing: false,
    // Pruning is done by us on a timer we can stop (see pruneSessions), so tests and shutdown don't hang.
    pruneSessionInterval: false,
    // The idle lifetime lives here, in the stored expiry (pushed back by `touch`), not in the cookie.
    ttl: SESSION_IDLE_MS / 1000,
  });
  const middleware = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    // A browser-session cookie (no Expires; OWASP's advice for session ids): it goes when the browser closes, and
    // the session ends on the server after SESSION_IDLE_MS unused (its stored expiry, pushed back at most once a
    // minute) or SESSION_ABSOLUTE_MS after login. So the cookie is sent once, at login, not re-signed on every answer.
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.env === 'production',
    },
  });
  if (database.kind === 'pglite') return { middleware, store };
  // PostgreSQL: a page of a cohort expects that cohort's data versions, read with the session row (see `get`).
  const withVersions: RequestHandler = (req, res, next) => {
    const cohort = COHORT_PATH.exec(req.path)?.[1];
    if (cohort) expectScopes([cohort]);
    middleware(req, res, next);
  };
  return { middleware: withVersions, store };
}

/** Ends a session that is past its absolute lifetime (or predates it): the person logs in again. */
export const sessionLifetime: RequestHandler = (req, _res, next) => {
  const s = req.session as (session.Session & Partial<session.SessionData> & { passport?: { user?: string } }) | undefined;
  if (!s?.passport?.user) return next();
  if (s.startedAt && Date.now() - s.startedAt < SESSION_ABSOLUTE_MS) return next();
  s.regenerate((err) => next(err));
};

/** Deletes every session of a user (but `keepSessionId`); returns the ended session ids (to disconnect their sockets). */
export async function endUserSessions(database: Database, userId: string, keepSessionId?: string): Promise<string[]> {
  const { rows } = await database.query(`delete from session where sess->'passport'->>'user' = $1 and sid <> $2 returning sid`, [userId, keepSessionId ?? '']);
  return rows.map((r) => String(r.sid));
}

/** Deletes expired sessions. */
export async function pruneSessions(database: Database): Promise<void> {
  await database.db.execute(sql`delete from session where expire < now()`);
}

/** The organisation a login session's actor is confined to, if any (an LTI session acts only inside its platform's
 * organisation): read on every request and every socket event, so the confinement can never be skipped. */
export type SessionConfinement = (session: Partial<session.SessionData> | undefined) => string | undefined;

/** A passport instance (never the shared singleton: each app has its own deserializer). */
export function createPassport(database: Database, actors: ActorCache, confinement: SessionConfinement = () => undefined) {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, async (email, password, done) => {
      try {
        const [user] = await database.db
          .select({ id: users.id, hash: users.passwordHash, status: users.status })
          .from(users)
          .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
        if (!user) {
          await verifyPassword(await decoyHash, password);
          return done(null, false);
        }
        const ok = await verifyPassword(user.hash, password);
        if (!ok || user.status !== 'active') return done(null, false);
        const actor = await loadActor(database.db, user.id, actors.capabilities);
        return done(null, actor ?? false);
      } catch (err) {
        return done(err);
      }
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser(async (req: Request, id: string, done: (err: unknown, user?: Express.User | false) => void) => {
    try {
      done(null, (await actors.get(id, confinement(req.session))) ?? false);
    } catch (err) {
      done(err);
    }
  });
  return passport;
}

// passport's request helpers (logIn, logOut, isAuthenticated), which its middleware adds to every request.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const passportRequest = require('passport/lib/http/request') as Record<string, unknown>;

/**
 * `passport.session()` for the app's pages: the login session's person as `req.user`, through the passport
 * instance's own deserializer (fresh roles from the actor cache, confined for an LTI session), and a session whose
 * person is gone loses its login — as passport's session strategy does, without the strategy object it makes for each
 * request and the seven properties it adds to each one: the request helpers are put on `app`'s request prototype once.
 * (Socket handshakes, on bare requests, use `passport.session()` itself.)
 */
export function sessionUser(app: Express, passport: ReturnType<typeof createPassport>): RequestHandler {
  Object.assign(app.request, passportRequest, { _sessionManager: (passport as unknown as { _sm: unknown })._sm });
  return (req, _res, next) => {
    const login = (req.session as { passport?: { user?: unknown } } | undefined)?.passport;
    if (login?.user === undefined || login.user === null) return next();
    passport.deserializeUser(login.user, req, (err: unknown, user?: Express.User | false) => {
      if (err) return next(err);
      if (user) req.user = user;
      else delete login.user;
      next();
    });
  };
}
