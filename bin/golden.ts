#!/usr/bin/env node
// `npm run golden`: records the logical IDs and addresses of every stateful resource in test/golden/.
// Run it only when a stateful resource is meant to move or appear; the diff shows in the pull request.
import { runCli } from './cli/command';
import { importEnvironments } from './cli/load-environments';
import { parseGoldenArgs, synthesizeStacks, writeGolden } from './cli/golden';

process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  parseGoldenArgs(process.argv.slice(2));
  const { loadDelivery, loadEnvironments } = await importEnvironments();
  const environments = loadEnvironments();
  const delivery = loadDelivery();
  const stacks = await synthesizeStacks(environments, delivery);
  const changed = writeGolden(process.cwd(), environments, stacks, delivery);
  process.stdout.write(
    changed.length ? `updated:\n${changed.map((f) => `  ${f}`).join('\n')}\n` : 'golden files are up to date\n',
  );
});
