import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import {
  API_CHECK_RUNTIME,
  ApiCheck,
  apiCheckCanaryName,
  apiCheckPort,
  Monitoring,
  Network,
  PlatformChecks,
  PlatformStack,
  renderCanaryScript,
  type ApiCheckProps,
} from '../../lib/aws';
import {
  alarmName,
  apiCheckAlarmIds,
  defineEnvironment,
  SpecError,
  type ApiCheckDefinition,
  type Environment,
  type Tier,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type Properties = Record<string, unknown>;

/** A public https check with a JSON body assertion and one secret header. */
function publicCheck(overrides: Partial<ApiCheckDefinition> = {}): ApiCheckDefinition {
  return {
    name: 'public-api',
    url: 'https://api.example.com/v1/health',
    internal: false,
    method: 'GET',
    headers: { Accept: 'application/json' },
    secretHeaders: { 'X-Api-Key': 'platform/prod/api-key' },
    expectedStatus: 200,
    body: { jsonPath: 'status', equals: 'ok' },
    latencyBudgetMs: 1500,
    intervalMinutes: 1,
    tlsExpiryWarningDays: 30,
    ...overrides,
  };
}

/** An internal http check of a load balancer on port 80. */
function internalCheck(overrides: Partial<ApiCheckDefinition> = {}): ApiCheckDefinition {
  return publicCheck({
    name: 'orders',
    url: 'http://internal-orders.eu-west-1.elb.amazonaws.com/healthz',
    internal: true,
    secretHeaders: {},
    body: { contains: 'ok' },
    latencyBudgetMs: 5000,
    intervalMinutes: 5,
    ...overrides,
  });
}

interface Built {
  readonly env: Environment;
  readonly checksStack: PlatformStack;
  readonly template: Template;
  readonly monitoring: Monitoring;
  readonly network: Network;
  readonly checks: readonly ApiCheck[];
  readonly foundationTemplate: () => Template;
}

/** The foundation (monitoring, network) in one stack, the checks in another, as the workload stacks have them. */
function build(tier: Tier, definitions: readonly ApiCheckDefinition[], props: Partial<ApiCheckProps> = {}): Built {
  const env = defineEnvironment(tier === 'production' ? prodInput() : devInput());
  const app = new App();
  const stackProps = {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    tier: env.tier,
  };
  const foundation = new PlatformStack(app, 'Foundation', stackProps);
  const monitoring = new Monitoring(foundation, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(foundation, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
  });
  const checksStack = new PlatformStack(app, 'Checks', stackProps);
  const checks = definitions.map(
    (check) =>
      new ApiCheck(checksStack, check.name, {
        check,
        environment: env.name,
        monitoring,
        vpc: network.vpc,
        ...props,
      }),
  );
  return {
    env,
    checksStack,
    template: Template.fromStack(checksStack),
    monitoring,
    network,
    checks,
    foundationTemplate: () => Template.fromStack(foundation),
  };
}

function resourceOf(built: Built, type: string, ref: string): Properties {
  const resolved = built.checksStack.resolve(ref) as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = resolved.Ref ?? resolved['Fn::GetAtt']?.[0];
  const resource = id === undefined ? undefined : built.template.findResources(type)[id];
  if (!resource) throw new Error(`no ${type} behind ${JSON.stringify(resolved)}`);
  return resource as Properties;
}

function alarmNamed(built: Built, id: string): Properties {
  const name = alarmName(built.env.name, id);
  const found = Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).find(
    (a) => (a.Properties as { AlarmName: string }).AlarmName === name,
  );
  if (!found) throw new Error(`no alarm ${name}`);
  return found.Properties as Properties;
}

