import { App, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  acknowledge,
  acknowledgeChange,
  acknowledgementsOn,
  acknowledgeRemoval,
  acknowledgeWildcardGrant,
  nagResourceLabel,
  plainRuleId,
  PortableAssembly,
  WILDCARD_GRANT_IAM5_REASON,
} from '../../lib/aws';

describe('acknowledge', () => {
  test('records the rule and its reason without a stack trace', () => {
    const stack = new Stack(new App(), 'Test');
    const topic = new sns.Topic(stack, 'Topic');
    acknowledge(topic, 'CloudFormation-Validate::W1234', 'The topic name is set on purpose for the runbook');
    const entries = topic.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(entries.map((m) => [m.data, m.trace])).toEqual([
      [{ 'CloudFormation-Validate::W1234': 'The topic name is set on purpose for the runbook' }, undefined],
    ]);
  });

  test('a reason under 10 characters is refused with the rule and the construct', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', 'ok')).toThrow(
      'Acknowledgement of AwsSolutions-IAM5 on Test: reason "ok" - at least 10 characters saying why it is safe',
    );
  });

  test('PortableAssembly drops traces of acknowledgements made elsewhere', () => {
    const app = new App();
    const stack = new Stack(app, 'Test');
    Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::W1', reason: 'made by a library construct' });
    expect(stack.node.metadata.find((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)?.trace).toEqual(
      expect.arrayContaining([expect.any(String)]),
    );
    PortableAssembly.applyTo(app);
    app.synth();
    expect(
      stack.node.metadata.find((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)?.trace,
    ).toBeUndefined();
  });

  test('the pack-qualified id the validation report suggests is recorded as the id cdk-nag matches', () => {
    expect(plainRuleId('NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ')).toBe('NIST.800.53.R5-LambdaDLQ');
    expect(plainRuleId('AwsSolutions::AwsSolutions-IAM5[Action::s3:*]')).toBe('AwsSolutions-IAM5[Action::s3:*]');
    expect(plainRuleId('CloudFormation-Validate::W3010')).toBe('CloudFormation-Validate::W3010');
    expect(plainRuleId('AwsSolutions-IAM5[Action::s3:*]')).toBe('AwsSolutions-IAM5[Action::s3:*]');

    const stack = new Stack(new App(), 'Test');
    acknowledge(stack, 'AwsSolutions::AwsSolutions-SNS3', 'Publishers reach the topic only through a VPC endpoint');
    const entry = stack.node.metadata.find((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(Object.keys(entry?.data as object).map((k) => k.replace(/^annotation::/i, ''))).toEqual([
      'AwsSolutions-SNS3',
    ]);
  });
});

describe('acknowledgeChange and acknowledgeRemoval', () => {
  function templateOf(stack: Stack): Record<string, unknown> {
    return App.of(stack)!.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  }

  test('records the risk and reason in the metadata of the resource a construct names by its default child', () => {
    const stack = new Stack(new App(), 'Test');
    const topic = new sns.Topic(stack, 'Topic');
    acknowledgeChange(topic, 'data-loss', 'The topic holds no messages: SNS keeps none');
    acknowledgeChange(topic.node.defaultChild!, 'security', 'Publishing opens to the partner account on purpose');
    const resources = templateOf(stack).Resources as Record<string, { Metadata?: Record<string, unknown> }>;
    expect(resources[stack.resolve((topic.node.defaultChild as CfnResource).logicalId) as string]?.Metadata).toEqual(
      expect.objectContaining({
        'platform:review': [
          { risk: 'data-loss', reason: 'The topic holds no messages: SNS keeps none' },
          { risk: 'security', reason: 'Publishing opens to the partner account on purpose' },
        ],
      }),
    );
  });

  test('a removed resource is acknowledged by logical ID in the template metadata', () => {
    const stack = new Stack(new App(), 'Test');
    new sns.Topic(stack, 'Topic');
    acknowledgeRemoval(stack, 'OldLogGroup1234', 'data-loss', 'The old log group was exported to S3 first');
    expect((templateOf(stack).Metadata as Record<string, unknown>)['platform:review']).toEqual([
      { resource: 'OldLogGroup1234', risk: 'data-loss', reason: 'The old log group was exported to S3 first' },
    ]);
  });

  test('a construct with no single resource, an unknown risk and a short reason are all reported at once', () => {
    const stack = new Stack(new App(), 'Test');
    const group = new Construct(stack, 'Group');
    expect(() => acknowledgeChange(group, 'outage' as 'security', 'ok')).toThrow(
      [
        'Change acknowledgement on Test/Group: names no single resource; pass a CfnResource or a construct whose node.defaultChild is one (for a resource the change removes, use acknowledgeRemoval on its stack)',
        'Change acknowledgement on Test/Group: risk "outage" - use one of data-loss, security',
        'Change acknowledgement on Test/Group: reason "ok" - at least 10 characters saying why the change is safe or intended',
      ].join('\n'),
    );
  });

  test('a removal names a logical ID', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => acknowledgeRemoval(stack, 'Test/Topic', 'data-loss', 'The topic was migrated already')).toThrow(
      'Removal acknowledgement of "Test/Topic" in Test: not a logical ID; use the ID the review names (letters and digits only)',
    );
  });
});

