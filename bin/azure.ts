#!/usr/bin/env node
// The cdktf CLI's app (cdktf.json): `npx cdktf synth`.
import { buildAzureApp } from '../stacks/azure';
import { runCli } from '../stacks/cli';
import { loadEnvironments } from '../stacks/environments';

runCli(() => {
  buildAzureApp({ environments: loadEnvironments() }).synth();
});
