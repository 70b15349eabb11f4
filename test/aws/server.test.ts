import { App, ArnFormat, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import {
  acknowledgementsOn,
  ImagePin,
  Monitoring,
  PlatformChecks,
  Network,
  PlatformStack,
  renderInstanceStatements,
  RetainStatefulResources,
  Server,
  type ServerProps,
} from '../../lib/aws';
import {
  defineEnvironment,
  OPERATING_SYSTEM_IMAGES,
  SERVER_ALARM_BASICS,
  SERVER_SIZE_NAMES,
  SERVER_SIZES,
  zoneIndexOf,
  type Environment,
  type EnvironmentInput,
  type ServerSpec,
  type Tier,
} from '../../lib/core';
import { EnvironmentStage } from '../../stacks/aws';
import { EXAMPLE_ADMIN_SSH_KEY } from '../../stacks/environments/workloads';
import { buildServers, type BuiltServers } from '../util/aws-servers';
import { withTemporaryFolder } from '../util/temp';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type ServerInput = NonNullable<EnvironmentInput['servers']>[number];
type Properties = Record<string, unknown>;

const WEB: ServerInput = {
  name: 'web',
  size: 'medium',
  count: 2,
  diskGiB: 64,
  configuration: { packages: ['nginx'] },
};
const OPS: ServerInput = { name: 'ops', size: 'small', os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' } };
const ALARM_KINDS = ['recovery', 'status-checks', 'cpu', 'memory', 'disk'] as const;

/** An environment with servers (Azure needs the admin key once there are servers). */
function envWith(
  servers: ServerInput[],
  base: EnvironmentInput = devInput(),
  monitoring: EnvironmentInput['monitoring'] = {},
): Environment {
  return defineEnvironment({
    ...base,
    azure: { ...base.azure, adminSshPublicKey: EXAMPLE_ADMIN_SSH_KEY },
    monitoring: { ...base.monitoring, ...monitoring },
    servers,
  });
}

type Built = BuiltServers;
/**
 * The environment's network, monitoring and servers in one stack of the environment's tier, wired like
 * ComputeStack (test/util/aws-servers.ts builds the same in a stack of the default, production, tier).
 */
function build(env: Environment, props: Partial<ServerProps> = {}): Built {
  return withTemporaryFolder('platform-servers-', (outdir) => {
    const stack = new PlatformStack(new App({ outdir }), 'Test', {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
      tier: env.tier,
    });
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    const network = new Network(stack, 'Network', {
      spec: env.network,
      name: env.name,
      availabilityZones: env.aws.availabilityZones,
    });
    const servers = env.servers.map(
      (spec) => new Server(stack, spec.name, { spec, environment: env.name, vpc: network.vpc, monitoring, ...props }),
    );
    return { stack, template: Template.fromStack(stack), network, monitoring, servers, env };
  });
}

/** The synthesized Properties of one L1 resource. */
function propertiesOf(built: Built, resource: CfnResource): Properties {
  const resources = built.template.toJSON().Resources as Record<string, { Properties: Properties }>;
  return resources[built.stack.getLogicalId(resource)]!.Properties;
}

function instanceProperties(built: Built, server: Server): Properties[] {
  return server.instances.map((instance) => propertiesOf(built, instance.instance));
}

/** The properties of every instance of every server built, never none (a loop over them must check something). */
function everyInstance(built: Built): Properties[] {
  const all = built.servers.flatMap((server) => instanceProperties(built, server));
  expect(all.length).toBeGreaterThan(0);
  return all;
}

function tagsOf(properties: Properties): Record<string, string> {
  const tags = properties.Tags as { Key: string; Value: string }[];
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

function serverAlarmNames(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => String(a.Properties.AlarmName))
    .filter((name) => name.includes('-server.'))
    .sort();
}

function alarmProperties(template: Template, name: string): Properties {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }));
  expect(found).toHaveLength(1);
  return found[0]!.Properties as Properties;
}

function pinOf(server: Server): ImagePin {
  const pin = server.node.findChild('Image');
  if (!(pin instanceof ImagePin)) throw new Error(`${server.node.path} has no ImagePin`);
  return pin;
}