describe('ApiCheck canary', () => {
  test('runs the generated script on the newest non-browser Node.js runtime, every interval, and starts at once', () => {
    const built = build('production', [publicCheck()]);
    expect(API_CHECK_RUNTIME.name).toBe('syn-nodejs-3.1');
    built.template.resourceCountIs('AWS::Synthetics::Canary', 1);
    built.template.hasResourceProperties('AWS::Synthetics::Canary', {
      Name: 'platform-prod-public-api',
      RuntimeVersion: 'syn-nodejs-3.1',
      Code: { Handler: 'index.handler', Script: renderCanaryScript(publicCheck(), { verifyTlsHostname: true }) },
      Schedule: { Expression: 'rate(1 minute)', DurationInSeconds: '0' },
      StartCanaryAfterCreation: true,
      RunConfig: Match.objectLike({ EnvironmentVariables: { PLATFORM_METRIC_NAMESPACE: 'Platform/prod' } }),
      SuccessRetentionPeriod: 90,
      FailureRetentionPeriod: 90,
      VPCConfig: Match.absent(),
    });
  });

  test('schedules a development check at its own interval and keeps its artifacts 30 days', () => {
    const built = build('development', [internalCheck({ intervalMinutes: 5 })]);
    built.template.hasResourceProperties('AWS::Synthetics::Canary', {
      Schedule: { Expression: 'rate(5 minutes)', DurationInSeconds: '0' },
      SuccessRetentionPeriod: 30,
      FailureRetentionPeriod: 30,
    });
  });

  test('the script names each secret header by its secret and reads the value at run time', () => {
    const script = renderCanaryScript(publicCheck());
    expect(script).toContain('"X-Api-Key": "platform/prod/api-key"');
    expect(script).toContain('GetSecretValueCommand');
  });

  test('an internal check runs in the private subnets with a security group of its own', () => {
    const built = build('production', [internalCheck()]);
    const [check] = built.checks;
    const sg = check!.securityGroup!;
    const canary = resourceOf(built, 'AWS::Synthetics::Canary', check!.canary.canaryName) as {
      Properties: { VPCConfig: { SubnetIds: unknown[]; SecurityGroupIds: unknown[]; VpcId: unknown } };
    };
    expect(canary.Properties.VPCConfig.SecurityGroupIds).toEqual([built.checksStack.resolve(sg.securityGroupId)]);
    expect(canary.Properties.VPCConfig.SubnetIds).toHaveLength(built.network.vpc.privateSubnets.length);
    expect(JSON.stringify(canary.Properties.VPCConfig.SubnetIds)).toMatch(/PrivateSubnet/);
    const group = resourceOf(built, 'AWS::EC2::SecurityGroup', sg.securityGroupId) as {
      Properties: { SecurityGroupIngress?: unknown[]; SecurityGroupEgress: Properties[] };
    };
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      expect.objectContaining({ FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
    ]);
  });

  test('a public check has no security group and no network interface permissions', () => {
    const built = build('production', [publicCheck()]);
    built.template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(JSON.stringify(built.template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain(
      'ec2:CreateNetworkInterface',
    );
  });

  test('apiCheckPort reads the port of a URL, else the scheme default', () => {
    expect(apiCheckPort('https://a.example.com/x')).toBe(443);
    expect(apiCheckPort('http://a.example.com/x')).toBe(80);
    expect(apiCheckPort('http://a.example.com:8080/x')).toBe(8080);
  });
});

describe('ApiCheck artifacts bucket', () => {
  test('one bucket per stack, shared by its checks, each canary writing under its own prefix', () => {
    const built = build('production', [publicCheck(), internalCheck()]);
    built.template.resourceCountIs('AWS::S3::Bucket', 1);
    const [first, second] = built.checks;
    expect(first!.artifactsBucket).toBe(second!.artifactsBucket);
    const bucketRef = built.checksStack.resolve(first!.artifactsBucket.bucketName);
    for (const check of built.checks) {
      const name = apiCheckCanaryName('prod', check.node.id);
      const canary = resourceOf(built, 'AWS::Synthetics::Canary', check.canary.canaryName) as {
        Properties: { ArtifactS3Location: unknown; ArtifactConfig: unknown };
      };
      expect(JSON.stringify(canary.Properties.ArtifactS3Location)).toContain(`/${name}`);
      expect(JSON.stringify(canary.Properties.ArtifactS3Location)).toContain(JSON.stringify(bucketRef).slice(1, -1));
      expect(canary.Properties.ArtifactConfig).toEqual({ S3Encryption: { EncryptionMode: 'SSE_S3' } });
    }
  });

  test('encrypted, public access blocked, SSL only, versioned, expiring after 90 days and retained in production', () => {
    const built = build('production', [publicCheck()]);
    const bucket = resourceOf(built, 'AWS::S3::Bucket', built.checks[0]!.artifactsBucket.bucketName) as {
      Properties: Properties;
      DeletionPolicy: string;
      UpdateReplacePolicy: string;
    };
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({
            Id: 'ExpireArtifacts',
            Status: 'Enabled',
            ExpirationInDays: 90,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
    });
    built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('expires after 30 days and is deleted with the stack in development', () => {
    const built = build('development', [internalCheck()]);
    const bucket = resourceOf(built, 'AWS::S3::Bucket', built.checks[0]!.artifactsBucket.bucketName) as {
      Properties: { LifecycleConfiguration: { Rules: Properties[] } };
      DeletionPolicy: string;
    };
    expect(bucket.DeletionPolicy).toBe('Delete');
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30 });
  });

  test('a given bucket is used instead, and none is created', () => {
    const app = new App();
    const env = defineEnvironment(devInput());
    const stack = new PlatformStack(app, 'S', {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
      tier: 'development',
    });
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    const bucket = s3.Bucket.fromBucketName(stack, 'Given', 'platform-shared-artifacts');
    const check = new ApiCheck(stack, 'Check', {
      check: publicCheck(),
      environment: 'dev',
      monitoring,
      artifactsBucket: bucket,
    });
    expect(check.artifactsBucket).toBe(bucket);
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
  });
});

describe('ApiCheck role', () => {
  test('a managed policy of least privilege: its own artifacts prefix, log group, Synthetics metrics, named secrets only', () => {
    const built = build('production', [
      publicCheck({ secretHeaders: { 'X-Api-Key': 'platform/prod/api-key', 'X-Other': 'shared/token' } }),
    ]);
    built.template.resourceCountIs('AWS::IAM::Policy', 0);
    const [policy] = Object.values(built.template.findResources('AWS::IAM::ManagedPolicy'));
    const statements = (policy!.Properties as { PolicyDocument: { Statement: Properties[] } }).PolicyDocument.Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid as string, s]));
    expect(Object.keys(bySid).sort()).toEqual(
      [
        'ListBuckets',
        'LocateArtifacts',
        'ReadHeaderSecrets',
        'SyntheticsMetrics',
        'WriteArtifacts',
        'WriteLogs',
      ].sort(),
    );
    expect(bySid.ReadHeaderSecrets).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow' });
    const secrets = JSON.stringify(bySid.ReadHeaderSecrets!.Resource);
    expect(secrets).toContain(':secret:platform/prod/api-key-??????');
    expect(secrets).toContain(':secret:shared/token-??????');
    expect(JSON.stringify(bySid.WriteArtifacts!.Resource)).toContain('/platform-prod-public-api/*');
    expect(bySid.SyntheticsMetrics).toMatchObject({
      Action: 'cloudwatch:PutMetricData',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
    });
    expect(JSON.stringify(bySid.WriteLogs!.Resource)).toContain(
      'log-group:/aws/lambda/cwsyn-platform-prod-public-api-*',
    );
    built.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'lambda.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
          }),
        ],
      },
    });
  });

  test('without secret headers the role reads no secret', () => {
    const built = build('production', [publicCheck({ secretHeaders: {} })]);
    expect(JSON.stringify(built.template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('secretsmanager');
  });

  test('an internal check may manage its network interfaces', () => {
    const built = build('production', [internalCheck()]);
    built.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'VpcNetworkInterfaces',
            Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'],
            Resource: '*',
          }),
        ]),
      },
    });
  });
});

