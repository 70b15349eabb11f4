import { App, CfnResource, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RetainStatefulResources } from '../../lib/aws';
import { AWS_STATEFUL_TYPES } from '../../lib/core';

type Resources = Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

/** A stack holding one plain resource of every stateful type and one of a type that holds no data. */
function stackWithEveryType(retainData?: boolean): Stack {
  const stack = new Stack(new App(), 'Test');
  if (retainData !== undefined) RetainStatefulResources.applyTo(stack, { retainData });
  [...AWS_STATEFUL_TYPES].forEach((type, i) => new CfnResource(stack, `Stateful${i}`, { type }));
  new CfnResource(stack, 'Stateless', { type: 'AWS::SNS::Topic' });
  return stack;
}

/** [DeletionPolicy, UpdateReplacePolicy] by resource type. */
function policiesByType(stack: Stack): Record<string, [string?, string?]> {
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  return Object.fromEntries(
    Object.values(resources).map((r) => [r.Type, [r.DeletionPolicy, r.UpdateReplacePolicy] as [string?, string?]]),
  );
}

/** What every stateful type should have, and the stateless one nothing. */
function expected(policy: string): Record<string, [string?, string?]> {
  return {
    ...Object.fromEntries([...AWS_STATEFUL_TYPES].map((type) => [type, [policy, policy]])),
    'AWS::SNS::Topic': [undefined, undefined],
  };
}

describe('RetainStatefulResources (AWS)', () => {
  test('the list of stateful types is not empty, so the checks below check something', () => {
    expect(AWS_STATEFUL_TYPES.size).toBeGreaterThan(20);
  });

  test('a stack that keeps its data retains every stateful type, on deletion and on replacement', () => {
    expect(policiesByType(stackWithEveryType(true))).toEqual(expected('Retain'));
  });

  test('a development stack (retainData false) deletes every stateful type with it', () => {
    expect(policiesByType(stackWithEveryType(false))).toEqual(expected('Delete'));
  });

  test('retainData defaults to true', () => {
    const stack = new Stack(new App(), 'Test');
    RetainStatefulResources.applyTo(stack);
    new CfnResource(stack, 'Table', { type: 'AWS::DynamoDB::Table' });
    expect(policiesByType(stack)['AWS::DynamoDB::Table']).toEqual(['Retain', 'Retain']);
  });

  test('it overrides a policy a construct set for itself, and leaves resources that hold no data alone', () => {
    const stack = new Stack(new App(), 'Test');
    RetainStatefulResources.applyTo(stack, { retainData: false });
    new logs.LogGroup(stack, 'Kept', { removalPolicy: RemovalPolicy.RETAIN });
    const topic = new sns.Topic(stack, 'Topic');
    (topic.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.RETAIN);
    const policies = policiesByType(stack);
    expect(policies['AWS::Logs::LogGroup']).toEqual(['Delete', 'Delete']);
    expect(policies['AWS::SNS::Topic']).toEqual(['Retain', 'Retain']);
  });

  test('without it, a stack keeps what its constructs decided (no policy for raw resources)', () => {
    const policies = policiesByType(stackWithEveryType());
    expect(policies['AWS::EC2::Instance']).toEqual([undefined, undefined]);
  });

  describe('removalPolicyOf: the decision the constructs read when they create their resources', () => {
    test('is the nearest decision above the scope', () => {
      const app = new App();
      const stage = new Stage(app, 'Dev');
      RetainStatefulResources.applyTo(stage, { retainData: false });
      const kept = new Stack(stage, 'Kept');
      RetainStatefulResources.applyTo(kept, { retainData: true });
      const disposable = new Stack(stage, 'Disposable');
      expect(RetainStatefulResources.removalPolicyOf(new CfnResource(kept, 'A', { type: 'X::Y::Z' }))).toBe(
        RemovalPolicy.RETAIN,
      );
      expect(RetainStatefulResources.removalPolicyOf(new CfnResource(disposable, 'B', { type: 'X::Y::Z' }))).toBe(
        RemovalPolicy.DESTROY,
      );
    });

    test('stops at a stage, as aspects do, and is RETAIN where nothing was decided', () => {
      const app = new App();
      RetainStatefulResources.applyTo(app, { retainData: false });
      const stack = new Stack(new Stage(app, 'Prod'), 'Foundation');
      expect(RetainStatefulResources.removalPolicyOf(stack)).toBe(RemovalPolicy.RETAIN);
      expect(RetainStatefulResources.removalPolicyOf(new Stack(new App(), 'Alone'))).toBe(RemovalPolicy.RETAIN);
    });
  });
});
