import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledge, PlatformChecks } from '../../../lib/aws';
import type { Tier } from '../../../lib/core';

function violations(tier: Tier, build: (stack: Stack) => void): { ruleName: string; paths: string[] }[] {
  const stack = new Stack(new App(), 'Test');
  build(stack);
  return new PlatformChecks(undefined, { tier }).validateScope(stack).violations.map((v) => ({
    ruleName: v.ruleName,
    paths: v.violatingResources.map((r) => r.constructPath ?? ''),
  }));
}

describe('Platform-StatefulRetained', () => {
  test('Compliance: a retained log group in production', () => {
    expect(
      violations('production', (s) => new logs.LogGroup(s, 'Logs', { removalPolicy: RemovalPolicy.RETAIN })),
    ).toEqual([]);
  });

  test('Compliance: a resource that holds no data is not judged', () => {
    expect(violations('production', (s) => new sns.Topic(s, 'Topic'))).toEqual([]);
  });

  test('Noncompliance: a production log group that a deletion would destroy', () => {
    expect(
      violations('production', (s) => new logs.LogGroup(s, 'Logs', { removalPolicy: RemovalPolicy.DESTROY })),
    ).toEqual([{ ruleName: 'Platform-StatefulRetained', paths: ['Test/Logs/Resource'] }]);
  });

  test('Noncompliance: Retain on deletion but not on replacement is not enough', () => {
    const found = violations('production', (s) => {
      const group = new logs.LogGroup(s, 'Logs', { removalPolicy: RemovalPolicy.RETAIN });
      (group.node.defaultChild as logs.CfnLogGroup).cfnOptions.updateReplacePolicy = undefined;
    });
    expect(found.map((v) => v.ruleName)).toEqual(['Platform-StatefulRetained']);
  });

  test('development environments may destroy their data', () => {
    expect(
      violations('development', (s) => new logs.LogGroup(s, 'Logs', { removalPolicy: RemovalPolicy.DESTROY })),
    ).toEqual([]);
  });

  test('an acknowledgement with a reason clears the finding', () => {
    const found = violations('production', (s) => {
      const group = new logs.LogGroup(s, 'Logs', { removalPolicy: RemovalPolicy.DESTROY });
      acknowledge(group, 'Platform-StatefulRetained', 'Holds only a copy of logs that are also archived elsewhere');
    });
    expect(found).toEqual([]);
  });
});
