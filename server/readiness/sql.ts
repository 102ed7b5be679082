/** Small helpers for the readiness queries: raw set-based SQL that works on PGlite and PostgreSQL alike. */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';

/** Runs a query and returns its rows typed as `T` (both drivers answer `{ rows }`). */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A uuid[] parameter (one bind value however many ids, so 500 cohorts is still one parameter). */
export function uuidArray(ids: string[]): SQL {
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
}

/** Milliseconds since the epoch for a timestamptz column expression, or null. */
export function epochMs(expr: SQL): SQL {
  return sql`(extract(epoch from ${expr}) * 1000)::float8`;
}
