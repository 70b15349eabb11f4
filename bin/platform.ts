#!/usr/bin/env node
// `npm run synth`: every environment, both clouds, replaced as one, with a summary table.
import * as path from 'node:path';
import { runCli, watchForStop } from '../stacks/cli';
import { importEnvironments } from '../stacks/load-environments';
import { formatSummary, parseSynthArgs, synthesize } from '../stacks/synth';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const args = parseSynthArgs(process.argv.slice(2));
  // SIGINT, SIGTERM or the exit of npm stop the run before the output is replaced, removing what it wrote.
  const stop = watchForStop();
  try {
    const { loadEnvironments, selectEnvironments } = await importEnvironments();
    const environments = selectEnvironments(loadEnvironments(), args.environments);
    const rows = await synthesize({
      environments,
      clouds: args.clouds,
      validation: args.validation,
      signal: stop.signal,
      ...(args.out !== undefined && {
        cdkOut: path.join(args.out, 'cdk.out'),
        cdktfOut: path.join(args.out, 'cdktf.out'),
      }),
    });
    process.stdout.write(`${formatSummary(rows)}\n`);
  } finally {
    stop.dispose();
  }
});
