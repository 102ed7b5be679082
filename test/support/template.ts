/** Where the migrated template database for tests lives, keyed by the migrations' content. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrationFolders } from '../../server/db/template';

/** A hash of every migration file — core's and every stage module's folder — so a schema change makes a new template. */
export function migrationsHash(): string {
  const h = createHash('sha256');
  for (const folder of migrationFolders()) {
    h.update(path.relative(path.resolve(__dirname, '../..'), folder));
    for (const f of readdirSync(folder).filter((f) => f.endsWith('.sql')).sort()) h.update(f).update(readFileSync(path.join(folder, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** The PGlite dump file for the current migrations. */
export function pgliteTemplatePath(): string {
  return path.join(os.tmpdir(), `cadre-test-template-${migrationsHash()}.tar`);
}

/** The PostgreSQL template database name for the current migrations. */
export function pgTemplateName(): string {
  return `cadre_tpl_${migrationsHash()}`;
}
