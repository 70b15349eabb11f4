import { App, CfnDeletionPolicy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
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

  test('Noncompliance: Snapshot on a type that takes no snapshot (a KMS key) loses the key', () => {
    const found = violations('production', (s) => {
      const key = new kms.Key(s, 'Key', { removalPolicy: RemovalPolicy.SNAPSHOT });
      expect((key.node.defaultChild as kms.CfnKey).cfnOptions.deletionPolicy).toBe('Snapshot');
    });
    expect(found).toEqual([{ ruleName: 'Platform-StatefulRetained', paths: ['Test/Key/Resource'] }]);
  });

  test('Compliance: a volume deleted to a snapshot, kept on replacement', () => {
    const found = violations('production', (s) => {
      const volume = new ec2.CfnVolume(s, 'Volume', { availabilityZone: 'eu-west-1a', size: 10, encrypted: true });
      volume.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
      volume.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    });
    expect(found).toEqual([]);
  });

  test('Noncompliance: Snapshot on replacement deletes the live volume', () => {
    const found = violations('production', (s) => {
      const volume = new ec2.CfnVolume(s, 'Volume', { availabilityZone: 'eu-west-1a', size: 10, encrypted: true });
      volume.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
      volume.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.SNAPSHOT;
    });
    expect(found.map((v) => v.ruleName)).toEqual(['Platform-StatefulRetained']);
  });
});
