#!/usr/bin/env node
// `npm run synth`: every environment, both clouds, atomically, with a summary table.
import * as path from 'node:path';
import { runCli } from '../stacks/cli';
import { loadEnvironments, selectEnvironments } from '../stacks/environments';
import { formatSummary, parseSynthArgs, synthesize } from '../stacks/synth';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const args = parseSynthArgs(process.argv.slice(2));
  const environments = selectEnvironments(loadEnvironments(), args.environments);
  const rows = await synthesize({
    environments,
    clouds: args.clouds,
    validation: args.validation,
    ...(args.out !== undefined && {
      cdkOut: path.join(args.out, 'cdk.out'),
      cdktfOut: path.join(args.out, 'cdktf.out'),
    }),
  });
  process.stdout.write(`${formatSummary(rows)}\n`);
});
