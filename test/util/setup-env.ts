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