describe('Server (AWS)', () => {
  let built: Built;
  let web: Server;
  let ops: Server;
  beforeAll(() => {
    built = build(envWith([WEB, OPS]));
    [web, ops] = built.servers as [Server, Server];
  });

  test('count instances per definition, named platform-<env>-<name>-<n>', () => {
    built.template.resourceCountIs('AWS::EC2::Instance', 3);
    expect(web.instances).toHaveLength(2);
    expect(ops.instances).toHaveLength(1);
    expect([...instanceProperties(built, web), ...instanceProperties(built, ops)].map((p) => tagsOf(p).Name)).toEqual([
      'platform-dev-web-1',
      'platform-dev-web-2',
      'platform-dev-ops-1',
    ]);
  });

  test('the instance type follows the size, the same on every instance of a definition', () => {
    expect(instanceProperties(built, web).map((p) => p.InstanceType)).toEqual(['m6i.xlarge', 'm6i.xlarge']);
    expect(instanceProperties(built, ops).map((p) => p.InstanceType)).toEqual(['m6i.large']);
  });

  test('each size maps to its SERVER_SIZES instance type', () => {
    const sized = build(envWith(SERVER_SIZE_NAMES.map((size) => ({ name: size, size }))));
    expect(sized.servers.map((s) => instanceProperties(sized, s)[0]!.InstanceType)).toEqual(
      SERVER_SIZE_NAMES.map((size) => SERVER_SIZES[size].awsInstanceType),
    );
    expect(SERVER_SIZE_NAMES.map((size) => SERVER_SIZES[size].awsInstanceType)).toEqual([
      'm6i.large',
      'm6i.xlarge',
      'm6i.2xlarge',
      'm6i.4xlarge',
    ]);
  });

  test('instance i runs in the private subnet of zone zoneIndexOf(i, zones, name)', () => {
    const zones = built.network.vpc.availabilityZones;
    const privateSubnets = built.network.vpc.privateSubnets;
    for (const server of [web, ops]) {
      const expected = server.instances.map((_, i) => {
        const zone = zoneIndexOf(i, zones.length, server.node.id);
        return [built.stack.resolve(privateSubnets[zone]!.subnetId), zones[zone]];
      });
      expect(instanceProperties(built, server).map((p) => [p.SubnetId, p.AvailabilityZone])).toEqual(expected);
    }
    // The two web servers are in different zones.
    expect(new Set(instanceProperties(built, web).map((p) => p.AvailabilityZone)).size).toBe(2);
  });

  test('adding an instance keeps the earlier ones where they are, under the same logical IDs', () => {
    const larger = build(envWith([{ ...WEB, count: 3 }, OPS]));
    const placement = (b: Built, server: Server): unknown[][] =>
      server.instances.map((instance) => [
        b.stack.getLogicalId(instance.instance),
        propertiesOf(b, instance.instance).SubnetId,
        propertiesOf(b, instance.instance).AvailabilityZone,
      ]);
    const before = placement(built, web);
    const after = placement(larger, larger.servers[0]!);
    expect(after).toHaveLength(3);
    expect(after.slice(0, 2)).toEqual(before);
  });

  test('IMDSv2 is required, with a hop limit of 1', () => {
    for (const properties of everyInstance(built)) {
      expect(properties.MetadataOptions).toEqual({
        HttpEndpoint: 'enabled',
        HttpTokens: 'required',
        HttpPutResponseHopLimit: 1,
      });
    }
  });

  test('no public IP and no SSH key: the instances sit in private subnets and are reached through Session Manager', () => {
    const privateSubnets = built.network.vpc.privateSubnets.map((s) => built.stack.resolve(s.subnetId));
    const publicSubnets = built.network.vpc.publicSubnets.map((s) => built.stack.resolve(s.subnetId));
    for (const properties of everyInstance(built)) {
      expect(properties.KeyName).toBeUndefined();
      expect(properties.NetworkInterfaces).toBeUndefined();
      expect(properties.AssociatePublicIpAddress).toBeUndefined();
      expect(privateSubnets).toContainEqual(properties.SubnetId);
      expect(publicSubnets).not.toContainEqual(properties.SubnetId);
    }
    built.template.resourceCountIs('AWS::EC2::KeyPair', 0);
    built.template.resourceCountIs('AWS::EC2::EIP', 1); // the NAT gateway's only
  });

  test("an explicit encrypted gp3 root volume on the OS's root device, of diskGiB", () => {
    const volume = (deviceName: string, size: number): unknown => [
      {
        DeviceName: deviceName,
        Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: size, VolumeType: 'gp3' },
      },
    ];
    expect(instanceProperties(built, web).map((p) => p.BlockDeviceMappings)).toEqual([
      volume('/dev/sda1', 64),
      volume('/dev/sda1', 64),
    ]);
    expect(instanceProperties(built, ops).map((p) => p.BlockDeviceMappings)).toEqual([volume('/dev/xvda', 30)]);
    expect([
      OPERATING_SYSTEM_IMAGES['ubuntu-24.04'].awsRootDevice,
      OPERATING_SYSTEM_IMAGES['amazon-linux-2023'].awsRootDevice,
    ]).toEqual(['/dev/sda1', '/dev/xvda']);
  });

  test('detailed monitoring and EBS optimization are on', () => {
    for (const properties of everyInstance(built)) {
      expect([properties.Monitoring, properties.EbsOptimized]).toEqual([true, true]);
    }
  });

  test('API termination is allowed without deletion protection', () => {
    expect(instanceProperties(built, web).map((p) => p.DisableApiTermination)).toEqual([false, false]);
  });

  test('tags select the instances for backup (platform-<env>), configuration and patching, and reach their volumes', () => {
    expect(instanceProperties(built, web).map((p) => [tagsOf(p), p.PropagateTagsToVolumeOnCreation])).toEqual([
      [
        {
          Name: 'platform-dev-web-1',
          'platform:backup': 'platform-dev',
          'platform:server': 'dev-web',
          PatchGroup: 'platform-dev-ubuntu-24.04',
        },
        true,
      ],
      [
        {
          Name: 'platform-dev-web-2',
          'platform:backup': 'platform-dev',
          'platform:server': 'dev-web',
          PatchGroup: 'platform-dev-ubuntu-24.04',
        },
        true,
      ],
    ]);
    expect(tagsOf(instanceProperties(built, ops)[0]!)).toMatchObject({
      'platform:server': 'dev-ops',
      PatchGroup: 'platform-dev-amazon-linux-2023',
    });
  });

  test('the security group admits nothing inbound and lets out HTTPS and HTTP only', () => {
    const groupId = built.stack.resolve(web.securityGroup.securityGroupId);
    expect(instanceProperties(built, web).map((p) => p.SecurityGroupIds)).toEqual([[groupId], [groupId]]);
    expect(propertiesOf(built, web.securityGroup.node.defaultChild as ec2.CfnSecurityGroup)).toEqual({
      GroupDescription: 'platform-dev-web: no inbound traffic (shells through Session Manager); HTTPS and HTTP out',
      VpcId: built.stack.resolve(built.network.vpc.vpcId),
      SecurityGroupEgress: [
        {
          CidrIp: '0.0.0.0/0',
          Description: 'AWS APIs and HTTPS package mirrors',
          FromPort: 443,
          IpProtocol: 'tcp',
          ToPort: 443,
        },
        {
          CidrIp: '0.0.0.0/0',
          Description: 'HTTP package mirrors (apt signs its indexes)',
          FromPort: 80,
          IpProtocol: 'tcp',
          ToPort: 80,
        },
      ],
    });
    expect(
      built.template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: groupId } }),
    ).toEqual({});
    expect(built.template.findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: groupId } })).toEqual(
      {},
    );
  });

  test('the instance role is trusted by EC2 only and has no AWS managed policy or inline policy', () => {
    expect(propertiesOf(built, web.role.node.defaultChild as CfnResource)).toEqual({
      Description: 'Instances of platform-dev-web: Session Manager, State Manager, patching, the CloudWatch agent',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }],
      },
    });
    const roleRef = built.stack.resolve(web.role.roleName);
    expect(
      built.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([roleRef]) } }),
    ).toEqual({});
    built.template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [roleRef] });
  });

  test('a customer-managed policy gives the role exactly the statements of renderInstanceStatements', () => {
    const statements = renderInstanceStatements(
      built.stack,
      built.monitoring.applicationLogGroup,
      'Platform/dev/server/web',
    ).map((s) => s.toStatementJson());
    const managed = built.template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [built.stack.resolve(web.role.roleName)] },
    });
    expect(Object.values(managed).map((p) => p.Properties.PolicyDocument)).toEqual([
      { Version: '2012-10-17', Statement: built.stack.resolve(statements) },
    ]);
  });

  test("PutMetricData is limited to the definition's namespace and the logs actions to the application log group", () => {
    const statements = built.stack.resolve(
      renderInstanceStatements(built.stack, built.monitoring.applicationLogGroup, 'Platform/dev/server/web').map((s) =>
        s.toStatementJson(),
      ),
    ) as { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[];
    expect(statements.map((s) => s.Sid)).toEqual([
      'SessionAndStateManager',
      'ReadDocuments',
      'ReadAgentConfiguration',
      'AgentMetrics',
      'WriteLogs',
      'FindLogGroups',
      'SystemsManagerBuckets',
    ]);
    // The agent reads the library's own configuration documents, in this account, besides AWS-owned ones.
    const stack = built.stack;
    expect(statements.find((s) => s.Sid === 'ReadDocuments')?.Resource).toEqual(
      stack.resolve([
        stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: '*' }),
        stack.formatArn({ service: 'ssm', resource: 'document', resourceName: 'platform-*' }),
      ]),
    );
    // The SSM agent checks that a command's output log group exists before streaming patch output there.
    expect(statements.find((s) => s.Sid === 'FindLogGroups')).toEqual({
      Sid: 'FindLogGroups',
      Effect: 'Allow',
      Action: 'logs:DescribeLogGroups',
      Resource: stack.resolve(
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    });
    expect(statements.find((s) => s.Sid === 'AgentMetrics')).toEqual({
      Sid: 'AgentMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Platform/dev/server/web' } },
    });
    expect(statements.find((s) => s.Sid === 'WriteLogs')).toEqual({
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: built.stack.resolve(built.monitoring.applicationLogGroup.logGroupArn),
    });
    // Every other action is on a specific resource, or is one of the actions without resource-level permissions.
    const wildcards = statements.filter((s) => s.Resource === '*').map((s) => s.Sid);
    expect(wildcards).toEqual(['SessionAndStateManager', 'AgentMetrics']);
  });
});

