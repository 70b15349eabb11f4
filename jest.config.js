/** Jest with @swc/jest: transpile only (type-checking is `npm run typecheck`), CommonJS like the package. */
/** @type {import('jest').Config} */
module.exports = {
  // Node, with the stack traces libraries record for themselves not source-mapped (test/util/environment.js).
  testEnvironment: '<rootDir>/test/util/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
    // @hpcc-js/wasm-graphviz ships ES modules only, which Node 20 requires natively but jest's module loader does
    // not: transpile that one package to CommonJS as well.
    '/node_modules/@hpcc-js/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@hpcc-js/)'],
  // aws-cdk-lib validates every template against the CloudFormation schemas in app.synth(); unit tests turn
  // it off (one full-synth test turns it back on explicitly).
  setupFiles: ['<rootDir>/test/util/setup-env.ts'],
  // One TMPDIR per run, removed at the end: nothing a test or a library writes to a temporary folder is left behind.
  globalSetup: '<rootDir>/test/util/global-setup.js',
  globalTeardown: '<rootDir>/test/util/global-teardown.js',
  testTimeout: 60000,
  // Both cores: jest's default leaves one for itself (cores - 1), which on this 2-core machine runs every file in
  // one process while the other core idles.
  maxWorkers: 2,
  // The slowest files first, also on a clean clone with no timings from an earlier run.
  testSequencer: '<rootDir>/test/util/sequencer.js',
  reporters: ['default', '<rootDir>/test/util/summary-reporter.js'],
  // README examples import the package by its published names.
  moduleNameMapper: {
    '^platform-constructs$': '<rootDir>/lib/core',
    '^platform-constructs/(aws|azure)$': '<rootDir>/lib/$1',
  },
};
