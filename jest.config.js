/** Jest: swc transform, one PGlite per test file (loaded from a migrated template), e2e as its own project. */
const esm = ['file-type', 'strtok3', 'token-types', 'peek-readable', '@tokenizer', 'uint8array-extras', '@borewit', '@electric-sql/pglite', 'jose'];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj|cj)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  moduleNameMapper: { '^file-type$': '<rootDir>/node_modules/file-type/index.js' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 30000,
};
module.exports = {
  // PGlite's WebAssembly runtime keeps the event loop alive for a moment after close; don't wait on it.
  forceExit: true,
  // jest applies testTimeout globally (a project-level value is ignored); PGlite start-up on a busy 2-core box needs room.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'app', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/e2e/'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testTimeout: 120000 },
  ],
};
