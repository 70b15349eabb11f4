// jest's node environment, with stack traces that libraries capture for their own records left unmapped.
//
// cdktf records where every token and complex object was created (captureStackTrace into a plain object, no switch
// to turn it off), thousands per synthesized stack. Under jest every such trace went through the source-map
// formatter jest installs for readable test failures, frame by frame: about a quarter of the CPU time of the Azure
// unit tests (test/azure: 23.6 to 17.5 CPU seconds). Those records are never printed by a passing test; errors (anything with an error's internal slot, from
// any realm) are still formatted by jest, with their source positions.
'use strict';
const { TestEnvironment } = require('jest-environment-node');

/** V8's own rendering, as node prints a stack when nothing overrides it. */
function plainStackTrace(holder, frames) {
  const header = Error.prototype.toString.call(holder);
  return frames.length === 0 ? header : `${header}\n    at ${frames.join('\n    at ')}`;
}

class PlatformEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    // jest installed its formatter on this realm's Error just before setup(), for this test file.
    const jestFormat = Error.prepareStackTrace;
    if (typeof jestFormat !== 'function' || jestFormat.platformWrapped) return;
    const format = (holder, frames) =>
      Object.prototype.toString.call(holder) === '[object Error]'
        ? jestFormat(holder, frames)
        : plainStackTrace(holder, frames);
    format.platformWrapped = true;
    Error.prepareStackTrace = format;
  }
}

module.exports = PlatformEnvironment;