describe('Server image (AWS)', () => {
  let built: Built;
  let web: Server;
  let ops: Server;
  const builtEnv = envWith([WEB, OPS]);
  beforeAll(() => {
    built = build(builtEnv);
    [web, ops] = built.servers as [Server, Server];
  });

  test("without image.awsImageId, each instance keeps the image an ImagePin read once from the OS's public parameter", () => {
    for (const [server, os] of [
      [web, 'ubuntu-24.04'],
      [ops, 'amazon-linux-2023'],
    ] as const) {
      const pin = pinOf(server);
      const imageId = built.stack.resolve(pin.imageId) as { 'Fn::GetAtt': [string, string] };
      const [pinId, attribute] = imageId['Fn::GetAtt'];
      expect(attribute).toBe('Parameter.Value');
      const resource = (built.template.toJSON().Resources as Record<string, { Type: string; Properties: Properties }>)[
        pinId
      ]!;
      expect(resource.Type).toBe('Custom::ImagePin');
      expect(JSON.parse(String(resource.Properties.Create))).toMatchObject({
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: OPERATING_SYSTEM_IMAGES[os].awsImageParameter },
      });
      expect(resource.Properties.Update).toBeUndefined();
      expect(resource.Properties.Delete).toBeUndefined();
      expect(instanceProperties(built, server).map((p) => p.ImageId)).toEqual(server.instances.map(() => imageId));
    }
    built.template.resourceCountIs('Custom::ImagePin', 2);
  });

  test('the instances carry no user data that could change: configuration travels through State Manager', () => {
    for (const properties of everyInstance(built)) {
      expect(properties.UserData).toEqual({ 'Fn::Base64': '#!/bin/bash' });
    }
  });

  test('one provider function and one encrypted, retained log group per stack (no tier given: production), shared by every definition', () => {
    const built = buildServers(builtEnv);
    const provider = built.stack.node.findChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
    );
    if (!(provider instanceof lambda.Function)) throw new Error('no provider function');
    const pins = Object.values(built.template.findResources('Custom::ImagePin'));
    expect(pins.map((p) => p.Properties.ServiceToken)).toEqual([
      built.stack.resolve(provider.functionArn),
      built.stack.resolve(provider.functionArn),
    ]);
    const groups = built.template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/platform/dev/image-pin' },
    });
    expect(Object.values(groups)).toEqual([
      {
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          LogGroupName: '/platform/dev/image-pin',
          KmsKeyId: built.stack.resolve(built.monitoring.encryptionKey.keyArn),
          RetentionInDays: 365,
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      },
    ]);
    expect(propertiesOf(built, provider.node.defaultChild as CfnResource).LoggingConfig).toEqual({
      LogGroup: { Ref: Object.keys(groups)[0] },
    });
  });

  test('logRetentionDays sets the retention of the image pin log group', () => {
    const short = build(envWith([WEB]), { logRetentionDays: 90 });
    short.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/platform/dev/image-pin',
      RetentionInDays: 90,
    });
  });

  test('the instances are retained by default (no tier given: production): a replaced or removed server keeps its root volume', () => {
    const resources = buildServers(builtEnv).template.findResources('AWS::EC2::Instance');
    expect(Object.values(resources).map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual([
      ['Retain', 'Retain'],
      ['Retain', 'Retain'],
      ['Retain', 'Retain'],
    ]);
  });

  test('in a stack whose data is not retained (RetainStatefulResources), the instances and the pin log group are deleted with it', () => {
    const env = envWith([WEB]);
    const stack = new PlatformStack(new App(), 'Disposable', {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
    });
    RetainStatefulResources.applyTo(stack, { retainData: false });
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    const network = new Network(stack, 'Network', {
      spec: env.network,
      name: env.name,
      availabilityZones: env.aws.availabilityZones,
    });
    new Server(stack, 'web', { spec: env.servers[0]!, environment: env.name, vpc: network.vpc, monitoring });
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::EC2::Instance')).map((r) => [
      r.DeletionPolicy,
      r.UpdateReplacePolicy,
    ]);
    expect(policies).toEqual([
      ['Delete', 'Delete'],
      ['Delete', 'Delete'],
    ]);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({ LogGroupName: '/platform/dev/image-pin' }),
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('a pinned image.awsImageId is used as given, without an ImagePin, provider or its log group', () => {
    const pinned = build(envWith([{ ...WEB, image: { awsImageId: 'ami-0123456789abcdef0' } }]));
    expect(instanceProperties(pinned, pinned.servers[0]!).map((p) => p.ImageId)).toEqual([
      'ami-0123456789abcdef0',
      'ami-0123456789abcdef0',
    ]);
    pinned.template.resourceCountIs('Custom::ImagePin', 0);
    expect(pinned.servers[0]!.node.tryFindChild('Image')).toBeUndefined();
    expect(
      pinned.template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/platform/dev/image-pin' } }),
    ).toEqual({});
  });
});

