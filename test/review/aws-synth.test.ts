import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineEnvironments, type Environment } from '../../lib/core';
import { diffAwsEnvironment } from '../../lib/review/aws-diff';
import { readCdkOut, type SynthesizedStack } from '../../lib/review/outputs';
import { ENVIRONMENT_INPUTS, loadDelivery } from '../../stacks/environments';
import { synthesize } from '../../bin/cli/synth';
import { sharedSynthesis } from '../util/shared-synthesis';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-aws-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Synthesizes environments for AWS into a folder of its own and reads back dev's stacks. */
async function synthDev(environments: readonly Environment[], name: string): Promise<SynthesizedStack[]> {
  const cdkOut = path.join(root, name, 'cdk.out');
  await synthesize({
    environments,
    // As npm run synth does: dev is built as the pipeline deploys it, though the pipeline is not in this run.
    delivery: loadDelivery(),
    clouds: ['aws'],
    validation: false,
    cdkOut,
    cdktfOut: path.join(root, name, 'cdktf.out'),
  });
  return readCdkOut(cdkOut).filter((s) => s.environment === 'dev');
}

// The example dev environment as the run synthesized it once for every file (each synthesis takes about 2 s):
// dev's stage is the same whether it is synthesized alone or beside the other environments.
async function exampleDev(): Promise<SynthesizedStack[]> {
  return readCdkOut((await sharedSynthesis('plain')).cdkOut).filter((s) => s.environment === 'dev');
}

test('the example dev environment reviewed against itself is unchanged', async () => {
  const dev = await exampleDev();
  const diff = diffAwsEnvironment('dev', dev, dev, { newEnvironment: false });
  const expected = dev
    .map((s) => ({ stack: s.stack, status: 'unchanged' }))
    .sort((a, b) => (a.stack < b.stack ? -1 : 1));
  expect(expected.length).toBeGreaterThan(0);
  expect([diff.stacks, diff.changes, diff.templateChanges, diff.blockers]).toEqual([expected, [], [], []]);
});

test('tightening an alarm threshold of dev updates that one alarm and nothing else', async () => {
  const base = await exampleDev();
  const input = ENVIRONMENT_INPUTS.find((e) => e.name === 'dev')!;
  const tightened = defineEnvironments([
    { ...input, monitoring: { ...input.monitoring, alarms: { 'logs/errors': { threshold: 3 } } } },
  ]);
  const head = await synthDev(tightened, 'tightened');
  const diff = diffAwsEnvironment('dev', base, head, { newEnvironment: false });
  expect(
    diff.changes.map((c) => ({
      stack: c.stack,
      type: c.type,
      path: c.path,
      action: c.action,
      dataLoss: c.dataLoss,
      security: c.security,
      threshold: c.properties.find((p) => p.path === 'Threshold'),
      paths: c.properties.map((p) => p.path),
    })),
  ).toEqual([
    {
      stack: 'platform-dev-foundation',
      type: 'AWS::CloudWatch::Alarm',
      path: 'platform-dev/foundation/Monitoring/Logs/logs-errors/Resource',
      action: 'update',
      dataLoss: false,
      security: [],
      threshold: { path: 'Threshold', replacement: 'never', before: 10, after: 3 },
      paths: ['AlarmDescription', 'Threshold'],
    },
  ]);
  expect([diff.templateChanges, diff.blockers]).toEqual([[], []]);
});
