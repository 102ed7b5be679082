/**
 * `npm run db:generate [-- --name <name>]`: generates migrations with drizzle-kit — core's (drizzle.config.ts,
 * server/db/schema → server/db/migrations), then each stage module's own (modules/<key>/schema.ts →
 * modules/<key>/migrations), the way Medusa and Moodle modules own theirs. The loader applies them after core's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const nameAt = process.argv.indexOf('--name');
const name = nameAt > 0 ? process.argv[nameAt + 1] : undefined;
const kit = path.join(root, 'node_modules/.bin/drizzle-kit');
const run = (args: string[]) => execFileSync(kit, ['generate', ...args, ...(name ? [`--name=${name}`] : [])], { cwd: root, stdio: 'inherit' });

console.log('core: server/db/schema → server/db/migrations');
run([]);
for (const key of readdirSync(path.join(root, 'modules')).sort()) {
  const schema = path.join('modules', key, 'schema.ts');
  if (!existsSync(path.join(root, schema))) continue;
  console.log(`${key}: ${schema} → modules/${key}/migrations`);
  run(['--dialect=postgresql', `--schema=./${schema}`, `--out=./modules/${key}/migrations`]);
}
