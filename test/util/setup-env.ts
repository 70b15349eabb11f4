import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Unit tests synthesize many small apps: skip the CloudFormation schema validation (about 3.8 s each) and
// cdktf's telemetry. test/stacks/full-synth.test.ts turns validation back on for the real environments.
process.env.CDK_VALIDATION = 'false';
process.env.CHECKPOINT_DISABLE = '1';
// Every App of a test leaves out the creation stack of each CloudFormation resource, as the environments' apps do
// (stacks/aws/app.ts): capturing and source-mapping a stack trace per resource was about a tenth of the CPU time
// of the AWS unit tests, for metadata no test reads. Context from the environment, under any an App is given.
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  ...(JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}') as Record<string, unknown>),
  'aws:cdk:disable-creation-stack-traces': true,
});
// cdktf writes an App that names no output folder into ./cdktf.out, which is the checkout's own synthesized output:
// each test file gets a folder of its own under the run's temporary folder instead, so npm test never replaces
// what npm run synth wrote (npm run check would then judge a test's app instead of the environments).
process.env.CDKTF_OUTDIR ??= mkdtempSync(join(tmpdir(), 'cdktf-out-'));
