#!/usr/bin/env node
// `npm run review`: what the working tree changes in every environment on both clouds, against a base.
import { runCli } from './cli/command';
import { parseReviewArgs, runReview, writeReviewOutput } from './cli/review';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const args = parseReviewArgs(process.argv.slice(2));
  const result = await runReview(args, { colour: args.out === undefined && process.stdout.isTTY === true });
  writeReviewOutput(result, args.out, (text) => process.stdout.write(text));
  process.exitCode = result.exitCode;
});
