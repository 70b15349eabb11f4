#!/usr/bin/env node
// The cdktf CLI's app (cdktf.json): `npx cdktf synth`.
import { buildAzureApp } from '../stacks/azure';
import { runCli } from '../stacks/cli';
import { loadEnvironments } from '../stacks/environments';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(() => {
  buildAzureApp({ environments: loadEnvironments() }).synth();
});
