// ESLint: typescript-eslint's recommended rules; no `any`, no ts-ignore; and the module boundaries (docs/ARCHITECTURE.md).
const tseslint = require('typescript-eslint');
const js = require('@eslint/js');

/**
 * Module boundaries, as `no-restricted-imports` patterns (which match the import text, so one block per folder depth):
 * core (`server/`, `seed/`, `scripts/`) never imports a stage module; a stage module (in `modules/<key>/` or a test
 * fixture's `test/fixtures/modules/<set>/<key>/`) imports core only through `server/modules/kit.ts` and never reaches
 * outside its own folder — so never into another module.
 */
function boundaries() {
  const up = (n) => '../'.repeat(n);
  const blocks = [];
  for (let depth = 0; depth < 6; depth++) {
    const files = (root) => [`${root}/${'*/'.repeat(depth)}*.ts`];
    blocks.push({
      files: [...files('server'), ...files('seed'), ...files('scripts')],
      rules: {
        'no-restricted-imports': ['error', { patterns: [{ group: [`${up(depth + 1)}modules/**`], message: 'Core never imports a stage module: give core what it needs through the manifest (server/modules/types.ts).' }] }],
      },
    });
    // Anything that climbs out of the module's own folder, except the kit itself.
    const moduleRule = (toRoot) => ({
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!${up(depth + toRoot).replace(/\./g, '\\.')}server/modules/kit$)(\\.\\./){${depth + 1}}`,
              message: 'A stage module imports core only through server/modules/kit.ts, and never another module.',
            },
          ],
        },
      ],
    });
    blocks.push({ files: [`modules/*/${'*/'.repeat(depth)}*.ts`], rules: moduleRule(2) });
    blocks.push({ files: [`test/fixtures/modules/*/*/${'*/'.repeat(depth)}*.ts`], rules: moduleRule(5) });
  }
  return blocks;
}

const SQLSTATE = { selector: 'Literal[value=/^[0-9]{2}[0-9A-Z]{3}$/]', message: 'Name the PostgreSQL error code: PG.uniqueViolation, isPgError(err, …) from server/errors.ts.' };
// A formatter costs far more to build than to use: build it once at module level, or use dateFormat().
const INTL = { selector: ':function NewExpression[callee.object.name="Intl"]', message: 'Build Intl formatters once (module level), or use dateFormat() from server/util/dates.ts (the kit).' };
const RAW_JSON = [
  { selector: "CallExpression[callee.property.name='json'][callee.object.name='res']", message: 'Answer through the router: return reply(presentX(…)) (server/http/present.ts).' },
  { selector: "CallExpression[callee.property.name='json'][callee.object.callee.property.name='status']", message: 'Answer through the router: return reply(presentX(…), status).' },
];

// A module route declares its spec (summary, schemas, authorize) — `r.get(path, handler)` is the old, unchecked shape —
// and authorises there, once.
const MODULE_ROUTES = [
  {
    selector: "CallExpression[callee.property.name=/^(get|post|put|patch|delete)$/][arguments.length=2][arguments.1.type=/FunctionExpression$/]",
    message: 'Declare the route: r.get(path, { summary, params?, query?, body?, authorize }, handler) (docs/ARCHITECTURE.md, Request path).',
  },
  { selector: "CallExpression[callee.name='authorize']", message: "Authorise once, in the route's `authorize` (rt.stage.on/onSelf/onRow/onRecordOf, grant()); handlers and commands never authorise again." },
];

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'data/', 'uploads/', 'coverage/', 'server/db/migrations/', 'public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      // A module merges its capabilities into core's ModuleCapabilities with `interface … extends Record<…> {}`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', io: 'readonly', fetch: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', localStorage: 'readonly', navigator: 'readonly', Chart: 'readonly', URL: 'readonly', Date: 'readonly', FormData: 'readonly', location: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', crypto: 'readonly', HTMLElement: 'readonly', sessionStorage: 'readonly' } },
  },
  ...boundaries(),
  {
    // Error catalogue: PostgreSQL error codes are named in server/errors.ts (PG.uniqueViolation), never bare.
    files: ['seed/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', SQLSTATE, INTL] },
  },
  {
    // Module routes run the router's request path too: declared routes (never a bare express handler), JSON only
    // through a presenter, authorised once in the route's `authorize` (never a second authorize() in a handler or
    // command). The live room's role decision is the one shared by its sockets and its routes' authorize.
    files: ['modules/**/*.ts', 'test/fixtures/modules/seventh/**/*.ts', 'test/fixtures/modules/good/**/*.ts'],
    ignores: ['modules/co-delivery/live/access.ts'],
    rules: { 'no-restricted-syntax': ['error', SQLSTATE, INTL, ...RAW_JSON, ...MODULE_ROUTES] },
  },
  {
    files: ['modules/co-delivery/live/access.ts'],
    rules: { 'no-restricted-syntax': ['error', SQLSTATE, INTL, ...RAW_JSON, ...MODULE_ROUTES.slice(0, 1)] },
  },
  {
    // Core routes answer JSON only through the router (reply(presented)), never res.json with a raw row.
    files: ['server/**/*.ts'],
    ignores: ['server/errors.ts', 'server/http/router.ts', 'server/http/errors.ts', 'server/util/dates.ts'],
    rules: { 'no-restricted-syntax': ['error', SQLSTATE, INTL, ...RAW_JSON] },
  },
  { files: ['*.js', 'scripts/**/*.js'], languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
