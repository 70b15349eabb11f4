import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  Application,
  PLATFORM_PARAMETERS,
  PlatformEnvironment,
  platformParameterName,
  platformParameterNames,
  PlatformStack,
  type PlatformParameter,
} from '../../lib/aws';
import {
  defineApplication,
  defineEnvironment,
  SpecError,
  type ApplicationEnvironment,
  type ApplicationSpec,
  type Environment,
} from '../../lib/core';
import { FoundationStack } from '../../stacks/aws';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Parameters = Record<string, { Type: string; Default?: string }>;

const outdir = temporaryFolders('platform-environment-');

const SERVICE = { name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.25, memoryGiB: 0.5, port: 8080 };
const JOB = {
  name: 'nightly',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  cpu: 0.25,
  memoryGiB: 0.5,
  schedule: { cron: '0 2 * * *' },
};

/** Production with one service and one job, so its foundation has a container cluster. */
function prodWithContainers(): Environment {
  return defineEnvironment({ ...prodInput(), services: [SERVICE], jobs: [JOB] });
}

/** The payments team's application in the environment, running a service and a job. */
function payments(env: Environment): ApplicationSpec {
  return defineApplication({
    name: 'payments',
    environment: { name: env.name, tier: env.tier, aws: { account: env.aws.account, region: env.aws.region } },
    services: [SERVICE],
    jobs: [JOB],
  });
}

/** The environment an application joins, as defineApplication resolves it. */
function joined(env: Environment): ApplicationEnvironment {
  return payments(env).environment;
}

/** A team's stack in the environment's account, region and zones. */
function teamStack(env: Environment, app = new App({ outdir: outdir() })): PlatformStack {
  return new PlatformStack(app, 'payments', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    tier: env.tier,
  });
}

/** The SSM parameters of a template, by parameter name. */
function publishedIn(stack: Stack): Map<string, { Type: string; Value: unknown; Description: string }> {
  const resources = Template.fromStack(stack).findResources('AWS::SSM::Parameter') as Resources;
  return new Map(
    Object.values(resources).map((r) => [
      r.Properties.Name as string,
      r.Properties as { Type: string; Value: unknown; Description: string },
    ]),
  );
}

/** The CloudFormation parameters a template reads from SSM (the CDK bootstrap version aside), by SSM name. */
function ssmParametersOf(stack: Stack): Map<string, { logicalId: string; type: string }> {
  const parameters = (Template.fromStack(stack).toJSON().Parameters ?? {}) as Parameters;
  return new Map(
    Object.entries(parameters)
      .filter(([id, p]) => id !== 'BootstrapVersion' && p.Type.startsWith('AWS::SSM::Parameter::Value<'))
      .map(([id, p]) => [p.Default!, { logicalId: id, type: p.Type }]),
  );
}

/** `{ Ref: <logical id of the CloudFormation parameter reading name> }`. */
function refOf(stack: Stack, name: string): { Ref: string } {
  const parameter = ssmParametersOf(stack).get(name);
  if (!parameter) throw new Error(`no CloudFormation parameter reads ${name}`);
  return { Ref: parameter.logicalId };
}

describe('PlatformEnvironment.publish (the foundation side)', () => {
  const env = prodWithContainers();
  const foundation = new FoundationStack(new App({ outdir: outdir() }), 'foundation', env);
  const published = publishedIn(foundation);
  const resolve = (value: unknown): unknown => foundation.resolve(value);

  test('publishes every value join reads, under /platform/<env>/, as String or StringList', () => {
    const names = platformParameterNames(env.name);
    expect([...published.keys()].sort()).toEqual(Object.values(names).sort());
    for (const [key, definition] of Object.entries(PLATFORM_PARAMETERS)) {
      const name = names[key as PlatformParameter];
      expect(name).toBe(`/platform/prod/${definition.path}`);
      expect(published.get(name)?.Type).toBe(definition.list ? 'StringList' : 'String');
    }
  });

  test('each value references the resource it names', () => {
    const vpc = foundation.network.vpc;
    const value = (key: PlatformParameter): unknown => published.get(platformParameterName(env.name, key))?.Value;
    expect(value('vpcId')).toEqual(resolve(vpc.vpcId));
    expect(value('vpcCidrBlock')).toEqual(resolve(vpc.vpcCidrBlock));
    // StringLists: the subnets of each kind, in zone order.
    expect(value('publicSubnetIds')).toEqual({
      'Fn::Join': [',', vpc.publicSubnets.map((s) => resolve(s.subnetId))],
    });
    expect(value('privateSubnetIds')).toEqual({
      'Fn::Join': [',', vpc.privateSubnets.map((s) => resolve(s.subnetId))],
    });
    expect(vpc.privateSubnets.map((s) => s.availabilityZone)).toEqual(env.aws.availabilityZones);
    expect(value('clusterName')).toEqual(resolve(foundation.containers!.cluster.clusterName));
    expect(value('accessLogBucketName')).toEqual(resolve(foundation.containers!.accessLogBucket.bucketName));
    expect(value('encryptionKeyArn')).toEqual(resolve(foundation.monitoring.encryptionKey.keyArn));
    expect(value('criticalTopicArn')).toEqual(resolve(foundation.monitoring.topics.critical.topicArn));
    expect(value('warningTopicArn')).toEqual(resolve(foundation.monitoring.topics.warning.topicArn));
    expect(value('applicationLogGroupName')).toEqual(resolve(foundation.monitoring.applicationLogGroup.logGroupName));
  });

  test('every parameter says that application teams read it and what removing it does', () => {
    for (const [name, parameter] of published) {
      expect([name, parameter.Description]).toEqual([
        name,
        expect.stringMatching(/Application teams read it .*breaks their deployments/),
      ]);
    }
  });

  test('publishing adds no export: teams never lock the foundation', () => {
    const withoutPublication = new FoundationStack(new App({ outdir: outdir() }), 'foundation', env);
    const outputs = (stack: Stack): string[] =>
      Object.keys((Template.fromStack(stack).toJSON().Outputs ?? {}) as Record<string, unknown>).sort();
    withoutPublication.node.tryRemoveChild('PlatformEnvironment');
    expect(outputs(foundation)).toEqual(outputs(withoutPublication));
  });

  test('an environment without containers publishes no cluster values', () => {
    const bare = new FoundationStack(new App({ outdir: outdir() }), 'foundation', defineEnvironment(devInput()));
    const names = [...publishedIn(bare).keys()];
    expect(names).toHaveLength(Object.keys(PLATFORM_PARAMETERS).length - 2);
    expect(names).not.toContain('/platform/dev/containers/cluster-name');
    expect(names).not.toContain('/platform/dev/containers/access-log-bucket-name');
  });
});

