#!/usr/bin/env node
// `npm run check`: every guardrail over the already synthesized cdk.out/ and cdktf.out/, as a table.
// Exits 1 on any unacknowledged error, so CI and reviewers can run it alone.
import { checkOutputs, failingRows, formatCheckTable, parseCheckArgs } from './cli/check';
import { runCli } from './cli/command';

runCli(async () => {
  const rows = await checkOutputs(parseCheckArgs(process.argv.slice(2)));
  process.stdout.write(`${formatCheckTable(rows)}\n`);
  if (failingRows(rows).length > 0) process.exitCode = 1;
});
