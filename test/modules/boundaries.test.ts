/** The module boundaries and the module-route shape are enforced by ESLint: planted violations fail, the allowed shape and the whole tree pass. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(240_000);

const root = path.resolve(__dirname, '../..');

type Lint = { file: string; line: number; message: string }[];

// ESLint's Node API loads its config with a dynamic import, which jest's VM refuses: run it in a child Node process.
const runner = `
const { ESLint } = require('eslint');
const path = require('node:path');
(async () => {
  const job = JSON.parse(process.argv[1]);
  const eslint = new ESLint({ cwd: process.cwd() });
  const results = job.text !== undefined ? await eslint.lintText(job.text, { filePath: path.resolve(job.filePath) }) : await eslint.lintFiles(job.files);
  const out = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => ({ file: path.relative(process.cwd(), r.filePath), line: m.line, message: m.message })));
  process.stdout.write(JSON.stringify({ files: results.length, violations: out }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

async function lint(job: { text: string; filePath: string } | { files: string[] }): Promise<{ files: number; violations: Lint }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', runner, JSON.stringify(job)], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as { files: number; violations: Lint };
}

/** Lints a fixture's text (kept as .ts.txt so the compiler and the tree's lint skip it) as if it were the file at `plantedAt`. */
async function boundaryErrors(fixture: string, plantedAt: string): Promise<string[]> {
  const text = readFileSync(path.join(root, 'test/fixtures/boundaries', `${fixture}.txt`), 'utf8');
  return (await lint({ text, filePath: plantedAt })).violations.map((v) => v.message);
}

describe('module boundaries (eslint.config.js)', () => {
  it('fails a module that imports a core file other than the kit', async () => {
    expect(await boundaryErrors('module-reaches-core.ts', 'modules/co-delivery/planted.ts')).toEqual([expect.stringContaining('A stage module imports core only through server/modules/kit.ts')]);
  });

  it('fails a module that imports another module, from a sub-folder and from a test fixture module too', async () => {
    expect(await boundaryErrors('module-reaches-module.ts', 'modules/co-delivery/live/planted.ts')).toEqual([expect.stringContaining('never another module')]);
    expect(await boundaryErrors('module-reaches-module.ts', 'test/fixtures/modules/good/fixture-stage/sub/planted.ts')).toHaveLength(1);
  });

  it('fails core that imports a stage module, even for a type', async () => {
    expect(await boundaryErrors('core-reaches-module.ts', 'server/signoffs/planted.ts')).toEqual([expect.stringContaining('Core never imports a stage module')]);
    expect(await boundaryErrors('core-reaches-module.ts', 'seed/sub/planted.ts')).toHaveLength(1);
  });

  it('fails a module route in the old shape: an undeclared handler, a second authorize and a raw res.json', async () => {
    const messages = await boundaryErrors('module-old-route.ts', 'modules/co-delivery/planted.ts');
    expect(messages).toEqual([expect.stringContaining('Declare the route'), expect.stringContaining('Authorise once'), expect.stringContaining('Answer through the router')]);
  });

  it('passes the kit and imports within the module', async () => {
    expect(await boundaryErrors('module-uses-kit.ts', 'modules/co-delivery/live/planted.ts')).toEqual([]);
  });

  it('passes the whole tree', async () => {
    const { files, violations } = await lint({ files: ['server', 'modules', 'seed', 'scripts', 'test/fixtures/modules'] });
    expect(violations).toEqual([]);
    expect(files).toBeGreaterThan(100);
  });
});
