// Removes the run's TMPDIR (test/util/global-setup.js) with everything the tests and the libraries left in it.
'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const dir = process.env.PLATFORM_JEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
