// Removes the run's TMPDIR (test/util/global-setup.js) with everything the tests and the libraries left in it,
// after ending the shared synthesis (test/util/shared-synthesis.ts) if the run ended before it did.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalTeardown() {
  const dir = process.env.PLATFORM_JEST_TMPDIR;
  if (!dir) return;
  const shared = path.join(dir, 'shared-synthesis');
  // validated.json is its last result: once it is there, the process is done and its id may be another's.
  if (fs.existsSync(shared) && !fs.existsSync(path.join(shared, 'validated.json'))) {
    try {
      const pid = Number(fs.readFileSync(path.join(shared, 'pid'), 'utf8'));
      // Its own process group (spawned detached): the process and anything it started.
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch {
      // Not started after all, or it ended meanwhile.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
};
