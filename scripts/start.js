/**
 * `npm start`: runs the production build (`node dist/server/index.js`), building it first when it is missing or
 * older than any source file, so a fresh checkout and an edited one both start the code that is in the tree.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', 'BUILD');
const sources = ['server', 'modules', 'seed', 'scripts', 'views', 'public', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time under `p` (files and folders alike). */
function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const name of readdirSync(p)) max = Math.max(max, newest(path.join(p, name)));
  return max;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const stale = !built || sources.some((s) => existsSync(path.join(root, s)) && newest(path.join(root, s)) > built);
if (stale) {
  process.stdout.write(built ? 'start: sources changed since the last build; building\n' : 'start: no build yet; building\n');
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
require(path.join(root, 'dist', 'server', 'index.js'));
