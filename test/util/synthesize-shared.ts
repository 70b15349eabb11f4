// The child process behind test/util/shared-synthesis.ts: synthesizes every example environment on both clouds,
// first without the CloudFormation schema validation (what most readers want, and ready soonest), then with it, each
// into a folder of its own under the given one. `node -r ./bin/register.js test/util/synthesize-shared.ts DIR`.
// Each result is announced by a status file, written whole (renamed into place), so a reader never sees half of one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDelivery, loadEnvironments } from '../../stacks/environments';
import { synthesize } from '../../bin/cli/synth';
import type { SharedKind, SharedStatus } from './shared-synthesis';

async function synthesizeInto(root: string, kind: SharedKind): Promise<void> {
  // As in the test files that synthesized these themselves: test/util/setup-env.ts turns the validation off,
  // test/stacks/full-synth.test.ts turned it back on.
  if (kind === 'validated') delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = 'false';
  let status: SharedStatus;
  try {
    const rows = await synthesize({
      environments: loadEnvironments(),
      // As npm run synth: every environment, so the delivery pipeline too.
      delivery: loadDelivery(),
      clouds: ['aws', 'azure'],
      validation: kind === 'validated',
      cdkOut: path.join(root, kind, 'cdk.out'),
      cdktfOut: path.join(root, kind, 'cdktf.out'),
      warn: (message) => process.stderr.write(`${message}\n`),
    });
    status = { rows };
  } catch (error) {
    status = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  const file = path.join(root, `${kind}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(status));
  fs.renameSync(`${file}.tmp`, file);
}

async function main(root: string): Promise<void> {
  process.env.CHECKPOINT_DISABLE = '1';
  await synthesizeInto(root, 'plain');
  await synthesizeInto(root, 'validated');
}

void main(process.argv[2]!);
