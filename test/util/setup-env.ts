// Unit tests synthesize many small apps: skip the CloudFormation schema validation (about 3.8 s each) and
// cdktf's telemetry. test/stacks/full-synth.test.ts turns validation back on for the real environments.
process.env.CDK_VALIDATION = 'false';
process.env.CHECKPOINT_DISABLE = '1';
