/** A fresh, migrated database per test file: PGlite copied from the template, or (with DATABASE_URL) a new
 * PostgreSQL database created from the template database. */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { openPglite, openPostgres, type Database } from '../../server/db';
import { pgliteTemplatePath, pgTemplateName } from './template';

/** A test database and how to clean and drop it. */
export type TestDatabase = Database & { url?: string; truncateAll(): Promise<void>; drop(): Promise<void> };

/** Opens a new database for one test file. */
export async function openTestDatabase(): Promise<TestDatabase> {
  let database: Database;
  let url: string | undefined;
  let dropper: () => Promise<void> = async () => {};
  if (process.env.DATABASE_URL) {
    const name = `cadre_t_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(process.env.DATABASE_URL, { max: 1 });
    await admin.query(`create database ${name} template ${pgTemplateName()}`);
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    database = await openPostgres(url, { max: 10 });
    dropper = async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    };
  } else {
    const blob = new Blob([readFileSync(pgliteTemplatePath())]);
    database = await openPglite({ loadDataDir: blob });
  }
  const close = database.close;
  let closed = false;
  return {
    ...database,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
    async truncateAll() {
      const rows = await database.query(`select tablename from pg_tables where schemaname = 'public'`);
      const names = rows.rows.map((r) => `"${String(r.tablename)}"`).filter((n) => n !== '"socket_io_attachments"');
      if (!names.length) return;
      // The app's own after-commit work (e-mails sent after an answer, job workers) may still be writing when a test
      // clears the tables: on PostgreSQL the TRUNCATE can then lose a deadlock. It is retried, as that work ends.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await database.db.execute(sql.raw(`truncate ${names.join(', ')} restart identity cascade`));
          return;
        } catch (err) {
          const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
          if (code !== '40P01' || attempt >= 5) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    },
    async drop() {
      if (!closed) {
        closed = true;
        await close();
      }
      await dropper();
    },
  };
}
