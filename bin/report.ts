#!/usr/bin/env node
// `npm run report`: the synthesized output of every environment on both clouds as a static site (report/): diagrams,
// alarms, checks, backup, guardrail findings and acknowledgements, the differences between environments, and with
// --base the review drawn on the diagrams.
import { runCli } from './cli/command';
import { parseReportArgs, runReport } from './cli/report';

process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const started = Date.now();
  const result = await runReport(parseReportArgs(process.argv.slice(2)));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `Report of ${result.environments.join(', ')} written to ${result.out}/index.html in ${seconds} s\n`,
  );
});
