// Preloaded (through NODE_OPTIONS, so child processes too) when the bench measures module loading: counts the
// modules each process loads and the time spent loading them, per package, and writes it at exit, as JSON, to
// BENCH_MODULES_DIR/<pid>.json.
//
// A module's time is what Module.prototype.load takes for it (reading, transpiling a .ts file through
// bin/register.js or reading it from its cache, compiling, and running its top-level code) minus the modules it
// loads in turn, so each package is charged only for its own modules; the times add up to all the time the process
// spent loading modules. Modules required lazily during synthesis (aws-cdk-lib defers most of its requires) count
// when they load. Packages are the folder under the last node_modules (`aws-cdk-lib`, `@cdktf/provider-azurerm`);
// this repository's own files are named by their folder (`lib/aws`, `stacks`, `bin`, `bench`).
// Plain JavaScript, loaded before the TypeScript loader, so that its .ts transpiling is measured too.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const { isMainThread } = require('node:worker_threads');

const dir = process.env.BENCH_MODULES_DIR;
const root = path.resolve(__dirname, '..');

/** The package (or, in this repository, the folder) a file belongs to. */
function packageOf(filename) {
  const at = filename.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (at >= 0) {
    const parts = filename.slice(at + 14).split(path.sep);
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const relative = path.relative(root, filename);
  if (relative.startsWith('..')) return '(outside the repository)';
  const parts = relative.split(path.sep);
  return parts[0] === 'lib' && parts.length > 2 ? `lib/${parts[1]}` : parts.length > 1 ? parts[0] : '(root)';
}

if (dir && isMainThread) {
  /** Per package: milliseconds (exclusive of nested loads of other modules) and modules loaded. */
  const packages = new Map();
  /** Time spent in nested loads, per level of the current chain of loads. */
  const nested = [];
  const load = Module.prototype.load;
  Module.prototype.load = function timedLoad(filename) {
    nested.push(0);
    const start = performance.now();
    try {
      return load.call(this, filename);
    } finally {
      const inclusive = performance.now() - start;
      const own = inclusive - nested.pop();
      if (nested.length > 0) nested[nested.length - 1] += inclusive;
      const name = packageOf(filename);
      const entry = packages.get(name) ?? { ms: 0, modules: 0 };
      entry.ms += own;
      entry.modules += 1;
      packages.set(name, entry);
    }
  };
  process.on('exit', () => {
    let ms = 0;
    let modules = 0;
    for (const entry of packages.values()) {
      ms += entry.ms;
      modules += entry.modules;
    }
    const report = {
      pid: process.pid,
      script: path.relative(process.cwd(), process.argv[1] ?? ''),
      // Milliseconds since the process started: what loading is a part of.
      lifeMs: performance.now(),
      loadMs: ms,
      modules,
      packages: Object.fromEntries([...packages].sort((a, b) => b[1].ms - a[1].ms)),
    };
    try {
      fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(report));
    } catch {
      // The bench removed the folder: nothing to report to.
    }
  });
}
