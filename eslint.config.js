// ESLint: typescript-eslint's recommended rules; no `any`, no ts-ignore.
const tseslint = require('typescript-eslint');
const js = require('@eslint/js');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'uploads/', 'coverage/', 'server/db/migrations/', 'public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', io: 'readonly', fetch: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', localStorage: 'readonly', navigator: 'readonly', Chart: 'readonly', URL: 'readonly', Date: 'readonly', FormData: 'readonly', location: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', crypto: 'readonly', HTMLElement: 'readonly', sessionStorage: 'readonly' } },
  },
  { files: ['*.js', 'scripts/**/*.js'], languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
