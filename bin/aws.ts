#!/usr/bin/env node
// The CDK CLI's app (cdk.json): `npx cdk synth`, `npx cdk ls`, `npx cdk deploy 'platform-prod/*'`.
import { buildAwsApp } from '../stacks/aws';
import { runCli } from './cli/command';
import { importEnvironments } from './cli/load-environments';
import { sourceDigests, writeSourceRecord } from './cli/sources';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const { loadDelivery, loadEnvironments } = await importEnvironments();
  const assembly = buildAwsApp({ environments: loadEnvironments(), delivery: loadDelivery() }).synth();
  // npm run check accepts the assembly the CDK CLI writes too, as long as the sources have not changed since.
  writeSourceRecord(assembly.directory, sourceDigests());
});
