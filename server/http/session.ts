/** Database-backed sessions and the passport instance for one app. */
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { eq, sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database } from '../db';
import { users } from '../db/tables';
import { loadActor } from '../auth/actor';
import { decoyHash, verifyPassword } from '../auth/passwords';

/** The session cookie's name. */
export const SESSION_COOKIE = 'cadre.sid';

/** express-session middleware storing sessions in the `session` table (PGlite or PostgreSQL). */
export function createSessionMiddleware(database: Database, config: Config) {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: { query: database.query } as unknown as ConstructorParameters<typeof PgStore>[0] extends infer O ? O extends { pool?: infer P } ? P : never : never,
    tableName: 'session',
    createTableIfMissing: false,
    // Pruning is done by us on a timer we can stop (see pruneSessions), so tests and shutdown don't hang.
    pruneSessionInterval: false,
  });
  const middleware = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.env === 'production',
      maxAge: 12 * 3600_000,
    },
  });
  return { middleware, store };
}

/** Deletes expired sessions. */
export async function pruneSessions(database: Database): Promise<void> {
  await database.db.execute(sql`delete from session where expire < now()`);
}

/** A passport instance (never the shared singleton: each app has its own deserializer). */
export function createPassport(database: Database) {
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
        const actor = await loadActor(database.db, user.id);
        return done(null, actor ?? false);
      } catch (err) {
        return done(err);
      }
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser(async (id: string, done) => {
    try {
      done(null, (await loadActor(database.db, id)) ?? false);
    } catch (err) {
      done(err);
    }
  });
  return passport;
}
