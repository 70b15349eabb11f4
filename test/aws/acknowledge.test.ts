import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledge, plainRuleId, PortableAssembly } from '../../lib/aws';

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
