/** drizzle-kit configuration: one schema (core + every module's prefixed tables), one migrations folder. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./server/db/schema/*.ts', './modules/*/schema.ts'],
  out: './server/db/migrations',
});
