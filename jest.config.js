/** Jest with @swc/jest: transpile only (type-checking is `npm run typecheck`), CommonJS like the package. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // aws-cdk-lib validates every template against the CloudFormation schemas in app.synth(); unit tests turn
  // it off (one full-synth test turns it back on explicitly).
  setupFiles: ['<rootDir>/test/util/setup-env.ts'],
  // One TMPDIR per run, removed at the end: nothing a test or a library writes to a temporary folder is left behind.
  globalSetup: '<rootDir>/test/util/global-setup.js',
  globalTeardown: '<rootDir>/test/util/global-teardown.js',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/util/summary-reporter.js'],
  // README examples import the package by its published names.
  moduleNameMapper: {
    '^platform-constructs$': '<rootDir>/lib/core',
    '^platform-constructs/(aws|azure)$': '<rootDir>/lib/$1',
  },
};
