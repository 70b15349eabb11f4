import { App, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acknowledge,
  acknowledgeWildcardGrant,
  PlatformChecks,
  PolicyChecks,
  POLICY_METADATA_KEY,
} from '../../../lib/aws';
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

  describe('a failure writes nothing', () => {
    /** Every file under the output folder, relative to it. */
    const written = (): string[] =>
      readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.startsWith('.'));

    test('synthesis fails before any template is written, and the report says why', () => {
      const app = new App({ outdir });
      stageWith(app, 'dev', 'development', (s) => new sns.Topic(s, 'Plain'));
      errorOf(() => app.synth());
      expect(written().filter((f) => f.endsWith('.template.json'))).toEqual([]);
      expect(written().filter((f) => f.endsWith('.json'))).toEqual(['validation-report.json']);
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
      expect(JSON.stringify(report)).toContain('AwsSolutions-SNS3');
      expect(report.pluginReports.map((r: { pluginName: string }) => r.pluginName)).toContain('AwsSolutions');
    });

    test('a stack rule (termination protection) also fails before the write', () => {
      const app = new App({ outdir });
      const stage = new Stage(app, 'prod');
      new CfnWaitConditionHandle(new Stack(stage, 'Stack'), 'Handle');
      PolicyChecks.applyTo(stage, { tier: 'production' });
      expect(errorOf(() => app.synth()).message).toContain('Platform-TerminationProtection');
      expect(written().filter((f) => f.endsWith('.template.json'))).toEqual([]);
    });

    test('on an App, as a team applies it to its own app: nothing is written either', () => {
      const app = new App({ outdir });
      new sns.Topic(new Stack(app, 'Team'), 'Plain');
      PolicyChecks.applyTo(app, { tier: 'development' });
      expect(errorOf(() => app.synth()).message).toContain('AwsSolutions-SNS3');
      expect(existsSync(join(outdir, 'Team.template.json'))).toBe(false);
    });

    test('the message lists every finding: rule, construct path, what to do and how to acknowledge it with a reason', () => {
      const app = new App({ outdir });
      stageWith(app, 'dev', 'development', (s) => {
        new sns.Topic(s, 'First');
        new sns.Topic(s, 'Second');
        new s3.Bucket(s, 'Bucket');
      });
      const message = errorOf(() => app.synth()).message;
      expect(message).toMatch(/\b\d+ guardrail findings are not acknowledged under dev; no template was written/);
      for (const path of ['dev/Stack/First/Resource', 'dev/Stack/Second/Resource']) {
        expect(message).toContain(`    at ${path}`);
      }
      expect(message).toMatch(/- AwsSolutions-SNS3 \(AwsSolutions\): .*SSL/);
      expect(message).toMatch(/- AwsSolutions-S10 \(AwsSolutions\): .*\n {4}at dev\/Stack\/Bucket\/Resource\n/);
      expect(message).toContain("acknowledge(<the construct>, 'AwsSolutions-SNS3', '<why it is safe>')");
      expect(message).toContain(
        "acknowledge(<the construct at dev/Stack/Bucket/Resource>, 'AwsSolutions-S10', '<why it is safe>')",
      );
      expect(message).not.toMatch(/skip|no-validation|validation: false|turn \w+ off/i);
    });

    test('warnings alone do not fail the synthesis', () => {
      const app = new App({ outdir });
      const stage = stageWith(app, 'dev', 'development', (s) => {
        // A wildcard grant accepted but not granted: Platform-WildcardGrantUnused, a warning.
        acknowledgeWildcardGrant(inlinePolicyRole(s).node.findChild('DefaultPolicy'), {
          actions: ['s3:GetObject'],
          resources: ['*'],
          reason: 'Reads objects of buckets created at run time',
        });
      });
      const warnings = new PlatformChecks(undefined, { tier: 'development' }).validateScope(stage).violations;
      expect(warnings.map((v) => [v.ruleName, v.severity])).toEqual([
        ['Platform-WildcardGrantUnused[Action::s3:GetObject,Resource::*]', 'warning'],
      ]);
      expect(() => app.synth()).not.toThrow();
      expect(written().filter((f) => f.endsWith('.template.json'))).toHaveLength(1);
    });
  });
});