describe('Server props (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build(envWith([WEB]), { deletionProtection: true, backupPlan: 'platform-shared' });
  });

  test('deletionProtection sets DisableApiTermination on every instance', () => {
    expect(instanceProperties(built, built.servers[0]!).map((p) => p.DisableApiTermination)).toEqual([true, true]);
  });

  test('backupPlan replaces the platform:backup tag value', () => {
    expect(instanceProperties(built, built.servers[0]!).map((p) => tagsOf(p)['platform:backup'])).toEqual([
      'platform-shared',
      'platform-shared',
    ]);
  });

  test('with deletion protection the instances carry no EC29 acknowledgement; without it they do', () => {
    expect(built.servers[0]!.instances.map((i) => acknowledgementsOn(i)['AwsSolutions-EC29'])).toEqual([
      undefined,
      undefined,
    ]);
    const unprotected = build(envWith([WEB]));
    expect(unprotected.servers[0]!.instances.map((i) => acknowledgementsOn(i)['AwsSolutions-EC29'])).toEqual([
      expect.stringMatching(/^A development-tier server: development tiers are disposable/),
      expect.stringMatching(/^A development-tier server: development tiers are disposable/),
    ]);
  });

  test("a production server without deletion protection is not acknowledged on its team's behalf", () => {
    const unprotected = build(envWith([WEB], prodInput()), { deletionProtection: false });
    expect(unprotected.servers[0]!.instances.map((i) => acknowledgementsOn(i)['AwsSolutions-EC29'])).toEqual([
      undefined,
      undefined,
    ]);
    expect(instanceProperties(unprotected, unprotected.servers[0]!).map((p) => p.DisableApiTermination)).toEqual([
      false,
      false,
    ]);
  });

  test('outside a PlatformStack of a given tier, a server is protected as in production', () => {
    const safe = buildServers(envWith([WEB]));
    expect(instanceProperties(safe, safe.servers[0]!).map((p) => p.DisableApiTermination)).toEqual([true, true]);
  });
});

