/**
 * `npm run build`: compiles the app into `dist/` so that `node dist/server/index.js` runs it without TypeScript.
 * Carries every file the app reads at run time — migrations (core and any a module owns), views, public files,
 * module views and assets, seed media — and makes the migrated PGlite template (`dist/.cache`) that first starts
 * copy instead of running initdb and every migration.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pgliteTemplateDir } from '../server/db/template';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const log = (msg: string) => process.stdout.write(`build: ${msg}\n`);

/** Folders copied whole; in the compiled folders every file that is not TypeScript is copied beside the output. */
const WHOLE = ['views', 'public'];
const COMPILED = ['server', 'modules', 'seed', 'scripts'];

function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function copyNonTypeScript(dir: string): number {
  let copied = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      copied += copyNonTypeScript(full);
    } else if (!/\.tsx?$/.test(name)) {
      cpSync(full, path.join(dist, path.relative(root, full)));
      copied += 1;
    }
  }
  return copied;
}

function main(): void {
  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });
  log('compiling TypeScript (tsc -p tsconfig.build.json)');
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  for (const dir of WHOLE) cpSync(path.join(root, dir), path.join(dist, dir), { recursive: true });
  let copied = 0;
  for (const dir of COMPILED) if (existsSync(path.join(root, dir))) copied += copyNonTypeScript(path.join(root, dir));
  log(`copied ${WHOLE.join(', ')} and ${copied} run-time files (migrations, module views and assets)`);
  // A template in .cache (made by a first `npm run dev`) is complete once it exists under its name: reuse it.
  const dev = pgliteTemplateDir();
  if (existsSync(dev)) {
    cpSync(dev, path.join(dist, path.relative(root, dev)), { recursive: true });
  }
  log('making the migrated PGlite template (dist/.cache)');
  run(process.execPath, [path.join(dist, 'scripts', 'pglite-template.js')]);
  writeFileSync(path.join(dist, 'BUILD'), `${new Date().toISOString()}\n`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: node dist/server/index.js`);
}

main();