describe('acknowledgeWildcardGrant', () => {
  function withPolicy(): { stack: Stack; policy: iam.ManagedPolicy } {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({ actions: ['ec2:DescribeTags', 'ec2:DescribeVolumes'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['ssm:GetDocument'],
          resources: [stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: '*' })],
        }),
      ],
    });
    return { stack, policy };
  }

  test("records exactly the accepted pairs, resources by their label, in the policy resource's template metadata", () => {
    const { stack, policy } = withPolicy();
    acknowledgeWildcardGrant(policy, {
      actions: ['ec2:DescribeTags', 'ec2:DescribeVolumes'],
      resources: ['*'],
      reason: 'EC2 Describe actions have no resource-level permissions',
    });
    acknowledgeWildcardGrant(policy, {
      actions: ['ssm:GetDocument'],
      resources: [stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: '*' })],
      reason: 'Associations run AWS-owned documents; reading them discloses nothing secret',
    });
    const cfn = policy.node.defaultChild as CfnResource;
    const template = App.of(stack)!.synth().getStackByName('Test').template as {
      Resources: Record<string, { Metadata?: Record<string, unknown> }>;
    };
    expect(template.Resources[stack.resolve(cfn.logicalId) as string]?.Metadata?.['platform:wildcard-grants']).toEqual([
      {
        actions: ['ec2:DescribeTags', 'ec2:DescribeVolumes'],
        resources: ['*'],
        reason: 'EC2 Describe actions have no resource-level permissions',
      },
      {
        actions: ['ssm:GetDocument'],
        resources: ['arn:<AWS::Partition>:ssm:eu-west-1::document/*'],
        reason: 'Associations run AWS-owned documents; reading them discloses nothing secret',
      },
    ]);
  });

  test("acknowledges cdk-nag's per-resource IAM5 findings once each, pointing at the pairs", () => {
    const { policy } = withPolicy();
    for (const actions of [['ec2:DescribeTags'], ['ec2:DescribeVolumes']]) {
      acknowledgeWildcardGrant(policy, {
        actions,
        resources: ['*'],
        reason: 'EC2 Describe actions have no resource-level permissions',
      });
    }
    acknowledgeWildcardGrant(policy, {
      actions: ['s3:Get*'],
      resources: ['arn:aws:s3:::reports/summary.csv'],
      reason: 'Every read of the one summary object is fine to allow',
    });
    expect(acknowledgementsOn(policy)).toEqual({
      'AwsSolutions-IAM5[Resource::*]': WILDCARD_GRANT_IAM5_REASON,
      'AwsSolutions-IAM5[Action::s3:Get*]': WILDCARD_GRANT_IAM5_REASON,
    });
    expect(
      policy.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data),
    ).toHaveLength(2);
  });

  test('no single resource, no action, a pair without a wildcard and a short reason are all reported at once', () => {
    const { stack } = withPolicy();
    const group = new Construct(stack, 'Group');
    expect(() =>
      acknowledgeWildcardGrant(group, {
        actions: ['sqs:SendMessage'],
        resources: ['arn:aws:sqs:eu-west-1:1:q'],
        reason: 'ok',
      }),
    ).toThrow(
      [
        'Wildcard grant on Test/Group: names no single resource; pass the policy or role (a construct whose node.defaultChild is its CfnResource)',
        'Wildcard grant on Test/Group: reason "ok" - at least 10 characters saying why no narrower resource will do',
        'Wildcard grant on Test/Group: sqs:SendMessage on arn:aws:sqs:eu-west-1:1:q holds no wildcard, so there is nothing to accept; grant it without acknowledgeWildcardGrant',
      ].join('\n'),
    );
    const { policy } = withPolicy();
    expect(() =>
      acknowledgeWildcardGrant(policy, { actions: [], resources: [], reason: 'No reason is needed here' }),
    ).toThrow(
      [
        'Wildcard grant on Test/Policy: no action; name each action accepted',
        'Wildcard grant on Test/Policy: no resource; name each resource accepted',
      ].join('\n'),
    );
  });

  test('nagResourceLabel names a resource as cdk-nag does in its finding ids', () => {
    expect(nagResourceLabel('*')).toBe('*');
    expect(nagResourceLabel({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b/*']] })).toBe(
      'arn:<AWS::Partition>:s3:::b/*',
    );
    expect(nagResourceLabel({ 'Fn::GetAtt': ['LogGroup', 'Arn'] })).toBe('<LogGroup.Arn>');
    expect(nagResourceLabel({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/*' })).toBe('arn:<AWS::Partition>:s3:::b/*');
    expect(nagResourceLabel({ 'Fn::ImportValue': 'shared-bucket-arn' })).toBe('shared-bucket-arn');
  });
});
