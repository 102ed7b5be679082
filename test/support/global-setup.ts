/** Runs once per jest run: builds a migrated template database that each test file copies (fast, isolated). */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { migrateDatabase, openPglite, openPostgres } from '../../server/db';
import { pgliteTemplatePath, pgTemplateName } from './template';

export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const admin = await openPostgres(process.env.DATABASE_URL, { max: 1 });
    const name = pgTemplateName();
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rows.length) {
      await admin.query(`create database ${name}`);
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${name}`;
      const tpl = await openPostgres(url.toString(), { max: 1 });
      await migrateDatabase(tpl);
      await tpl.close();
    }
    await admin.close();
    return;
  }
  const file = pgliteTemplatePath();
  if (existsSync(file)) return;
  const db = await openPglite();
  await migrateDatabase(db);
  if (!db.dump) throw new Error("PGlite database without dump()");
  const dump = await db.dump();
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  await db.close();
}
