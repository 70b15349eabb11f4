import { App, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acknowledge, PolicyChecks, POLICY_METADATA_KEY } from '../../../lib/aws';
import type { Tier } from '../../../lib/core';
import { errorOf } from '../../util/fixtures';

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'policy-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

function stageWith(app: App, name: string, tier: Tier, build: (stack: Stack) => void): Stage {
  const stage = new Stage(app, name);
  const stack = new Stack(stage, 'Stack', { terminationProtection: tier === 'production' });
  build(stack);
  PolicyChecks.applyTo(stage, { tier });
  return stage;
}

/** A role with an inline policy: fine for AwsSolutions, an error for NIST 800-53 R5 (IAMNoInlinePolicy). */
function inlinePolicyRole(stack: Stack): iam.Role {
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [stack.formatArn({ service: 'sqs', resource: 'queue' })],
    }),
  );
  return role;
}

describe('PolicyChecks (AWS)', () => {
  test('synthesis fails on an unacknowledged AwsSolutions error, naming the rule and the construct', () => {
    const app = new App({ outdir });
    stageWith(app, 'dev', 'development', (s) => new sns.Topic(s, 'Plain'));
    const message = errorOf(() => app.synth()).message;
    expect(message).toContain('AwsSolutions-SNS3');
    expect(message).toContain('dev/Stack/Plain/Resource');
  });

  test('NIST 800-53 R5 runs on production stages only, and only over their own stacks', () => {
    const app = new App({ outdir });
    stageWith(app, 'dev', 'development', inlinePolicyRole);
    stageWith(app, 'prod', 'production', () => undefined);
    expect(() => app.synth()).not.toThrow();

    const failing = new App({ outdir: mkdtempSync(join(tmpdir(), 'policy-')) });
    stageWith(failing, 'prod', 'production', inlinePolicyRole);
    const message = errorOf(() => failing.synth()).message;
    expect(message).toContain('NIST.800.53.R5-IAMNoInlinePolicy');
    expect(message).toContain('prod/Stack/Role/DefaultPolicy/Resource');
  });

  test('an acknowledgement next to the construct clears the finding', () => {
    const app = new App({ outdir });
    stageWith(app, 'prod', 'production', (s) => {
      const role = inlinePolicyRole(s);
      acknowledge(
        role,
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'The policy belongs to this role alone and is deleted with it',
      );
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('a production stack without termination protection fails synthesis', () => {
    const app = new App({ outdir });
    const stage = new Stage(app, 'prod');
    new CfnWaitConditionHandle(new Stack(stage, 'Stack'), 'Handle');
    PolicyChecks.applyTo(stage, { tier: 'production' });
    expect(errorOf(() => app.synth()).message).toContain('Platform-TerminationProtection');
  });

  test('synthesis fails at 90% of the CloudFormation resource limit, before a deploy would be refused', () => {
    const app = new App({ outdir });
    stageWith(app, 'dev', 'development', (s) => {
      for (let i = 0; i < 450; i++) new CfnWaitConditionHandle(s, `Handle${i}`);
    });
    const message = errorOf(() => app.synth()).message;
    expect(message).toContain('Platform-TemplateLimits');
    expect(message).toContain("has 450 resources, at or above 90% of CloudFormation's limit of 500");
  });

  test('each template records the tier and the packs it was checked with', () => {
    const app = new App({ outdir });
    stageWith(app, 'prod', 'production', (s) => new CfnWaitConditionHandle(s, 'Handle'));
    app.synth();
    const dir = join(outdir, 'assembly-prod');
    const file = readdirSync(dir).find((f) => f.endsWith('.template.json'))!;
    expect(JSON.parse(readFileSync(join(dir, file), 'utf8')).Metadata[POLICY_METADATA_KEY]).toEqual({
      Tier: 'production',
      Packs: ['AwsSolutions', 'NIST.800.53.R5', 'Platform', 'Platform-Stack'],
    });
  });
});
