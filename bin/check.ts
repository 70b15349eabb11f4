#!/usr/bin/env node
// `npm run check`: every guardrail over already synthesized output (cdk.out/ and cdktf.out/, or the folders named by
// --cdk-out and --cdktf-out), as a table. Exits 1 on any unacknowledged error, so CI and reviewers can run it alone.
import { checkReport, failingRows, formatCheckTable, parseCheckArgs } from './cli/check';
import { runCli } from './cli/command';

runCli(async () => {
  const { rows, notes } = await checkReport(parseCheckArgs(process.argv.slice(2)));
  process.stdout.write(`${formatCheckTable(rows, notes)}\n`);
  if (failingRows(rows).length > 0) process.exitCode = 1;
});