describe('ApiCheck alarms', () => {
  function topicArnOf(built: Built, severity: 'critical' | 'warning'): unknown {
    return built.checksStack.resolve(built.monitoring.topics[severity].topicArn);
  }

  test('the alarm ids are those of apiCheckAlarmIds, the same on both clouds', () => {
    const built = build('production', [publicCheck()]);
    const ids = apiCheckAlarmIds('public-api');
    expect(ids).toEqual({
      success: 'check/public-api/success',
      latency: 'check/public-api/latency',
      tls: 'check/public-api/tls',
    });
    for (const id of Object.values(ids)) expect(alarmNamed(built, id).AlarmName).toBe(alarmName('prod', id));
    built.template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  test('success: critical, a failed or missing run within one interval', () => {
    const built = build('production', [publicCheck()]);
    const alarm = alarmNamed(built, 'check/public-api/success');
    expect(alarm).toMatchObject({
      Namespace: 'CloudWatchSynthetics',
      MetricName: 'SuccessPercent',
      Statistic: 'Average',
      Period: 60,
      Threshold: 100,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'breaching',
    });
    expect(alarm.Dimensions).toEqual([
      { Name: 'CanaryName', Value: built.checksStack.resolve(built.checks[0]!.canary.canaryName) },
    ]);
    expect(alarm.AlarmActions).toEqual([topicArnOf(built, 'critical')]);
  });

  test('latency: warning, the largest response time over the budget, per interval', () => {
    const built = build('development', [internalCheck({ latencyBudgetMs: 5000, intervalMinutes: 5 })]);
    const alarm = alarmNamed(built, 'check/orders/latency');
    expect(alarm).toMatchObject({
      Namespace: 'Platform/dev',
      MetricName: 'check-latency',
      Dimensions: [{ Name: 'Check', Value: 'orders' }],
      Statistic: 'Maximum',
      Unit: 'Milliseconds',
      Period: 300,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmActions).toEqual([topicArnOf(built, 'warning')]);
  });

  test('tls: warning, fewer days left than tlsExpiryWarningDays, https only', () => {
    const built = build('production', [publicCheck({ tlsExpiryWarningDays: 21 })]);
    const alarm = alarmNamed(built, 'check/public-api/tls');
    expect(alarm).toMatchObject({
      Namespace: 'Platform/prod',
      MetricName: 'check-tls-days-left',
      Dimensions: [{ Name: 'Check', Value: 'public-api' }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 21,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmActions).toEqual([topicArnOf(built, 'warning')]);
    const http = build('production', [internalCheck()]);
    http.template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(http.checks[0]!.tlsAlarm).toBeUndefined();
  });

  test('every check alarm is in the environment dashboard', () => {
    const built = build('production', [publicCheck(), internalCheck()]);
    const [dashboard] = Object.values(built.foundationTemplate().findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    const alarms = Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a.Properties as { AlarmName: string }).AlarmName,
    );
    expect(alarms).toHaveLength(5);
    expect(alarms).toContain('platform-prod-check.public-api.success');
    const missing = alarms.filter((name) => !body.includes(`:alarm:${name}`));
    expect(missing).toEqual([]);
  });
});

describe('ApiCheck validation', () => {
  test('reports every problem at once, with path, value and what is allowed', () => {
    const built = build('production', []);
    const error = errorOf(
      () =>
        new ApiCheck(built.checksStack, 'Bad', {
          check: publicCheck({
            name: 'Bad_Name',
            url: 'http://public.example.com/',
            expectedStatus: 700,
            latencyBudgetMs: 0,
            intervalMinutes: 90,
            tlsExpiryWarningDays: 0,
            internal: false,
            secretHeaders: { 'X-Key': 'has space' },
          }),
          environment: 'prod',
          monitoring: built.monitoring,
        }),
    );
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(/Checks\/Bad\.check\.name: .*Bad_Name.*kebab-case/);
    expect(error.message).toMatch(
      /check\.url: .*http:\/\/public\.example\.com\/.*https:\/\/ URL for a public check with secret headers/,
    );
    expect(error.message).toMatch(/check\.expectedStatus: 700.*100-599/);
    expect(error.message).toMatch(/check\.latencyBudgetMs: 0.*at least 1/);
    expect(error.message).toMatch(/check\.intervalMinutes: 90.*1-60/);
    expect(error.message).toMatch(/check\.tlsExpiryWarningDays: 0.*at least 1/);
    expect(error.message).toMatch(/check\.secretHeaders\.X-Key: .*has space.*Secrets Manager secret name/);
  });

  test('an internal check without a VPC, and an unknown tier, are refused', () => {
    const built = build('production', []);
    const error = errorOf(
      () =>
        new ApiCheck(built.checksStack, 'NoVpc', {
          check: internalCheck(),
          environment: 'prod',
          monitoring: built.monitoring,
          tier: 'staging' as Tier,
        }),
    );
    expect(error.message).toMatch(/NoVpc\.vpc: .*the VPC an internal check runs in/);
    expect(error.message).toMatch(/NoVpc\.tier: .*staging.*development, production/);
  });
});

describe('ApiCheck props', () => {
  test('props passed by hand: every wrong or missing prop and definition field at once, before any check of values', () => {
    const built = build('production', []);
    const props = {
      check: { ...publicCheck(), secretHeaders: undefined, intervalMinutes: '5', internal: 'no' },
      environment: 7,
      verifyTlsHostname: 'yes',
    } as unknown as ApiCheckProps;
    const error = errorOf(() => new ApiCheck(built.checksStack, 'Hand', props));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toContain('Invalid ApiCheck props (Checks/Hand)');
    expect((error as SpecError).issues.map((i) => i.path).sort()).toEqual(
      [
        'props.check.internal',
        'props.check.intervalMinutes',
        'props.check.secretHeaders',
        'props.environment',
        'props.monitoring',
        'props.verifyTlsHostname',
      ].sort(),
    );
    expect(error.message).toMatch(/props\.check\.secretHeaders: \(missing\) - required: the secret names/);
    expect(error.message).toMatch(/props\.monitoring: \(missing\) - required: the environment's monitoring/);
  });
});

describe('ApiCheck resources', () => {
  function counts(definitions: readonly ApiCheckDefinition[]): Record<string, number> {
    const resources = Object.values(build('production', definitions).template.toJSON().Resources as Properties);
    const byType: Record<string, number> = { total: resources.length };
    for (const r of resources as { Type: string }[]) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
    return byType;
  }

  test("a public https check adds 6 resources, plus the stack's one artifacts bucket and its policy", () => {
    expect(counts([publicCheck()])).toEqual({
      total: 8,
      'AWS::Synthetics::Canary': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::ManagedPolicy': 1,
      'AWS::CloudWatch::Alarm': 3,
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
    });
    expect(counts([publicCheck(), publicCheck({ name: 'second-api' })]).total).toBe(14);
  });

  test('an internal http check adds 6 (a security group, no TLS alarm)', () => {
    expect(counts([internalCheck()])).toEqual({
      total: 8,
      'AWS::Synthetics::Canary': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::ManagedPolicy': 1,
      'AWS::EC2::SecurityGroup': 1,
      'AWS::CloudWatch::Alarm': 2,
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
    });
    expect(counts([internalCheck({ url: 'https://internal-orders.example.com/healthz' })]).total).toBe(9);
  });
});

describe('ApiCheck guardrails', () => {
  function findings(built: Built, tier: Tier): string[] {
    const packs: NagPack[] = [
      new AwsSolutionsChecks(),
      new PlatformChecks(undefined, { tier }),
      ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
    ];
    return packs.flatMap((pack) =>
      pack
        .validateScope(built.checksStack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
  }

  test('production checks (public and internal) have no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding', () => {
    expect(findings(build('production', [publicCheck(), internalCheck()]), 'production')).toEqual([]);
  });

  test('development checks have no unacknowledged AwsSolutions or Platform finding', () => {
    expect(findings(build('development', [publicCheck(), internalCheck()]), 'development')).toEqual([]);
  });
});