describe('PlatformEnvironment.join (the team side)', () => {
  const env = prodWithContainers();

  test('reads exactly the published names, through SSM-typed CloudFormation parameters', () => {
    const stack = teamStack(env);
    const platform = PlatformEnvironment.join(stack, 'Platform', { spec: joined(env) });
    // The container parts are read on first use.
    expect([platform.cluster.clusterName, platform.accessLogBucket.bucketName]).toHaveLength(2);
    const parameters = ssmParametersOf(stack);
    expect([...parameters.keys()].sort()).toEqual(Object.values(platformParameterNames(env.name)).sort());
    const typeOf = (key: PlatformParameter): string | undefined =>
      parameters.get(platformParameterName(env.name, key))?.type;
    expect(typeOf('vpcId')).toBe('AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>');
    expect(typeOf('publicSubnetIds')).toBe('AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>');
    expect(typeOf('privateSubnetIds')).toBe('AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>');
    for (const key of [
      'vpcCidrBlock',
      'clusterName',
      'accessLogBucketName',
      'encryptionKeyArn',
      'criticalTopicArn',
      'warningTopicArn',
      'applicationLogGroupName',
    ] as const) {
      expect([key, typeOf(key)]).toEqual([key, 'AWS::SSM::Parameter::Value<String>']);
    }
  });

  test('the cluster and the bucket are not read until used: a team without containers needs no cluster', () => {
    const stack = teamStack(env);
    PlatformEnvironment.join(stack, 'Platform', { spec: joined(env) });
    const names = [...ssmParametersOf(stack).keys()];
    expect(names).toHaveLength(Object.keys(PLATFORM_PARAMETERS).length - 2);
    expect(names).not.toContain(platformParameterName(env.name, 'clusterName'));
  });

  test('the network is the published VPC, with one subnet of each kind per zone, in zone order', () => {
    const stack = teamStack(env);
    const platform = PlatformEnvironment.join(stack, 'Platform', { spec: joined(env) });
    const vpc = platform.network.vpc;
    expect(stack.resolve(vpc.vpcId)).toEqual(refOf(stack, '/platform/prod/network/vpc-id'));
    expect(stack.resolve(vpc.vpcCidrBlock)).toEqual(refOf(stack, '/platform/prod/network/vpc-cidr-block'));
    const zones = env.aws.availabilityZones;
    expect(zones).toHaveLength(3);
    for (const [subnets, name, tables] of [
      [
        platform.network.publicSubnets,
        '/platform/prod/network/public-subnet-ids',
        '/platform/prod/network/public-route-table-ids',
      ],
      [
        platform.network.privateSubnets,
        '/platform/prod/network/private-subnet-ids',
        '/platform/prod/network/private-route-table-ids',
      ],
    ] as const) {
      const list = refOf(stack, name);
      expect(subnets.map((s) => stack.resolve(s.subnetId))).toEqual(
        zones.map((_z, i) => ({ 'Fn::Select': [i, list] })),
      );
      expect(subnets.map((s) => s.availabilityZone)).toEqual(zones);
      // Each subnet's route table is the published one of the same zone (no "no routeTableId" warning at synth).
      expect(subnets.map((s) => stack.resolve(s.routeTable.routeTableId))).toEqual(
        zones.map((_z, i) => ({ 'Fn::Select': [i, refOf(stack, tables)] })),
      );
    }
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(platform.network.isolatedSubnets).toEqual([]);
  });

  test('the cluster, bucket, key, log group and topics are the published ones', () => {
    const stack = teamStack(env);
    const platform = PlatformEnvironment.join(stack, 'Platform', { spec: joined(env) });
    const values: ReadonlyArray<readonly [string, string]> = [
      [platform.cluster.clusterName, '/platform/prod/containers/cluster-name'],
      [platform.cluster.vpc.vpcId, '/platform/prod/network/vpc-id'],
      [platform.accessLogBucket.bucketName, '/platform/prod/containers/access-log-bucket-name'],
      [platform.encryptionKey.keyArn, '/platform/prod/monitoring/encryption-key-arn'],
      [platform.monitoring.encryptionKey.keyArn, '/platform/prod/monitoring/encryption-key-arn'],
      [platform.applicationLogGroup.logGroupName, '/platform/prod/monitoring/application-log-group-name'],
      [platform.alertTopics.critical.topicArn, '/platform/prod/monitoring/critical-topic-arn'],
      [platform.alertTopics.warning.topicArn, '/platform/prod/monitoring/warning-topic-arn'],
    ];
    for (const [value, name] of values) expect([name, stack.resolve(value)]).toEqual([name, refOf(stack, name)]);
  });

  test('a team app synthesizes with no context and no credentials: nothing is looked up', () => {
    const app = new App({ outdir: outdir() });
    const stack = teamStack(env, app);
    const platform = PlatformEnvironment.join(stack, 'Platform', { spec: joined(env) });
    new Application(stack, 'Payments', { spec: payments(env), platform });
    const assembly = app.synth();
    expect(assembly.manifest.missing).toBeUndefined();
    const template = JSON.stringify(assembly.getStackByName(stack.stackName).template);
    expect(template).not.toContain('Fn::ImportValue');
    expect(template).toContain('/platform/prod/network/vpc-id');
  });

  test("alarms created through its monitoring are named like the platform's and notify the joined topics", () => {
    const stack = teamStack(env);
    const platform = PlatformEnvironment.join(stack, 'Platform', {
      spec: joined(env),
      monitoring: {
        alarms: { 'team/queue-depth': { threshold: 50 } },
        routing: env.monitoring.routing,
        logPatterns: [],
      },
    });
    for (const [id, severity] of [
      ['team/queue-depth', 'critical'],
      ['team/slow-requests', 'warning'],
    ] as const) {
      platform.monitoring.addAlarm(stack, id, {
        metric: new cloudwatch.Metric({ namespace: 'Team', metricName: id }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        threshold: 10,
        severity,
        description: 'The queue is deeper than it should be',
        firstResponse: 'Look at the consumers',
      });
    }
    const template = Template.fromStack(stack);
    const topic = (severity: 'critical' | 'warning'): { Ref: string } =>
      refOf(stack, `/platform/prod/monitoring/${severity}-topic-arn`);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-team.queue-depth',
      Threshold: 50,
      AlarmActions: [topic('critical')],
      OKActions: [topic('critical')],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-team.slow-requests',
      Threshold: 10,
      AlarmActions: [topic('warning')],
    });
  });

  test('rows go to a dashboard of the team when one is given', () => {
    const stack = teamStack(env);
    const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: 'payments' });
    const platform = PlatformEnvironment.join(stack, 'Platform', { spec: joined(env), dashboard });
    platform.monitoring.addWidgets('Payments', new cloudwatch.TextWidget({ markdown: 'hello', width: 24 }));
    const body = JSON.stringify(stack.resolve(Template.fromStack(stack).toJSON().Resources));
    expect(body).toContain('## Payments');
    expect(body).toContain('hello');
  });

  test('an application that declared no AWS environment gets a SpecError naming spec.aws', () => {
    const stack = teamStack(env);
    const azureOnly = defineApplication({
      name: 'payments',
      environment: { name: 'prod', tier: 'production', azure: { location: 'westeurope' } },
    }).environment;
    const error = errorOf(() => PlatformEnvironment.join(stack, 'Platform', { spec: azureOnly }));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toContain('Invalid PlatformEnvironment.join props (payments/Platform)');
    expect(error.message).toMatch(/spec\.aws: \(missing\) - .*declares no AWS environment/);
  });

  test("a stack in another account or region is refused: the environment's parameters live in its own", () => {
    const stack = new PlatformStack(new App({ outdir: outdir() }), 'elsewhere', {
      env: { account: '444444444444', region: 'us-east-1' },
      availabilityZones: ['us-east-1a', 'us-east-1b'],
    });
    const message = errorOf(() => PlatformEnvironment.join(stack, 'Platform', { spec: joined(env) })).message;
    expect(message).toContain('2 problems');
    expect(message).toMatch(/spec\.aws\.account: "333333333333" - the account of the stack \(444444444444\)/);
    expect(message).toMatch(/spec\.aws\.region: "eu-west-1" - the region of the stack \(us-east-1\)/);
  });

  test('props passed by hand without a spec are reported, not a TypeError', () => {
    const stack = teamStack(env);
    const message = errorOf(() =>
      PlatformEnvironment.join(stack, 'Platform', {} as unknown as { spec: ApplicationEnvironment }),
    ).message;
    expect(message).toMatch(/props\.spec: \(missing\) - required/);
  });
});