describe('Server alarms (AWS)', () => {
  let built: Built;
  let web: Server;
  let ops: Server;
  beforeAll(() => {
    built = build(envWith([WEB, OPS]));
    [web, ops] = built.servers as [Server, Server];
  });

  const names = (server: string, count: number): string[] =>
    ALARM_KINDS.flatMap((kind) =>
      Array.from({ length: count }, (_, i) => `platform-dev-server.${server}.${kind}.${i + 1}`),
    );

  test('the dashboard finds the servers by their namespace, so it references no instance of another stack', () => {
    const [dashboard] = Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'));
    const joined = (dashboard?.Properties.DashboardBody['Fn::Join'] as [string, unknown[]])[1];
    // Tokens (the region, alarm ARNs) stand inside strings of the body; a placeholder keeps it parseable.
    const body = JSON.parse(joined.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
      widgets: { properties: { markdown?: string; metrics?: unknown[][] } }[];
    };
    const expressions = body.widgets.flatMap((w) =>
      (w.properties.metrics ?? [])
        .flat()
        .flatMap((m) => (typeof m === 'object' && m && 'expression' in m ? [m.expression] : [])),
    );
    expect(body.widgets.map((w) => w.properties.markdown).filter((m) => m?.startsWith('## Servers'))).toEqual([
      '## Servers: web',
      '## Servers: ops',
    ]);
    expect(expressions.filter((e) => String(e).includes('/server/web,'))).toEqual([
      `SEARCH('{Platform/dev/server/web,InstanceId,cpu} MetricName="cpu_usage_active"', 'Average', 300)`,
      `SEARCH('{Platform/dev/server/web,InstanceId} MetricName="mem_used_percent"', 'Average', 300)`,
      `SEARCH('{Platform/dev/server/web,InstanceId,fstype,path} MetricName="disk_used_percent"', 'Average', 300)`,
    ]);
    const instanceRefs = web.instances.map((i) => JSON.stringify(built.stack.resolve(i.instanceId)));
    for (const ref of instanceRefs) expect(JSON.stringify(joined)).not.toContain(ref);
  });

  test('five alarms per instance, named platform-<env>-server.<name>.<kind>.<n>', () => {
    expect(serverAlarmNames(built.template)).toEqual([...names('web', 2), ...names('ops', 1)].sort());
  });

  test('the recovery alarm recovers the instance onto new hardware and notifies the critical channel', () => {
    const critical = built.stack.resolve(built.monitoring.topics.critical.topicArn);
    web.instances.forEach((instance, i) => {
      expect(alarmProperties(built.template, `platform-dev-server.web.recovery.${i + 1}`)).toMatchObject({
        Namespace: 'AWS/EC2',
        MetricName: 'StatusCheckFailed_System',
        Dimensions: [{ Name: 'InstanceId', Value: built.stack.resolve(instance.instanceId) }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 1,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [
          critical,
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':automate:eu-west-1:ec2:recover']] },
        ],
        OKActions: [critical],
      });
    });
  });

  test('the status-checks alarm notifies the critical channel when the operating system stops responding', () => {
    expect(alarmProperties(built.template, 'platform-dev-server.web.status-checks.2')).toMatchObject({
      MetricName: 'StatusCheckFailed_Instance',
      Dimensions: [{ Name: 'InstanceId', Value: built.stack.resolve(web.instances[1]!.instanceId) }],
      Threshold: 1,
      EvaluationPeriods: 3,
      AlarmActions: [built.stack.resolve(built.monitoring.topics.critical.topicArn)],
    });
  });

  test('cpu, memory and disk alarms use the thresholds and periods of SERVER_ALARM_BASICS', () => {
    const warning = built.stack.resolve(built.monitoring.topics.warning.topicArn);
    for (const [kind, namespace, metric] of [
      ['cpu', 'AWS/EC2', 'CPUUtilization'],
      ['memory', 'Platform/dev/server/web', 'mem_used_percent'],
      ['disk', 'Platform/dev/server/web', 'disk_used_percent'],
    ] as const) {
      expect(alarmProperties(built.template, `platform-dev-server.web.${kind}.1`)).toMatchObject({
        Namespace: namespace,
        MetricName: metric,
        Statistic: 'Average',
        Period: 300,
        Threshold: SERVER_ALARM_BASICS[kind].threshold,
        EvaluationPeriods: SERVER_ALARM_BASICS[kind].evaluationPeriods,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [warning],
      });
    }
    expect(
      (['cpu', 'memory', 'disk'] as const).map((k) => [
        SERVER_ALARM_BASICS[k].threshold,
        SERVER_ALARM_BASICS[k].evaluationPeriods,
      ]),
    ).toEqual([
      [90, 3],
      [90, 3],
      [85, 1],
    ]);
  });

  test('the disk alarm watches "/" with the root file system of the OS (ext4 on Ubuntu, xfs on Amazon Linux 2023)', () => {
    expect(alarmProperties(built.template, 'platform-dev-server.web.disk.2').Dimensions).toEqual([
      { Name: 'InstanceId', Value: built.stack.resolve(web.instances[1]!.instanceId) },
      { Name: 'fstype', Value: 'ext4' },
      { Name: 'path', Value: '/' },
    ]);
    expect(alarmProperties(built.template, 'platform-dev-server.ops.disk.1').Dimensions).toEqual([
      { Name: 'InstanceId', Value: built.stack.resolve(ops.instances[0]!.instanceId) },
      { Name: 'fstype', Value: 'xfs' },
      { Name: 'path', Value: '/' },
    ]);
  });

  test('the memory alarm reads the agent metric of its own instance', () => {
    expect(alarmProperties(built.template, 'platform-dev-server.web.memory.2').Dimensions).toEqual([
      { Name: 'InstanceId', Value: built.stack.resolve(web.instances[1]!.instanceId) },
    ]);
  });

  test('a spec override of server/web/cpu applies to every web instance and to no other server', () => {
    const tuned = build(envWith([WEB, OPS], devInput(), { alarms: { 'server/web/cpu': { threshold: 75 } } }));
    expect(
      ['web.cpu.1', 'web.cpu.2', 'ops.cpu.1'].map(
        (n) => alarmProperties(tuned.template, `platform-dev-server.${n}`).Threshold,
      ),
    ).toEqual([75, 75, 90]);
    expect(alarmProperties(tuned.template, 'platform-dev-server.web.cpu.1').AlarmDescription).toMatch(
      /^\[warning\] A server's CPU was above 75% for 15 minutes\./,
    );
  });

  test('an override of the Azure-only server/web/availability alarm is accepted and changes no AWS alarm', () => {
    const tuned = build(envWith([WEB, OPS], devInput(), { alarms: { 'server/web/availability': { threshold: 0.5 } } }));
    expect(serverAlarmNames(built.template)).toHaveLength(15);
    expect(serverAlarmNames(tuned.template)).toEqual(serverAlarmNames(built.template));
  });

  test('an override of an alarm no server has still fails synthesis', () => {
    const env = envWith([WEB], devInput(), { alarms: { 'server/db/cpu': { threshold: 75 } } });
    expect(errorOf(() => build(env)).message).toContain(
      'monitoring.alarms.server/db/cpu: no alarm has this id, so the override would be ignored',
    );
  });

  test('switching server/web/recovery off with a reason removes every web recovery alarm, and only those', () => {
    const reason = 'The web servers are stateless and replaced by the load balancer health checks';
    const off = build(
      envWith([WEB, OPS], devInput(), { alarms: { 'server/web/recovery': { enabled: false, reason } } }),
    );
    expect(serverAlarmNames(off.template)).toEqual(
      [...names('web', 2), ...names('ops', 1)].filter((n) => !n.includes('.web.recovery.')).sort(),
    );
    expect(off.monitoring.disabledAlarms).toEqual(new Map([['server/web/recovery', reason]]));
  });
});

