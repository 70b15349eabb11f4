import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedSynthesis } from '../util/shared-synthesis';

// The one test with aws-cdk-lib's CloudFormation schema validation on, as `npm run synth` runs it: every
// template of every environment must pass, or synthesis throws. The run synthesizes the example environments
// once with validation on (test/util/shared-synthesis.ts, outside test/util/setup-env.ts, which turns it off).
test('every environment synthesizes on both clouds with CloudFormation validation on', async () => {
  const { rows, cdkOut } = await sharedSynthesis('validated');
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
  const report = JSON.parse(fs.readFileSync(path.join(cdkOut, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ summary: { status: string }; violations: Array<{ severity: string }> }>;
  };
  const errors = report.pluginReports
    .flatMap((p) => p.violations)
    .filter((v) => v.severity === 'error' || v.severity === 'fatal');
  expect(errors).toEqual([]);
});
