import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEnvironments } from '../../stacks/environments';
import { synthesize } from '../../stacks/synth';

// The one test with aws-cdk-lib's CloudFormation schema validation on, as `npm run synth` runs it: every
// template of every environment must pass, or synthesis throws.
beforeAll(() => {
  // test/util/setup-env.ts turns validation off for every other test file.
  delete process.env.CDK_VALIDATION;
});

let dir: string;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('every environment synthesizes on both clouds with CloudFormation validation on', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-full-'));
  const rows = await synthesize({
    environments: loadEnvironments(),
    clouds: ['aws', 'azure'],
    validation: true,
    cdkOut: path.join(dir, 'cdk.out'),
    cdktfOut: path.join(dir, 'cdktf.out'),
  });
  expect(rows.filter((r) => r.cloud === 'aws').map((r) => r.stack)).toEqual([
    'platform-dev-compute',
    'platform-dev-foundation',
    'platform-dev-workloads-2',
    'platform-dev-workloads-7',
    'platform-staging-backup-copy',
    'platform-staging-compute',
    'platform-staging-foundation',
    'platform-staging-workloads-2',
    'platform-staging-workloads-7',
    'platform-prod-backup-copy',
    'platform-prod-compute',
    'platform-prod-foundation',
    'platform-prod-workloads-2',
    'platform-prod-workloads-7',
  ]);
  expect(rows.filter((r) => r.cloud === 'azure').map((r) => r.stack)).toEqual([
    'platform-dev',
    'platform-staging',
    'platform-prod',
  ]);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ summary: { status: string }; violations: Array<{ severity: string }> }>;
  };
  const errors = report.pluginReports
    .flatMap((p) => p.violations)
    .filter((v) => v.severity === 'error' || v.severity === 'fatal');
  expect(errors).toEqual([]);
});
