// Preloaded into every timed process through NODE_OPTIONS (`--require bench/peak-rss.js`), so that the child
// processes a synthesis starts (parallel workers, the review's two sides) report too: when a process exits, it
// writes its peak resident set size in KiB (process.resourceUsage().maxRSS, which covers worker threads and
// WebAssembly memory too) and its CPU time, as JSON, to a file of its own, BENCH_PEAK_RSS_DIR/<pid>.json. CPU time
// is recorded because wall time suffers when other work shares the machine; CPU time much less so.
// Plain JavaScript, so that it loads without the TypeScript loader being measured, and files rather than
// stdout, so that the processes' own output stays untouched.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { isMainThread } = require('node:worker_threads');

const dir = process.env.BENCH_PEAK_RSS_DIR;
// A worker thread shares its process's figures; the main thread reports them.
if (dir && isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const report = {
      pid: process.pid,
      ppid: process.ppid,
      script: path.relative(process.cwd(), process.argv[1] ?? ''),
      maxRssKiB: usage.maxRSS,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    };
    try {
      fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(report));
    } catch {
      // The bench removed the folder (it gave up on this process): nothing to report to.
    }
  });
}
