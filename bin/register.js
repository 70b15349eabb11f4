// Runs the TypeScript sources directly, with no build step and no type-checking (that is `npm run typecheck`):
// each .ts file is transpiled by swc as it is required. `node -r ./bin/register.js bin/aws.ts`.
// @swc-node/register does the same but loads the TypeScript compiler first (about 0.6 s and 60 MB a process).
// Transpiled output is cached by content hash in node_modules/.cache, so an unchanged file is never
// transpiled twice; a changed file gets a new hash, so the cache is never stale.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const options = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'platform-constructs-swc');
// The compiler's version from its package.json: the native compiler itself is loaded only to transpile a file the
// cache does not hold (loading it costs about 50-100 ms a process).
const swcVersion = require('@swc/core/package.json').version;
let swc;

function transpile(source, filename) {
  const key = crypto
    .createHash('sha1')
    .update(`${swcVersion}\0${JSON.stringify(options)}\0${filename}\0${source}`)
    .digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    swc ??= require('@swc/core');
    const { code } = swc.transformSync(source, { ...options, filename });
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const temp = `${cached}.${process.pid}`;
      fs.writeFileSync(temp, code);
      fs.renameSync(temp, cached);
    } catch {
      // A read-only checkout still runs, just without the cache.
    }
    return code;
  }
}

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
process.setSourceMapsEnabled(true);
