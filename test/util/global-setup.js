// Every test process gets one temporary folder of its own as TMPDIR, removed when the run ends: aws-cdk-lib and
// cdktf create a folder for every App synthesized without an output folder, and the suite synthesizes thousands.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-jest-'));
  // Readable like /tmp itself: a test runs a synthesis as an unprivileged user (test/stacks/synth-faults.test.ts),
  // which must reach the folders it is given inside this one.
  fs.chmodSync(dir, 0o755);
  process.env.PLATFORM_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