describe('Server guardrails (AWS)', () => {
  function packsFor(tier: Tier): NagPack[] {
    return [
      new AwsSolutionsChecks(),
      new PlatformChecks(undefined, { tier }),
      ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
    ];
  }

  /** Unacknowledged findings of the compute stack (servers, their image pin and patching). */
  function computeFindings(stage: EnvironmentStage, tier: Tier): string[] {
    return packsFor(tier).flatMap((pack) =>
      pack
        .validateScope(stage.compute)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
  }

  test('a production environment has no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding on its servers', () => {
    const stage = new EnvironmentStage(new App(), envWith([{ ...WEB, count: 3 }, OPS], prodInput()));
    expect(computeFindings(stage, 'production')).toEqual([]);
    const instances = [...stage.compute.servers.values()].flatMap((s) => s.instances);
    // Three web servers and the production default of two ops servers.
    expect(instances).toHaveLength(5);
    // Production instances satisfy EC29 instead of acknowledging it.
    expect(instances.map((i) => acknowledgementsOn(i)['AwsSolutions-EC29'])).toEqual(instances.map(() => undefined));
    const template = Template.fromStack(stage.compute);
    expect(
      Object.values(template.findResources('AWS::EC2::Instance')).map((r) => r.Properties.DisableApiTermination),
    ).toEqual([true, true, true, true, true]);
  });

  test('a development environment has no unacknowledged AwsSolutions or Platform finding, with EC29 acknowledged', () => {
    const stage = new EnvironmentStage(new App(), envWith([WEB, OPS]));
    expect(computeFindings(stage, 'development')).toEqual([]);
    const instances = [...stage.compute.servers.values()].flatMap((s) => s.instances);
    expect(instances.map((i) => Object.keys(acknowledgementsOn(i)).includes('AwsSolutions-EC29'))).toEqual([
      true,
      true,
      true,
    ]);
  });
});

describe('Server validation (AWS)', () => {
  const env = envWith([WEB]);
  const spec: ServerSpec = env.servers[0]!;

  function stackWithVpc(subnets: ec2.SubnetConfiguration[]): {
    stack: PlatformStack;
    vpc: ec2.Vpc;
    monitoring: Monitoring;
  } {
    const stack = new PlatformStack(new App(), 'Test', {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
    });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: [...env.aws.availabilityZones],
      subnetConfiguration: subnets,
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
    });
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    return { stack, vpc, monitoring };
  }

  function serverIn(s: ServerSpec, subnets: ec2.SubnetConfiguration[]): Server {
    const { stack, vpc, monitoring } = stackWithVpc(subnets);
    return new Server(stack, s.name, { spec: s, environment: env.name, vpc, monitoring });
  }

  const isolatedOnly = [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }];
  const withPrivate = [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
    { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  ];

  test('a VPC without private subnets is refused, naming servers.<name>.subnet', () => {
    const publicOnly = [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }];
    expect(() => serverIn(spec, publicOnly)).toThrow(
      'Invalid server (1 problem):\n  - servers.web.subnet: "private" - a VPC with private subnets',
    );
  });

  test('a VPC with isolated subnets only is refused too: servers need a route out for packages and AWS APIs', () => {
    expect(() => serverIn(spec, isolatedOnly)).toThrow(
      'Invalid server (1 problem):\n  - servers.web.subnet: "private" - a VPC with private subnets',
    );
  });

  test('a root disk smaller than the image is refused, naming servers.<name>.diskGiB', () => {
    expect(() => serverIn({ ...spec, diskGiB: 4 }, withPrivate)).toThrow(
      'Invalid server (1 problem):\n  - servers.web.diskGiB: 4 - at least 8 GiB for ubuntu-24.04',
    );
  });

  test('fewer than one instance is refused, naming servers.<name>.count', () => {
    expect(() => serverIn({ ...spec, count: 0 }, withPrivate)).toThrow(
      'Invalid server (1 problem):\n  - servers.web.count: 0 - at least 1',
    );
  });

  test('every problem is reported at once', () => {
    const message = errorOf(() =>
      serverIn({ ...spec, diskGiB: 2, count: 0 }, [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }]),
    ).message;
    expect(message).toBe(
      [
        'Invalid server (3 problems):',
        '  - servers.web.subnet: "private" - a VPC with private subnets',
        '  - servers.web.diskGiB: 2 - at least 8 GiB for ubuntu-24.04',
        '  - servers.web.count: 0 - at least 1',
      ].join('\n'),
    );
  });
});
