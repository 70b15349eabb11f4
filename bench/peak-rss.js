// Preloaded into every timed child (`node --require bench/peak-rss.js ...`): when the process exits, it
// writes its peak resident set size in KiB (process.resourceUsage().maxRSS, which covers worker threads and
// WebAssembly memory too) and its CPU time, as JSON, to the file named by BENCH_PEAK_RSS_FILE. CPU time is
// recorded because wall time suffers when other work shares the machine; CPU time much less so.
// Plain JavaScript, so that it loads without the TypeScript loader being measured, and a file rather than
// stdout, so that the child's own output stays untouched.
'use strict';
const fs = require('node:fs');

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    fs.writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMs }));
  });
}
