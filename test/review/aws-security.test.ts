import { diffAwsEnvironment } from '../../lib/review/aws-diff';
import type { SecurityChange } from '../../lib/review/model';
import type { SynthesizedStack } from '../../lib/review/outputs';

type Resources = Record<string, unknown>;

function stack(json: Record<string, unknown>): SynthesizedStack {
  return { cloud: 'aws', environment: 'dev', stack: 'app', file: '/nonexistent/app.template.json', bytes: 0, json };
}

/** The security changes of every changed resource, by logical ID. */
function security(base: Resources, head: Resources, newEnvironment = false): Record<string, readonly SecurityChange[]> {
  const diff = diffAwsEnvironment('dev', [stack({ Resources: base })], [stack({ Resources: head })], {
    newEnvironment,
  });
  return Object.fromEntries(diff.changes.filter((c) => c.security.length > 0).map((c) => [c.id, c.security]));
}

const trust = {
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const role = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: trust, ...extra },
});
const readLogs = {
  PolicyName: 'read',
  PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs/*' }] },
};
const policy = (roles: unknown[]): Record<string, unknown> => ({
  Type: 'AWS::IAM::Policy',
  Properties: {
    PolicyName: 'p',
    PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::logs/*' }] },
    Roles: roles,
  },
});
const group = (ingress: unknown[] = [], egress: unknown[] = []): Record<string, unknown> => ({
  Type: 'AWS::EC2::SecurityGroup',
  Properties: { GroupDescription: 'web', VpcId: 'vpc-1', SecurityGroupIngress: ingress, SecurityGroupEgress: egress },
});
const https = (cidr: string): Record<string, unknown> => ({
  IpProtocol: 'tcp',
  FromPort: 443,
  ToPort: 443,
  CidrIp: cidr,
});

describe('IAM statements', () => {
  test('a new allow on a role that exists broadens access', () => {
    expect(security({ TaskRole: role() }, { TaskRole: role({ Policies: [readLogs] }) })).toEqual({
      TaskRole: [
        {
          kind: 'iam-statement',
          broadened: true,
          description: 'allows s3:GetObject on arn:aws:s3:::logs/* to <TaskRole>',
        },
      ],
    });
  });

  test('the statements of a new role are listed but broaden nothing', () => {
    expect(security({}, { TaskRole: role({ Policies: [readLogs] }) })).toEqual({
      TaskRole: [
        {
          kind: 'iam-statement',
          broadened: false,
          description: 'allows s3:GetObject on arn:aws:s3:::logs/* to <TaskRole>',
        },
        {
          kind: 'iam-statement',
          broadened: false,
          description: 'allows sts:AssumeRole on <TaskRole> to ecs-tasks.amazonaws.com',
        },
      ],
    });
  });

  test('a new policy broadens access when it attaches to a role that exists or is imported, not to a new one', () => {
    const found = security(
      { Old: role() },
      {
        Old: role(),
        New: role(),
        OnOld: policy([{ Ref: 'Old' }]),
        OnNew: policy([{ Ref: 'New' }]),
        OnImported: policy([{ 'Fn::ImportValue': 'shared:RoleName' }]),
      },
    );
    expect([found.OnOld, found.OnNew, found.OnImported?.map((s) => s.broadened)]).toEqual([
      [{ kind: 'iam-statement', broadened: true, description: 'allows s3:PutObject on arn:aws:s3:::logs/* to <Old>' }],
      [{ kind: 'iam-statement', broadened: false, description: 'allows s3:PutObject on arn:aws:s3:::logs/* to <New>' }],
      [true],
    ]);
  });

  test('removing a deny broadens access; removing an allow does not', () => {
    const bucketPolicy = (statements: unknown[]): Record<string, unknown> => ({
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: 'logs', PolicyDocument: { Statement: statements } },
    });
    const denyInsecure = {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: 'arn:aws:s3:::logs/*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const allowReader = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:role/reader' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::logs/*',
    };
    expect(security({ P: bucketPolicy([denyInsecure, allowReader]) }, { P: bucketPolicy([]) })).toEqual({
      P: [
        {
          kind: 'iam-statement',
          broadened: true,
          description: 'no longer denies s3:* on arn:aws:s3:::logs/* to anyone (*) (condition on aws:SecureTransport)',
        },
        {
          kind: 'iam-statement',
          broadened: false,
          description: 'no longer allows s3:GetObject on arn:aws:s3:::logs/* to arn:aws:iam::111111111111:role/reader',
        },
      ],
    });
  });

  test('a new resource policy on a bucket that exists broadens access, unless it grants only to a new role', () => {
    const bucketPolicy = (principal: unknown): Record<string, unknown> => ({
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'Logs' },
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: '*' }],
        },
      },
    });
    const bucket = { Type: 'AWS::S3::Bucket' };
    const found = security(
      { Logs: bucket },
      {
        Logs: bucket,
        Reader: role(),
        ToAccount: bucketPolicy('arn:aws:iam::222222222222:root'),
        ToNewRole: bucketPolicy({ 'Fn::GetAtt': ['Reader', 'Arn'] }),
      },
    );
    expect([found.ToAccount, found.ToNewRole?.map((s) => s.broadened)]).toEqual([
      [
        {
          kind: 'iam-statement',
          broadened: true,
          description: 'allows s3:GetObject on <Logs> to arn:aws:iam::222222222222:root',
        },
      ],
      [false],
    ]);
  });

  test('a long list of actions is cut short', () => {
    const actions = ['s3:GetObject', 's3:PutObject', ...Array.from({ length: 12 }, (_, i) => `s3:Action${i}`)];
    const wide = {
      PolicyName: 'wide',
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::x/*' }] },
    };
    expect(security({ R: role() }, { R: role({ Policies: [wide] }) }).R?.map((s) => s.description)).toEqual([
      'allows s3:Action0, s3:Action1 and 12 more on arn:aws:s3:::x/* to <R>',
    ]);
  });
});

describe('managed policies', () => {
  const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';

  test('attaching one to a role that exists broadens access', () => {
    expect(security({ R: role() }, { R: role({ ManagedPolicyArns: [admin] }) })).toEqual({
      R: [
        {
          kind: 'managed-policy',
          broadened: true,
          description: 'attaches the AWS managed policy AdministratorAccess to <R>',
        },
      ],
    });
  });

  test('one on a new role, or one detached, broadens nothing', () => {
    const found = security(
      { Old: role({ ManagedPolicyArns: [admin] }) },
      { Old: role(), New: role({ ManagedPolicyArns: [admin] }) },
    );
    expect([found.Old, found.New?.filter((s) => s.kind === 'managed-policy')]).toEqual([
      [
        {
          kind: 'managed-policy',
          broadened: false,
          description: 'detaches the AWS managed policy AdministratorAccess from <Old>',
        },
      ],
      [
        {
          kind: 'managed-policy',
          broadened: false,
          description: 'attaches the AWS managed policy AdministratorAccess to <New>',
        },
      ],
    ]);
  });
});

describe('security group rules', () => {
  test('a new ingress rule on a group that exists broadens access', () => {
    expect(security({ Web: group() }, { Web: group([https('10.0.0.0/16')]) })).toEqual({
      Web: [{ kind: 'network-ingress', broadened: true, description: 'opens TCP 443 from 10.0.0.0/16' }],
    });
  });

  test('ingress from anywhere broadens access even on a new group; other rules of a new group do not', () => {
    expect(
      security(
        {},
        { Public: group([https('0.0.0.0/0')]), Private: group([https('10.0.0.0/16')], [https('10.0.0.0/8')]) },
      ),
    ).toEqual({
      Private: [
        { kind: 'network-ingress', broadened: false, description: 'opens TCP 443 from 10.0.0.0/16' },
        { kind: 'network-egress', broadened: false, description: 'allows outbound TCP 443 to 10.0.0.0/8' },
      ],
      Public: [
        {
          kind: 'network-ingress',
          broadened: true,
          description: 'opens TCP 443 from 0.0.0.0/0, anywhere (the internet)',
        },
      ],
    });
  });

  test('a new egress rule on a group that exists broadens access; a removed rule does not', () => {
    const allTraffic = { IpProtocol: '-1', CidrIp: '0.0.0.0/0' };
    expect(security({ Web: group([https('10.0.0.0/16')]) }, { Web: group([], [allTraffic]) })).toEqual({
      Web: [
        { kind: 'network-ingress', broadened: false, description: 'no longer opens TCP 443 from 10.0.0.0/16' },
        {
          kind: 'network-egress',
          broadened: true,
          description: 'allows outbound all traffic to 0.0.0.0/0, anywhere (the internet)',
        },
      ],
    });
  });

  test('a new ingress resource on a group that exists broadens access, naming the group', () => {
    const rule = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: { 'Fn::GetAtt': ['Web', 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8081,
        SourceSecurityGroupId: { 'Fn::ImportValue': 'foundation:LoadBalancerGroup' },
      },
    };
    expect(security({ Web: group() }, { Web: group(), FromLb: rule })).toEqual({
      FromLb: [
        {
          kind: 'network-ingress',
          broadened: true,
          description: 'opens TCP 8080-8081 from the security group <imported foundation:LoadBalancerGroup> on <Web>',
        },
      ],
    });
  });
});

describe('public endpoints', () => {
  const loadBalancer = (scheme?: string): Record<string, unknown> => ({
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    Properties: { Subnets: ['subnet-1'], ...(scheme && { Scheme: scheme }) },
  });

  test('a load balancer created or becoming internet-facing broadens access; becoming internal does not', () => {
    expect(
      security(
        { Becomes: loadBalancer('internal'), Leaves: loadBalancer('internet-facing') },
        { Becomes: loadBalancer('internet-facing'), Leaves: loadBalancer('internal'), New: loadBalancer() },
      ),
    ).toEqual({
      Becomes: [
        {
          kind: 'public-endpoint',
          broadened: true,
          description: 'the load balancer becomes internet-facing: reachable from the internet',
        },
      ],
      Leaves: [{ kind: 'public-endpoint', broadened: false, description: 'the load balancer becomes internal' }],
      New: [
        {
          kind: 'public-endpoint',
          broadened: true,
          description: 'the load balancer is created internet-facing: reachable from the internet',
        },
      ],
    });
  });

  test('S3 public access blocks turned off broaden access; turned back on they do not', () => {
    const bucket = (flags: Record<string, boolean> | undefined): Record<string, unknown> => ({
      Type: 'AWS::S3::Bucket',
      Properties: flags ? { PublicAccessBlockConfiguration: flags } : {},
    });
    const all = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
    expect(
      security(
        { Opened: bucket(all), Relaxed: bucket(all), Closed: bucket(undefined) },
        { Opened: bucket(undefined), Relaxed: bucket({ ...all, BlockPublicPolicy: false }), Closed: bucket(all) },
      ),
    ).toEqual({
      Closed: [
        {
          kind: 'public-network-access',
          broadened: false,
          description: 'the bucket blocks public access again: BlockPublicAcls, BlockPublicPolicy and 2 more on',
        },
      ],
      Opened: [
        {
          kind: 'public-network-access',
          broadened: true,
          description: 'the bucket stops blocking public access: BlockPublicAcls, BlockPublicPolicy and 2 more off',
        },
      ],
      Relaxed: [
        {
          kind: 'public-network-access',
          broadened: true,
          description: 'the bucket stops blocking public access: BlockPublicPolicy off',
        },
      ],
    });
  });

  test('public IP addresses on instances, launch templates and subnets broaden access', () => {
    const publicInterface = [{ DeviceIndex: '0', AssociatePublicIpAddress: true, SubnetId: 'subnet-1' }];
    expect(
      security(
        { Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' } } },
        {
          Subnet: {
            Type: 'AWS::EC2::Subnet',
            Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', MapPublicIpOnLaunch: true },
          },
          Server: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', NetworkInterfaces: publicInterface } },
          Template: {
            Type: 'AWS::EC2::LaunchTemplate',
            Properties: { LaunchTemplateData: { NetworkInterfaces: publicInterface } },
          },
        },
      ),
    ).toEqual({
      Server: [{ kind: 'public-endpoint', broadened: true, description: 'the instance gets a public IP address' }],
      Subnet: [
        {
          kind: 'public-endpoint',
          broadened: true,
          description: 'every instance launched in the subnet gets a public IP address',
        },
      ],
      Template: [
        {
          kind: 'public-endpoint',
          broadened: true,
          description: 'instances launched from the template get a public IP address',
        },
      ],
    });
  });

  test('a function URL without authentication broadens access', () => {
    const url = (auth: string): Record<string, unknown> => ({
      Type: 'AWS::Lambda::Url',
      Properties: { AuthType: auth, TargetFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:f' },
    });
    expect(security({ Url: url('AWS_IAM') }, { Url: url('NONE') })).toEqual({
      Url: [
        {
          kind: 'public-endpoint',
          broadened: true,
          description:
            'the function URL needs no authentication (AuthType NONE): anyone who has it can call the function',
        },
      ],
    });
  });
});

test('a new environment has no security changes: nothing that exists can be broadened', () => {
  expect(security({}, { Public: group([https('0.0.0.0/0')]), TaskRole: role({ Policies: [readLogs] }) }, true)).toEqual(
    {},
  );
});
