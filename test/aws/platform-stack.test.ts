import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ContainerCluster,
  Monitoring,
  Network,
  PlatformStack,
  protectionOf,
  RetainStatefulResources,
  tierOf,
  type PlatformStackProps,
} from '../../lib/aws';
import { defineEnvironment, type Environment } from '../../lib/core';
import { devInput, errorOf } from '../util/fixtures';

const env: Environment = defineEnvironment(devInput());

/** A team's stack with monitoring and a network, as `props` decide. */
function teamStack(
  props: Partial<PlatformStackProps> = {},
  network: Partial<{ flowLogRetention: logs.RetentionDays }> = {},
) {
  const stack = new PlatformStack(new App(), 'Team', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    ...props,
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
    ...network,
  });
  return { stack, monitoring };
}

type Resources = Record<
  string,
  { DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties?: Record<string, unknown> }
>;

/** [DeletionPolicy, UpdateReplacePolicy] of every resource of a type. */
function policies(stack: PlatformStack, type: string): [string?, string?][] {
  const resources = Template.fromStack(stack).findResources(type) as Resources;
  return Object.values(resources).map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy]);
}

/**
 * RetentionInDays of the network's log groups (`/platform/<env>/vpc-*`), which take the tier's default; the
 * application log group takes the monitoring spec's `logRetentionDays`, an explicit setting.
 */
function retentions(stack: PlatformStack): unknown[] {
  const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup') as Resources;
  return Object.values(groups)
    .filter((g) => String(g.Properties?.LogGroupName).startsWith(`/platform/${env.name}/vpc-`))
    .map((g) => g.Properties?.RetentionInDays);
}

describe('PlatformStack tier (AWS)', () => {
  test('development: keys and log groups are deleted with the stack, logs are kept 30 days, nothing is protected', () => {
    const { stack } = teamStack({ tier: 'development' });
    expect(policies(stack, 'AWS::KMS::Key')).toEqual([
      ['Delete', 'Delete'],
      ['Delete', 'Delete'],
    ]);
    const groups = policies(stack, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(2);
    expect(new Set(groups.map((g) => g.join()))).toEqual(new Set(['Delete,Delete']));
    expect(new Set(retentions(stack))).toEqual(new Set([30]));
    expect(stack.terminationProtection).toBe(false);
    expect(protectionOf(stack)).toEqual({
      retainData: false,
      deletionProtection: false,
      terminationProtection: false,
      logRetentionDays: 30,
    });
    expect(tierOf(stack.node.findChild('Network'))).toBe('development');
  });

  test("the monitoring spec's log retention is explicit: it wins over the tier", () => {
    const { stack } = teamStack({ tier: 'production' });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/platform/${env.name}/application`,
      RetentionInDays: env.monitoring.logRetentionDays,
    });
  });

  test('production: keys and log groups are retained, logs are kept 365 days, the stack refuses deletion', () => {
    const { stack } = teamStack({ tier: 'production' });
    expect(new Set(policies(stack, 'AWS::KMS::Key').map((p) => p.join()))).toEqual(new Set(['Retain,Retain']));
    expect(new Set(policies(stack, 'AWS::Logs::LogGroup').map((p) => p.join()))).toEqual(new Set(['Retain,Retain']));
    expect(new Set(retentions(stack))).toEqual(new Set([365]));
    expect(stack.terminationProtection).toBe(true);
  });

  test('without a tier, a stack is treated as production: the safe case', () => {
    const { stack } = teamStack();
    expect(stack.tier).toBe('production');
    expect(new Set(policies(stack, 'AWS::KMS::Key').map((p) => p.join()))).toEqual(new Set(['Retain,Retain']));
    expect(new Set(retentions(stack))).toEqual(new Set([365]));
    expect(stack.terminationProtection).toBe(true);
  });

  test('production retains every stateful resource of the stack, even one the team created to be deleted', () => {
    const { stack } = teamStack({ tier: 'production' });
    new logs.LogGroup(stack, 'TeamLogs', { removalPolicy: RemovalPolicy.DESTROY });
    expect(new Set(policies(stack, 'AWS::Logs::LogGroup').map((p) => p.join()))).toEqual(new Set(['Retain,Retain']));
  });

  test('development leaves a resource the team created alone: its own removal policy holds', () => {
    const { stack } = teamStack({ tier: 'development' });
    const bucket = new s3.Bucket(stack, 'TeamData', { removalPolicy: RemovalPolicy.RETAIN });
    const resources = Template.fromStack(stack).toJSON().Resources as Resources;
    expect(resources[stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)]!.DeletionPolicy).toBe('Retain');
  });

  describe('explicit settings win', () => {
    test("the stack's protection overrides the tier", () => {
      const { stack } = teamStack({ tier: 'development', protection: { retainData: true, logRetentionDays: 90 } });
      expect(new Set(policies(stack, 'AWS::KMS::Key').map((p) => p.join()))).toEqual(new Set(['Retain,Retain']));
      expect(new Set(retentions(stack))).toEqual(new Set([90]));
    });

    test("StackProps.terminationProtection overrides the tier's", () => {
      const { stack } = teamStack({ tier: 'production', terminationProtection: false });
      expect(stack.terminationProtection).toBe(false);
      expect(stack.protection.terminationProtection).toBe(false);
    });

    test("a construct's props override the stack's tier", () => {
      const { stack } = teamStack({ tier: 'development' }, { flowLogRetention: logs.RetentionDays.ONE_YEAR });
      new ContainerCluster(stack, 'Containers', {
        name: env.name,
        vpc: (stack.node.findChild('Network') as Network).vpc,
        logRetentionDays: 180,
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/platform/dev/vpc-flow-logs',
        RetentionInDays: 365,
      });
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 180 })] },
      });
    });

    test('RetainStatefulResources nearer to a construct wins over the tier of its stack', () => {
      const stack = new PlatformStack(new App(), 'Team', { availabilityZones: ['eu-west-1a'], tier: 'development' });
      const kept = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
      RetainStatefulResources.applyTo(kept, { retainData: true });
      expect(RetainStatefulResources.removalPolicyOf(kept)).toBe(RemovalPolicy.RETAIN);
      expect(RetainStatefulResources.removalPolicyOf(stack)).toBe(RemovalPolicy.DESTROY);
    });
  });

  test('a wrong prop names the stack and the prop', () => {
    const message = errorOf(
      () =>
        new PlatformStack(new App(), 'Team', {
          availabilityZones: 'eu-west-1a',
          tier: 7,
        } as unknown as PlatformStackProps),
    ).message;
    expect(message).toContain('Invalid PlatformStack props (Team)');
    expect(message).toContain('props.availabilityZones: "eu-west-1a"');
    expect(message).toContain('props.tier: 7');
  });
});
