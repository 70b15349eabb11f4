import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  Monitoring,
  Network,
  PlatformStack,
  renderVpcProps,
  RetainStatefulResources,
  Server,
  type INetwork,
  type NetworkProps,
} from '../../lib/aws';
import { defineEnvironment, type Environment } from '../../lib/core';
import { EXAMPLE_ADMIN_SSH_KEY } from '../../stacks/environments/workloads';
import { devEnvironment, devInput, prodEnvironment } from '../util/fixtures';

function stackFor(env: Environment): PlatformStack {
  return new PlatformStack(new App(), 'Test', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
  });
}

function build(
  env: Environment,
  extra: Partial<NetworkProps> = {},
  retainData?: boolean,
): { network: Network; template: Template; stack: PlatformStack } {
  const stack = stackFor(env);
  if (retainData !== undefined) RetainStatefulResources.applyTo(stack, { retainData });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
    ...extra,
  });
  return { network, stack, template: Template.fromStack(stack) };
}

describe('Network (AWS)', () => {
  test('a VPC with the spec CIDR and DNS support', () => {
    const { template } = build(devEnvironment());
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.10.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
  });

  test('public, private and isolated subnets per zone, in the explicit zones, with planned CIDRs', () => {
    const { template } = build(devEnvironment());
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')).map(
      (r) => r.Properties as Record<string, unknown>,
    );
    expect(subnets.map((s) => [s.AvailabilityZone, s.CidrBlock])).toEqual([
      ['eu-west-1a', '10.10.0.0/19'],
      ['eu-west-1b', '10.10.32.0/19'],
      ['eu-west-1a', '10.10.64.0/19'],
      ['eu-west-1b', '10.10.96.0/19'],
      ['eu-west-1a', '10.10.128.0/19'],
      ['eu-west-1b', '10.10.160.0/19'],
    ]);
    expect(subnets.every((s) => s.MapPublicIpOnLaunch === false)).toBe(true);
  });

  test('three zones in production, each with its own NAT gateway', () => {
    const { template, network } = build(prodEnvironment());
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    expect(network.privateSubnets.map((s) => s.availabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  test('one NAT gateway in development, shared by the private subnets', () => {
    const { template } = build(devEnvironment());
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::EIP', 1);
  });

  test('isolated subnets have no default route', () => {
    const { template, network, stack } = build(devEnvironment());
    const isolatedTables = network.isolatedSubnets.map((s) => stack.resolve(s.routeTable.routeTableId));
    const routes = Object.values(template.findResources('AWS::EC2::Route')).map(
      (r) => (r.Properties as { RouteTableId: unknown }).RouteTableId,
    );
    expect(routes).toHaveLength(4);
    expect(isolatedTables).toHaveLength(2);
    for (const table of isolatedTables) expect(routes).not.toContainEqual(table);
  });

  test('the default security group loses its rules', () => {
    const { template } = build(devEnvironment());
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('flow logs of all traffic go to an encrypted log group with the given retention', () => {
    const { template, network, stack } = build(devEnvironment(), { flowLogRetention: logs.RetentionDays.ONE_MONTH });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: stack.resolve(network.flowLogGroup.logGroupName),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/platform/dev/vpc-flow-logs',
      RetentionInDays: 30,
      KmsKeyId: stack.resolve(network.encryptionKey.keyArn),
    });
  });

  test('the flow log role has a customer-managed policy for its one log group and trusts only this account', () => {
    const { template, network, stack } = build(devEnvironment());
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const [roleId] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('VPC Flow Logs') },
      }),
    );
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Lets VPC Flow Logs write to /platform/dev/vpc-flow-logs',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: { 'aws:SourceArn': Match.objectLike({}) },
            },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Resource: stack.resolve(network.flowLogGroup.logGroupArn),
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      DeliverLogsPermissionArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
  });

  test("the default-security-group handler logs to an encrypted log group with the flow logs' retention", () => {
    const { template, network, stack } = build(
      devEnvironment(),
      { flowLogRetention: logs.RetentionDays.ONE_MONTH },
      false,
    );
    const groups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/platform/dev/vpc-default-sg-handler' },
    });
    const [groupId] = Object.keys(groups);
    expect(groups[groupId!]).toMatchObject({
      Properties: { RetentionInDays: 30, KmsKeyId: stack.resolve(network.encryptionKey.keyArn) },
      DeletionPolicy: 'Delete',
    });
    const handlers = template.findResources('AWS::Lambda::Function');
    expect(Object.values(handlers).map((h) => [h.Properties.LoggingConfig, h.DependsOn])).toEqual([
      [{ LogGroup: { Ref: groupId } }, expect.arrayContaining([groupId])],
    ]);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForDefaultSgHandler' })]) },
    });
  });

  test('a second network in the stack shares the handler and its log group', () => {
    const env = devEnvironment();
    const stack = stackFor(env);
    new Network(stack, 'Network', { spec: env.network, name: env.name, availabilityZones: env.aws.availabilityZones });
    new Network(stack, 'Second', { spec: env.network, name: 'dev2', availabilityZones: env.aws.availabilityZones });
    const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    expect(
      Object.values(groups)
        .map((g) => g.Properties.LogGroupName)
        .sort(),
    ).toEqual(['/platform/dev/vpc-default-sg-handler', '/platform/dev/vpc-flow-logs', '/platform/dev2/vpc-flow-logs']);
  });

  test('flow log retention defaults to one year', () => {
    build(devEnvironment()).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the flow log key rotates and lets CloudWatch Logs use it for this log group only', () => {
    const { template } = build(devEnvironment());
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      RotationPeriodInDays: 365,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForFlowLogGroup',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':logs:eu-west-1:111111111111:log-group:/platform/dev/vpc-flow-logs',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  /** [type, DeletionPolicy, UpdateReplacePolicy] of every log group and key of a template. */
  const policies = (template: Template): unknown[] =>
    ['AWS::Logs::LogGroup', 'AWS::KMS::Key'].flatMap((type) =>
      Object.values(template.findResources(type)).map((r) => [type, r.DeletionPolicy, r.UpdateReplacePolicy]),
    );

  test('the log groups (flow logs, default-SG handler) and the key are retained by default', () => {
    expect(policies(build(devEnvironment()).template)).toEqual([
      ['AWS::Logs::LogGroup', 'Retain', 'Retain'],
      ['AWS::Logs::LogGroup', 'Retain', 'Retain'],
      ['AWS::KMS::Key', 'Retain', 'Retain'],
    ]);
  });

  test('in a stack whose data is not retained (RetainStatefulResources), they are deleted with it', () => {
    expect(policies(build(devEnvironment(), {}, false).template)).toEqual([
      ['AWS::Logs::LogGroup', 'Delete', 'Delete'],
      ['AWS::Logs::LogGroup', 'Delete', 'Delete'],
      ['AWS::KMS::Key', 'Delete', 'Delete'],
    ]);
  });

  const IMPORTED_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';

  /** A dev network in a fresh stack, encrypted with the key `makeKey` creates in that stack. */
  function withKey(makeKey: (stack: PlatformStack) => kms.IKey): { stack: PlatformStack; key: kms.IKey } {
    const env = devEnvironment();
    const stack = stackFor(env);
    const key = makeKey(stack);
    new Network(stack, 'Network', {
      spec: env.network,
      name: env.name,
      availabilityZones: env.aws.availabilityZones,
      encryptionKey: key,
    });
    return { stack, key };
  }

  test('a given key gets the CloudWatch Logs statement, so the log group can deploy', () => {
    const { stack } = withKey((s) => new kms.Key(s, 'SharedKey'));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForFlowLogGroup' })]) },
    });
  });

  test('an imported key, whose policy cannot be changed here, gets a warning naming the statement to add', () => {
    const { stack } = withKey((s) => kms.Key.fromKeyArn(s, 'Imported', IMPORTED_KEY_ARN));
    Annotations.fromStack(stack).hasWarning(
      '/Test/Network',
      Match.stringLikeRegexp('allow logs.eu-west-1.amazonaws.com to use it for /platform/dev/vpc-flow-logs'),
    );
  });

  test('a given key is used instead of a new one', () => {
    const { stack, key } = withKey((s) => kms.Key.fromKeyArn(s, 'Shared', IMPORTED_KEY_ARN));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: key.keyArn });
  });

  test('logical IDs of the VPC and its stateful children are stable', () => {
    const { template } = build(devEnvironment());
    const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
    expect(ids).toEqual(
      expect.arrayContaining(['Network6E62CE96', 'NetworkFlowLogGroup4F8CEEEF', 'NetworkFlowLogKeyF785E5F9']),
    );
  });

  test('the wrong number of availability zones is refused with the field and the rule', () => {
    const env = devEnvironment();
    expect(
      () =>
        new Network(stackFor(env), 'Network', { spec: env.network, name: 'dev', availabilityZones: ['eu-west-1a'] }),
    ).toThrow(
      'Invalid Network props (1 problem):\n  - availabilityZones: ["eu-west-1a"] - exactly spec.zones (2) availability zones',
    );
  });

  test('more NAT gateways than zones are refused', () => {
    const env = devEnvironment();
    expect(
      () =>
        new Network(stackFor(env), 'Network', {
          spec: { ...env.network, natGateways: 3 },
          name: 'dev',
          availabilityZones: env.aws.availabilityZones,
        }),
    ).toThrow(/spec\.natGateways: 3 - 1 to spec\.zones \(2\)/);
  });

  describe('importing an existing network', () => {
    const ATTRIBUTES: ec2.VpcAttributes = {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.40.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
      privateSubnetIds: ['subnet-1111111111111111a', 'subnet-1111111111111111b'],
    };

    /** A server of the dev environment in `network`, with the environment's monitoring, in one stack. */
    function serverIn(network: (stack: PlatformStack) => INetwork): { template: Template; network: INetwork } {
      const base = devInput();
      const env = defineEnvironment({
        ...base,
        azure: { ...base.azure, adminSshPublicKey: EXAMPLE_ADMIN_SSH_KEY },
        servers: [{ name: 'web', size: 'small', count: 2 }],
      });
      const stack = stackFor(env);
      const imported = network(stack);
      const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
      new Server(stack, 'web', { spec: env.servers[0]!, environment: env.name, vpc: imported.vpc, monitoring });
      return { template: Template.fromStack(stack), network: imported };
    }

    test('fromAttributes gives the subnets by kind, and a server given it runs in its private subnets', () => {
      const { template, network } = serverIn((stack) => Network.fromAttributes(stack, 'Network', ATTRIBUTES));
      expect(network.privateSubnets.map((s) => s.subnetId)).toEqual(ATTRIBUTES.privateSubnetIds);
      expect(network.publicSubnets.map((s) => s.subnetId)).toEqual(ATTRIBUTES.publicSubnetIds);
      expect(network.isolatedSubnets).toEqual([]);
      // Nothing of the network is created: only the server's own resources reference it.
      template.resourceCountIs('AWS::EC2::VPC', 0);
      template.resourceCountIs('AWS::EC2::Subnet', 0);
      const instances = Object.values(template.findResources('AWS::EC2::Instance'));
      expect(instances.map((i) => i.Properties.SubnetId).sort()).toEqual(ATTRIBUTES.privateSubnetIds);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: ATTRIBUTES.vpcId });
    });

    test('fromVpc wraps a VPC of the stack: its subnets are the VPC own', () => {
      let vpc: ec2.IVpc | undefined;
      const { template, network } = serverIn((stack) => {
        vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', ATTRIBUTES);
        return Network.fromVpc(stack, 'Network', vpc);
      });
      expect(network.vpc).toBe(vpc);
      expect(network.privateSubnets).toEqual(vpc!.privateSubnets);
      expect(Object.values(template.findResources('AWS::EC2::Instance'))).toHaveLength(2);
    });
  });

  test('renderVpcProps maps the spec without synthesis', () => {
    const env = prodEnvironment();
    const props = renderVpcProps({ spec: env.network, availabilityZones: env.aws.availabilityZones });
    expect(props.natGateways).toBe(3);
    expect(props.restrictDefaultSecurityGroup).toBe(true);
    expect(props.subnetConfiguration?.map((s) => [s.name, s.cidrMask])).toEqual([
      ['Public', 20],
      ['Private', 20],
      ['Isolated', 20],
    ]);
  });
});
