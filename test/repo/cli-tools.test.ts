import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { awsStacksInConstructOrder, azureStack, EXAMPLE_ENVIRONMENTS, firstOfTier } from '../util/expected-stacks';
import { temporaryFolders } from '../util/temp';
import { loadDelivery } from '../../stacks/environments';

// The CDK and cdktf CLIs run the TypeScript sources through cdk.json / cdktf.json, with no build step.
const root = path.resolve(__dirname, '../..');
const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
// The CDK CLI reads every variable that starts with CDK as an option (CDKTF_OUTDIR, which test/util/setup-env.ts
// sets for cdktf, becomes --tfOutdir) and, with CI set, prints the unknown-option warning on stdout: cdk gets an
// environment without cdktf's variables.
const cdkEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('CDKTF_')));
const tempDir = temporaryFolders('platform-cli-tools-');

test('npx cdk ls lists the delivery pipeline and its support stack, then every environment stage', () => {
  const out = tempDir();
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/aws-cdk/bin/cdk'), 'ls', '-o', out], {
    cwd: root,
    encoding: 'utf8',
    env: cdkEnv,
  });
  expect(run.status).toBe(0);
  expect(`${run.stdout}${run.stderr}`).not.toContain('Unknown option');
  // The delivery stack and the support stack of the backup copies' region (its replication bucket), then every
  // environment's stage, in the order of the environment list; in each, the stacks in construct order: the
  // foundation, the production tiers' backup-copy stack (which the foundation depends on; cdk ls lists the stacks in
  // construct order, the dependency is in the manifest, so cdk deploy deploys it first), the compute stack and the
  // workload stacks the services and jobs hash to.
  const { account } = loadDelivery().aws!;
  expect(run.stdout.trim().split('\n')).toEqual([
    'platform-delivery',
    `cross-region-stack-${account}:eu-central-1 (platform-delivery-support-eu-central-1)`,
    ...EXAMPLE_ENVIRONMENTS.flatMap((environment) =>
      awsStacksInConstructOrder(environment).map(
        (stack) => `platform-${environment.name}/${stack.slice(`platform-${environment.name}-`.length)} (${stack})`,
      ),
    ),
  ]);
  // As the example environments are today: each has servers, services and jobs (in workload stacks 2 and 7).
  const development = firstOfTier('development').name;
  const production = firstOfTier('production').name;
  expect(run.stdout.trim().split('\n')).toEqual(
    expect.arrayContaining([
      `platform-${development}/foundation (platform-${development}-foundation)`,
      `platform-${development}/compute (platform-${development}-compute)`,
      `platform-${development}/workloads-2 (platform-${development}-workloads-2)`,
      `platform-${development}/workloads-7 (platform-${development}-workloads-7)`,
      `platform-${production}/backup-copy (platform-${production}-backup-copy)`,
    ]),
  );
  expect(run.stdout).not.toContain(`platform-${development}/backup-copy`);
});

test('npx cdktf synth writes one Terraform stack per environment', () => {
  const out = tempDir();
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/cdktf-cli/bundle/bin/cdktf'), 'synth', '--output', out],
    {
      cwd: root,
      encoding: 'utf8',
      env,
    },
  );
  expect(run.status).toBe(0);
  expect(fs.readdirSync(path.join(out, 'stacks')).sort()).toEqual(EXAMPLE_ENVIRONMENTS.map(azureStack).sort());
});
