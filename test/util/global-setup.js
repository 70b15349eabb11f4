// Every test process gets one temporary folder of its own as TMPDIR, removed when the run ends: aws-cdk-lib and
// cdktf create a folder for every App synthesized without an output folder, and the suite synthesizes thousands.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-jest-'));
  // Readable like /tmp itself: a test runs a synthesis as an unprivileged user (test/bin/cli/synth-faults.test.ts),
  // which must reach the folders it is given inside this one.
  fs.chmodSync(dir, 0o755);
  process.env.PLATFORM_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // The synthesis cache of the run, not the checkout's (node_modules/.cache): no test reuses what a developer's own
  // npm run synth left, and nothing is left behind.
  process.env.PLATFORM_SYNTH_CACHE = path.join(dir, 'synth-cache');
  // Every synthesis a test starts runs in its own process unless the test asks for workers (--jobs 2): jest already
  // keeps every core busy, and a worker per core for each of them would only add processes loading aws-cdk-lib.
  process.env.PLATFORM_SYNTH_JOBS ??= '1';
};
