import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporaryFolders } from '../util/temp';

// The CDK and cdktf CLIs run the TypeScript sources through cdk.json / cdktf.json, with no build step.
const root = path.resolve(__dirname, '../..');
const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
const tempDir = temporaryFolders('platform-cli-tools-');

test('npx cdk ls lists every environment stage', () => {
  const out = tempDir();
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/aws-cdk/bin/cdk'), 'ls', '-o', out], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  expect(run.status).toBe(0);
  expect(run.stdout.trim().split('\n')).toEqual([
    // Every environment defines servers, services and jobs: each stage has its compute stack and the workload
    // stacks its services and jobs hash to (2 and 7), all listed after the foundation they depend on. The
    // production tiers also have their backup-copy stack, which the foundation depends on (cdk ls lists the
    // stacks in construct order; the dependency is in the manifest, so cdk deploy deploys it first).
    'platform-dev/foundation (platform-dev-foundation)',
    'platform-dev/compute (platform-dev-compute)',
    'platform-dev/workloads-2 (platform-dev-workloads-2)',
    'platform-dev/workloads-7 (platform-dev-workloads-7)',
    'platform-staging/foundation (platform-staging-foundation)',
    'platform-staging/backup-copy (platform-staging-backup-copy)',
    'platform-staging/compute (platform-staging-compute)',
    'platform-staging/workloads-2 (platform-staging-workloads-2)',
    'platform-staging/workloads-7 (platform-staging-workloads-7)',
    'platform-prod/foundation (platform-prod-foundation)',
    'platform-prod/backup-copy (platform-prod-backup-copy)',
    'platform-prod/compute (platform-prod-compute)',
    'platform-prod/workloads-2 (platform-prod-workloads-2)',
    'platform-prod/workloads-7 (platform-prod-workloads-7)',
  ]);
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
  expect(fs.readdirSync(path.join(out, 'stacks')).sort()).toEqual([
    'platform-dev',
    'platform-prod',
    'platform-staging',
  ]);
});
