#!/usr/bin/env node
// The CDK CLI's app (cdk.json): `npx cdk synth`, `npx cdk ls`, `npx cdk deploy 'platform-prod/*'`.
import { buildAwsApp } from '../stacks/aws';
import { runCli } from '../stacks/cli';
import { loadEnvironments } from '../stacks/environments';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(() => {
  buildAwsApp({ environments: loadEnvironments() }).synth();
});
