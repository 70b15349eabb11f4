const fs = require('node:fs');
const path = require('node:path');

// Prints one plain closing line, "tests: N passed, N failed", that any CI log reader understands; before it, where
// the browser tests (test/report/browser.test.ts) kept this run's screenshots, when they took any.
class SummaryReporter {
  constructor(globalConfig) {
    this.artifacts = path.join(
      process.env.PLATFORM_TEST_ARTIFACTS ?? path.join(globalConfig.rootDir, 'test-artifacts'),
      'report',
    );
    this.started = Date.now();
  }

  onRunStart() {
    this.started = Date.now();
  }

  onRunComplete(_contexts, results) {
    const shots = this.screenshots();
    if (shots.length > 0) process.stdout.write(`report screenshots: ${this.artifacts} (${shots.join(', ')})\n`);
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`);
  }

  /** The PNGs written into the artifacts folder during this run. */
  screenshots() {
    let names;
    try {
      names = fs.readdirSync(this.artifacts);
    } catch {
      return [];
    }
    return names
      .filter((name) => name.endsWith('.png'))
      .filter((name) => fs.statSync(path.join(this.artifacts, name)).mtimeMs >= this.started - 1000)
      .sort();
  }
}
module.exports = SummaryReporter;
