#!/usr/bin/env node
// The cdktf CLI's app (cdktf.json): `npx cdktf synth`.
import { buildAzureApp } from '../stacks/azure';
import { runCli } from './cli/command';
import { importEnvironments } from './cli/load-environments';
import { sourceDigests, writeSourceRecord } from './cli/sources';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const { loadEnvironments } = await importEnvironments();
  const app = buildAzureApp({ environments: loadEnvironments() });
  app.synth();
  // npm run check accepts the output the cdktf CLI writes too, as long as the sources have not changed since.
  writeSourceRecord(app.outdir, sourceDigests());
});
