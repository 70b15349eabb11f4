import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_DELIVERY, EXAMPLE_ENVIRONMENTS, expectedRows } from '../util/expected-stacks';
import { sharedSynthesis } from '../util/shared-synthesis';

// The one test with aws-cdk-lib's CloudFormation schema validation on, as `npm run synth` runs it: every
// template of every environment must pass, or synthesis throws. The run synthesizes the example environments
// once with validation on (test/util/shared-synthesis.ts, outside test/util/setup-env.ts, which turns it off).
test('every environment synthesizes on both clouds with CloudFormation validation on', async () => {
  const { rows, cdkOut } = await sharedSynthesis('validated');
  // Every stack of every environment (test/util/expected-stacks.ts derives them from the list and the tiers).
  expect(rows.map((r) => [r.environment, r.cloud, r.stack])).toEqual(
    expectedRows(EXAMPLE_ENVIRONMENTS, EXAMPLE_DELIVERY),
  );
  const report = JSON.parse(fs.readFileSync(path.join(cdkOut, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ summary: { status: string }; violations: Array<{ severity: string }> }>;
  };
  const errors = report.pluginReports
    .flatMap((p) => p.violations)
    .filter((v) => v.severity === 'error' || v.severity === 'fatal');
  expect(errors).toEqual([]);
});
