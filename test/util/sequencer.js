// Runs the slowest test files first, so that no worker is left with a long file at the end of the run while the
// other idles. Jest does this by itself from the durations of the previous run, but only where that run's cache
// is: a clean clone (CI) has none, and would otherwise order by file size, which puts a 30 s file after many 1 s
// ones. Known durations (seconds, measured on the 2-core machine) stand in until the cache has real ones.
'use strict';
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Files that take 2 s or more, by path relative to the repository root; every other file counts as quick. Only the
 * order matters: refresh from `npx jest --json --outputFile=f.json` (endTime - startTime per file) when it changes.
 */
const KNOWN_SECONDS = {
  'test/package/pack.test.ts': 50,
  'test/bin/cli/synth.test.ts': 30,
  'test/bin/cli/review.test.ts': 16,
  'test/docs/api-reference.test.ts': 9,
  'test/bin/cli/synth-faults.test.ts': 15,
  'test/review/scenarios.test.ts': 14,
  'test/bin/cli/output-swap.test.ts': 12,
  'test/bin/cli/check.test.ts': 6,
  'test/stacks/aws.test.ts': 6,
  'test/repo/cli-tools.test.ts': 5.5,
  'test/repo/cli.test.ts': 3,
  'test/stacks/aws-guardrails.test.ts': 3,
  'test/aws/server.test.ts': 2.5,
  'test/aws/scheduled-job.test.ts': 2.5,
  'test/aws/container-service.test.ts': 2.5,
  'test/examples/examples.test.ts': 2.5,
  'test/review/aws-synth.test.ts': 2,
  'test/repo/boundaries.test.ts': 2,
  'test/bin/cli/golden.test.ts': 2,
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const estimate = (test) => {
      const cached = this.time(test);
      if (cached != null) return cached;
      const known = KNOWN_SECONDS[path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/')];
      return known === undefined ? undefined : known * 1000;
    };
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    const keyed = tests.map((test) => {
      // As the default sequencer does: the scheduler reads the last run's duration here.
      test.duration = this.time(test);
      return { test, failed: this.hasFailed(test), ms: estimate(test), size: size(test) };
    });
    keyed.sort(
      (a, b) =>
        // Files that failed last time first, for the quickest feedback; then the longest; then the largest.
        Number(b.failed) - Number(a.failed) ||
        (b.ms ?? -1) - (a.ms ?? -1) ||
        b.size - a.size ||
        (a.test.path < b.test.path ? -1 : 1),
    );
    return keyed.map((k) => k.test);
  }
}

module.exports = SlowFirstSequencer;
