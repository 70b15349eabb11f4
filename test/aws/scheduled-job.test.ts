import { App, Stage, type CfnResource, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  acknowledgementsOn,
  Monitoring,
  Network,
  PlatformChecks,
  PlatformStack,
  PolicyChecks,
  renderScheduledJobNames,
  RetainStatefulResources,
  ScheduledJob,
  type ScheduledJobProps,
} from '../../lib/aws';
import { jobFailedAlarmId } from '../../lib/core';
import {
  defineEnvironment,
  type Environment,
  type EnvironmentInput,
  type JobSpec,
  type SpecError,
  type SpecIssue,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type JobInput = NonNullable<EnvironmentInput['jobs']>[number];
type Properties = Record<string, unknown>;

const KEY_VAULT =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-platform-dev';

const REPORT: JobInput = {
  name: 'nightly-report',
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  cpu: 0.5,
  memoryGiB: 1,
  schedule: { cron: '30 2 * * *' },
};

/** An environment with jobs (secrets need the Key Vault on Azure, so every test environment has one). */
function envWith(
  jobs: JobInput[] = [REPORT],
  base: EnvironmentInput = devInput(),
  extra: Partial<EnvironmentInput> = {},
): Environment {
  return defineEnvironment({ ...base, azure: { ...base.azure, keyVaultId: KEY_VAULT }, jobs, ...extra });
}

/** A resolved job definition: `nightly-report` with the given changes. */
function jobSpec(input: Partial<JobInput> = {}, base: EnvironmentInput = devInput()): JobSpec {
  return envWith([{ ...REPORT, ...input }], base).jobs[0]!;
}

interface Built {
  readonly stack: PlatformStack;
  readonly template: Template;
  readonly job: ScheduledJob;
  readonly monitoring: Monitoring;
  readonly network: Network;
  readonly cluster: ecs.Cluster;
}

/** One stack with the environment's monitoring, network, a cluster and one job. */
function build(
  spec: JobSpec = jobSpec(),
  props: Partial<ScheduledJobProps> = {},
  env: Environment = envWith(),
  scope: App | Stage = new App(),
  retainData?: boolean,
): Built {
  const stack = new PlatformStack(scope, 'Test', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    terminationProtection: env.tier === 'production',
  });
  if (retainData !== undefined) RetainStatefulResources.applyTo(stack, { retainData });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', {
    vpc: network.vpc,
    containerInsightsV2: ecs.ContainerInsights.ENHANCED,
  });
  const job = new ScheduledJob(stack, spec.name, {
    spec,
    environment: env.name,
    cluster,
    vpc: network.vpc,
    monitoring,
    ...props,
  });
  return { stack, template: Template.fromStack(stack), job, monitoring, network, cluster };
}

/** The synthesized Properties of one L1 resource. */
function propertiesOf(built: Built, resource: CfnResource): Properties {
  const resources = built.template.toJSON().Resources as Record<string, { Properties: Properties }>;
  return resources[built.stack.getLogicalId(resource)]!.Properties;
}

const cfn = (construct: { node: { defaultChild?: unknown } }): CfnResource =>
  construct.node.defaultChild as CfnResource;
const ref = (built: Built, resource: CfnResource): string => built.stack.getLogicalId(resource);

/** A resolved CloudFormation value as text, intrinsic references as `<LogicalId>` or `<LogicalId.Attribute>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if ('Fn::Sub' in object) return String(object['Fn::Sub']).replace(/\$\{([^}]+)\}/g, '<$1>');
  if ('Ref' in object) return `<${String(object.Ref)}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

interface TaskState {
  readonly Type: string;
  readonly Resource: string;
  readonly TimeoutSeconds: number;
  readonly Retry?: unknown[];
  readonly End: boolean;
  readonly Parameters: {
    readonly Cluster: string;
    readonly TaskDefinition: string;
    readonly LaunchType: string;
    readonly PlatformVersion: string;
    readonly PropagateTags: string;
    readonly NetworkConfiguration: {
      readonly AwsvpcConfiguration: { readonly Subnets: string[]; readonly SecurityGroups: string[] };
    };
  };
}

/** The state machine's definition, parsed. */
function definitionOf(built: Built): { StartAt: string; States: Record<string, TaskState> } {
  const stateMachine = cfn(built.job.stateMachine) as sfn.CfnStateMachine;
  return JSON.parse(flatten(built.stack.resolve(stateMachine.definitionString))) as {
    StartAt: string;
    States: Record<string, TaskState>;
  };
}

function runState(built: Built): TaskState {
  const definition = definitionOf(built);
  return definition.States[definition.StartAt]!;
}

interface Statement {
  readonly Sid: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The statements of one of the job's managed policies, resources flattened. */
function statementsOf(built: Built, id: 'ExecutionPolicy' | 'StateMachinePolicy' | 'SchedulerPolicy'): Statement[] {
  const policy = built.job.node.findChild(id).node.defaultChild as CfnResource;
  const document = propertiesOf(built, policy).PolicyDocument as { Statement: Statement[] };
  return document.Statement.map((s) => ({
    ...s,
    Resource: Array.isArray(s.Resource) ? s.Resource.map(flatten) : flatten(s.Resource),
  }));
}

function containerOf(built: Built): Properties {
  return (propertiesOf(built, cfn(built.job.taskDefinition)).ContainerDefinitions as Properties[])[0]!;
}

function alarmProperties(template: Template, name: string): Properties {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }));
  expect(found).toHaveLength(1);
  return found[0]!.Properties as Properties;
}

describe('ScheduledJob (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build(
      jobSpec({
        environment: { LOG_LEVEL: 'info' },
        secrets: { DB_PASSWORD: 'db-password', API_TOKEN: 'report-token' },
      }),
    );
  });

  describe('resources', () => {
    test('one job creates 14 resources plus a metric filter per log pattern', () => {
      const types = built.job.node
        .findAll()
        .filter((c): c is CfnResource => (c as CfnResource).cfnResourceType !== undefined)
        .map((c) => c.cfnResourceType)
        .sort();
      expect(types).toEqual([
        'AWS::CloudWatch::Alarm',
        'AWS::EC2::SecurityGroup',
        'AWS::ECS::TaskDefinition',
        'AWS::IAM::ManagedPolicy',
        'AWS::IAM::ManagedPolicy',
        'AWS::IAM::ManagedPolicy',
        'AWS::IAM::Role',
        'AWS::IAM::Role',
        'AWS::IAM::Role',
        'AWS::IAM::Role',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::Logs::MetricFilter',
        'AWS::Logs::MetricFilter',
        'AWS::Scheduler::Schedule',
        'AWS::StepFunctions::StateMachine',
      ]);
      // The two metric filters are the development defaults' log patterns, counted in the job's output.
      expect(built.monitoring.logAnalysis.patternMetrics.size).toBe(2);
    });

    test('names: platform-<env>-<job> and the log groups under /platform/<env>/jobs/<job>', () => {
      expect(renderScheduledJobNames('dev', 'nightly-report')).toEqual({
        base: 'platform-dev-nightly-report',
        logGroup: '/platform/dev/jobs/nightly-report',
        executionLogGroup: '/platform/dev/jobs/nightly-report/executions',
      });
      expect(built.job.names).toEqual(renderScheduledJobNames('dev', 'nightly-report'));
    });
  });

  describe('schedule', () => {
    test('EventBridge Scheduler starts the state machine in UTC, with the flexible time window off', () => {
      expect(propertiesOf(built, cfn(built.job.schedule))).toEqual({
        Name: 'platform-dev-nightly-report',
        Description: 'Runs nightly-report (cron 30 2 * * *, UTC)',
        ScheduleExpression: 'cron(30 2 * * ? *)',
        ScheduleExpressionTimezone: 'Etc/UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { Ref: ref(built, cfn(built.job.stateMachine)) },
          RoleArn: {
            'Fn::GetAtt': [
              ref(built, built.job.node.findChild('SchedulerRole').node.defaultChild as CfnResource),
              'Arn',
            ],
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        },
      });
    });

    test.each([
      [{ cron: '0 6 * * 1-5' }, 'cron(0 6 ? * MON-FRI *)'],
      [{ cron: '15 4 * * sun' }, 'cron(15 4 ? * SUN *)'],
      [{ cron: '0 0 1 * *' }, 'cron(0 0 1 * ? *)'],
      [{ cron: '*/10 8-18 * * *' }, 'cron(0/10 8-18 * * ? *)'],
      [{ rateMinutes: 15 }, 'rate(15 minutes)'],
      [{ rateMinutes: 120 }, 'rate(2 hours)'],
      [{ rateMinutes: 1440 }, 'rate(1 day)'],
    ])('the schedule %j becomes %s', (schedule, expected) => {
      const job = build(jobSpec({ schedule })).job;
      expect((cfn(job.schedule) as CfnResource & { scheduleExpression: string }).scheduleExpression).toBe(expected);
    });

    test('the scheduler role is trusted for this schedule of this account only, and may start this state machine only', () => {
      const role = propertiesOf(built, built.job.node.findChild('SchedulerRole').node.defaultChild as CfnResource);
      expect(role.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':scheduler:eu-west-1:111111111111:schedule/default/platform-dev-nightly-report',
                    ],
                  ],
                },
              },
            },
          },
        ],
      });
      expect(statementsOf(built, 'SchedulerPolicy')).toEqual([
        {
          Sid: 'StartExecution',
          Effect: 'Allow',
          Action: 'states:StartExecution',
          Resource: `<${ref(built, cfn(built.job.stateMachine))}>`,
        },
      ]);
    });
  });

  describe('state machine', () => {
    test('one task state runs the Fargate task and waits for it (ecs:runTask.sync), with the spec timeout', () => {
      const state = runState(built);
      expect(definitionOf(built).StartAt).toBe('Run nightly-report');
      expect(state).toMatchObject({
        Type: 'Task',
        Resource: 'arn:<AWS::Partition>:states:::ecs:runTask.sync',
        TimeoutSeconds: 3600,
        End: true,
        Parameters: {
          Cluster: `<${ref(built, cfn(built.cluster))}.Arn>`,
          TaskDefinition: 'platform-dev-nightly-report',
          LaunchType: 'FARGATE',
          PlatformVersion: 'LATEST',
          PropagateTags: 'TASK_DEFINITION',
        },
      });
    });

    test('the task runs in the private subnets with the job security group, without a public IP', () => {
      const network = runState(built).Parameters.NetworkConfiguration.AwsvpcConfiguration;
      expect(network).toEqual({
        Subnets: built.network.vpc.privateSubnets.map((s) => `<${ref(built, s.node.defaultChild as CfnResource)}>`),
        SecurityGroups: [`<${ref(built, cfn(built.job.securityGroup))}.GroupId>`],
      });
    });

    test('a development job has no Retry (retries 0)', () => {
      expect(runState(built).Retry).toBeUndefined();
    });

    test('retries become a Retry of that many attempts on any error, a minute apart and doubling', () => {
      const state = runState(build(jobSpec({ retries: 3, timeoutMinutes: 90 })));
      expect([state.TimeoutSeconds, state.Retry]).toEqual([
        5400,
        [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 60, BackoffRate: 2 }],
      ]);
    });

    test('a production job retries once by default', () => {
      const prod = envWith([REPORT], prodInput());
      const state = runState(build(prod.jobs[0]!, {}, prod));
      expect(state.Retry).toEqual([
        { ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 60, BackoffRate: 2 },
      ]);
    });

    test('named platform-<env>-<job>, logging every event with execution data to its own log group, traced with X-Ray', () => {
      const properties = propertiesOf(built, cfn(built.job.stateMachine));
      expect(properties).toMatchObject({
        StateMachineName: 'platform-dev-nightly-report',
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [
            {
              CloudWatchLogsLogGroup: {
                LogGroupArn: { 'Fn::GetAtt': [ref(built, cfn(built.job.executionLogGroup)), 'Arn'] },
              },
            },
          ],
        },
        TracingConfiguration: { Enabled: true },
        RoleArn: {
          'Fn::GetAtt': [
            ref(built, built.job.node.findChild('StateMachineRole').node.defaultChild as CfnResource),
            'Arn',
          ],
        },
      });
    });

    test('the state machine is created after its policy, which Step Functions checks for log delivery', () => {
      const resources = built.template.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
      expect(resources[ref(built, cfn(built.job.stateMachine))]!.DependsOn).toContain(
        ref(built, built.job.node.findChild('StateMachinePolicy').node.defaultChild as CfnResource),
      );
    });

    test('the state machine policy: run the family in the cluster, tag its tasks as RunTask creates them, follow and stop them, pass its roles, log, trace', () => {
      const cluster = { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [ref(built, cfn(built.cluster)), 'Arn'] } } };
      const role = (id: string): string =>
        `<${ref(built, built.job.node.findChild(id).node.defaultChild as CfnResource)}.Arn>`;
      expect(statementsOf(built, 'StateMachinePolicy')).toEqual([
        {
          Sid: 'RunTask',
          Effect: 'Allow',
          Action: 'ecs:RunTask',
          Resource: 'arn:<AWS::Partition>:ecs:eu-west-1:111111111111:task-definition/platform-dev-nightly-report:*',
          Condition: cluster,
        },
        {
          Sid: 'TagTask',
          Effect: 'Allow',
          Action: 'ecs:TagResource',
          Resource: 'arn:<AWS::Partition>:ecs:eu-west-1:111111111111:task/*',
          Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
        },
        {
          Sid: 'FollowTask',
          Effect: 'Allow',
          Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
          Resource: '*',
          Condition: cluster,
        },
        {
          Sid: 'PassTaskRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [role('ExecutionRole'), role('TaskRole')],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        {
          Sid: 'TaskEvents',
          Effect: 'Allow',
          Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          Resource: 'arn:<AWS::Partition>:events:eu-west-1:111111111111:rule/StepFunctionsGetEventsForECSTaskRule',
        },
        expect.objectContaining({ Sid: 'LogDelivery', Resource: '*' }),
        {
          Sid: 'Tracing',
          Effect: 'Allow',
          Action: [
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
          ],
          Resource: '*',
        },
      ]);
    });

    test('each wildcard resource of the state machine policy is acknowledged on its own, with a reason', () => {
      const policy = built.job.node.findChild('StateMachinePolicy');
      expect(Object.keys(acknowledgementsOn(policy)).sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:111111111111:task-definition/platform-dev-nightly-report:*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:111111111111:task/*]',
      ]);
    });
  });

  describe('task definition', () => {
    test('Fargate, family platform-<env>-<job>, the spec size, x86_64 Linux', () => {
      expect(propertiesOf(built, cfn(built.job.taskDefinition))).toMatchObject({
        Family: 'platform-dev-nightly-report',
        Cpu: '512',
        Memory: '1024',
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      });
    });

    test('one essential container: the image, the plain variables and the secrets from Secrets Manager by name', () => {
      const container = containerOf(built);
      expect(container).toMatchObject({
        Name: 'nightly-report',
        Image: 'public.ecr.aws/docker/library/busybox:1.36',
        Essential: true,
        Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }],
      });
      expect(
        (container.Secrets as { Name: string; ValueFrom: unknown }[]).map((s) => [s.Name, flatten(s.ValueFrom)]),
      ).toEqual([
        ['DB_PASSWORD', 'arn:<AWS::Partition>:secretsmanager:eu-west-1:111111111111:secret:db-password'],
        ['API_TOKEN', 'arn:<AWS::Partition>:secretsmanager:eu-west-1:111111111111:secret:report-token'],
      ]);
    });

    test('no secret is a plain variable', () => {
      const names = (containerOf(built).Environment as { Name: string }[]).map((e) => e.Name);
      expect(names).not.toContain('DB_PASSWORD');
      expect(names).not.toContain('API_TOKEN');
    });

    test('without variables or secrets the container has neither, and ECS2 needs no acknowledgement', () => {
      const plain = build();
      expect([containerOf(plain).Environment, containerOf(plain).Secrets]).toEqual([undefined, undefined]);
      expect(acknowledgementsOn(plain.job.taskDefinition)['AwsSolutions-ECS2']).toBeUndefined();
    });

    test('plain variables acknowledge ECS2 on the task definition, saying why', () => {
      expect(acknowledgementsOn(built.job.taskDefinition)['AwsSolutions-ECS2']).toMatch(
        /^These are the spec's plain settings \(environment\); secrets reach the container from Secrets Manager/,
      );
    });

    test('output goes through awslogs to /platform/<env>/jobs/<job>, by job name', () => {
      expect(containerOf(built).LogConfiguration).toEqual({
        LogDriver: 'awslogs',
        Options: {
          'awslogs-group': { Ref: ref(built, cfn(built.job.logGroup)) },
          'awslogs-stream-prefix': 'nightly-report',
          'awslogs-region': 'eu-west-1',
        },
      });
    });

    test('the execution role may write the output and read the named secrets only', () => {
      expect(statementsOf(built, 'ExecutionPolicy')).toEqual([
        {
          Sid: 'WriteOutput',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `<${ref(built, cfn(built.job.logGroup))}.Arn>`,
        },
        {
          Sid: 'ReadSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [
            'arn:<AWS::Partition>:secretsmanager:eu-west-1:111111111111:secret:db-password-??????',
            'arn:<AWS::Partition>:secretsmanager:eu-west-1:111111111111:secret:report-token-??????',
          ],
        },
      ]);
    });

    test('the roles trust ECS tasks of this account only and have no inline or AWS managed policy', () => {
      for (const id of ['ExecutionRole', 'TaskRole']) {
        const role = propertiesOf(built, built.job.node.findChild(id).node.defaultChild as CfnResource);
        expect(role.AssumeRolePolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'ecs-tasks.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
            },
          ],
        });
        expect([role.Policies, role.ManagedPolicyArns]).toEqual([undefined, undefined]);
      }
      expect(Object.keys(built.template.findResources('AWS::IAM::Policy'))).toEqual([]);
    });

    test("an image in this account's ECR may be pulled from its one repository", () => {
      const ecr = build(jobSpec({ image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/reports/nightly:2.1' }));
      expect(statementsOf(ecr, 'ExecutionPolicy').slice(1)).toEqual([
        {
          Sid: 'PullImage',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Resource: 'arn:<AWS::Partition>:ecr:eu-west-1:111111111111:repository/reports/nightly',
        },
        { Sid: 'AuthorizeRegistry', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      ]);
      expect(Object.keys(acknowledgementsOn(ecr.job.node.findChild('ExecutionPolicy')))).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
      ]);
    });

    describe('an image built from a directory', () => {
      let directory: string;
      beforeAll(() => {
        // A fresh clone has no node_modules/.cache yet.
        mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
        directory = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'scheduled-job-'));
        writeFileSync(join(directory, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/busybox:1.36\n');
      });
      afterAll(() => rmSync(directory, { recursive: true, force: true }));

      test('is a CDK asset for linux/amd64, pulled from the asset repository (no docker at synthesis)', () => {
        const asset = build(
          jobSpec({
            image: { directory: relative(process.cwd(), directory), azureReference: 'myacr.azurecr.io/report:2.1' },
          }),
        );
        expect(flatten(asset.stack.resolve(containerOf(asset).Image))).toMatch(
          /^111111111111\.dkr\.ecr\.eu-west-1\.<AWS::URLSuffix>\/cdk-hnb659fds-container-assets-111111111111-eu-west-1:[0-9a-f]{64}$/,
        );
        const pull = statementsOf(asset, 'ExecutionPolicy').find((s) => s.Sid === 'PullImage');
        expect(pull?.Resource).toBe(
          'arn:<AWS::Partition>:ecr:eu-west-1:111111111111:repository/cdk-hnb659fds-container-assets-111111111111-eu-west-1',
        );
      });
    });

    test('the security group admits nothing and lets out HTTPS only', () => {
      expect(propertiesOf(built, cfn(built.job.securityGroup))).toMatchObject({
        GroupDescription: 'platform-dev-nightly-report: no inbound traffic; HTTPS out (registries, AWS APIs)',
        SecurityGroupEgress: [
          {
            CidrIp: '0.0.0.0/0',
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            Description: 'Registries, AWS APIs and HTTPS services',
          },
        ],
      });
      expect(propertiesOf(built, cfn(built.job.securityGroup)).SecurityGroupIngress).toBeUndefined();
      built.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });
  });

  describe('log groups', () => {
    test('both encrypted with the environment key, kept 365 days and retained by default', () => {
      for (const [group, name] of [
        [built.job.logGroup, '/platform/dev/jobs/nightly-report'],
        [built.job.executionLogGroup, '/platform/dev/jobs/nightly-report/executions'],
      ] as const) {
        expect(propertiesOf(built, cfn(group))).toEqual({
          LogGroupName: name,
          RetentionInDays: 365,
          KmsKeyId: { 'Fn::GetAtt': [ref(built, cfn(built.monitoring.encryptionKey)), 'Arn'] },
        });
        const resource = (built.template.toJSON().Resources as Record<string, Properties>)[ref(built, cfn(group))]!;
        expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
      }
    });

    test('logRetentionDays applies to both', () => {
      const short = build(jobSpec(), { logRetentionDays: 30 });
      const resources = short.template.toJSON().Resources as Record<string, Properties & { Properties: Properties }>;
      expect(
        [short.job.logGroup, short.job.executionLogGroup].map(
          (group) => resources[ref(short, cfn(group))]!.Properties.RetentionInDays,
        ),
      ).toEqual([30, 30]);
    });

    test('in a stack whose data is not retained (RetainStatefulResources), both are deleted with it', () => {
      const disposable = build(jobSpec(), {}, envWith(), new App(), false);
      const resources = disposable.template.toJSON().Resources as Record<string, Properties>;
      expect(
        [disposable.job.logGroup, disposable.job.executionLogGroup].map((group) => {
          const resource = resources[ref(disposable, cfn(group))]!;
          return [resource.DeletionPolicy, resource.UpdateReplacePolicy];
        }),
      ).toEqual([
        ['Delete', 'Delete'],
        ['Delete', 'Delete'],
      ]);
    });

    test('the job output is counted for the environment log patterns', () => {
      built.template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: ref(built, cfn(built.job.logGroup)) },
        MetricTransformations: [Match.objectLike({ MetricName: 'log-errors', MetricNamespace: 'Platform/dev' })],
      });
    });
  });

  describe('alarm', () => {
    test('job/<job>/failed: critical, one or more failed or timed-out executions in 5 minutes, by the literal state machine ARN', () => {
      const alarm = alarmProperties(built.template, 'platform-dev-job.nightly-report.failed');
      const arn = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':states:eu-west-1:111111111111:stateMachine:platform-dev-nightly-report',
          ],
        ],
      };
      const metric = (id: string, metricName: string): Properties => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/States',
            MetricName: metricName,
            Dimensions: [{ Name: 'StateMachineArn', Value: arn }],
          },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      });
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: ref(built, cfn(built.monitoring.topics.critical)) }],
        OKActions: [{ Ref: ref(built, cfn(built.monitoring.topics.critical)) }],
        AlarmDescription:
          "[critical] 1 or more runs of the job nightly-report failed within 5 minutes, after 0 retries. First response: Open the failed execution of the state machine platform-dev-nightly-report for the task's stop reason and exit code, then read its output in /platform/dev/jobs/nightly-report.",
        Metrics: [
          {
            Id: 'expr_1',
            Expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
            Label: 'Failed or timed-out runs',
            ReturnData: true,
          },
          metric('failed', 'ExecutionsFailed'),
          metric('timedOut', 'ExecutionsTimedOut'),
        ],
      });
      expect(built.job.failedAlarm).toBe(built.monitoring.alarms.get('job/nightly-report/failed'));
      expect(jobFailedAlarmId('nightly-report')).toBe('job/nightly-report/failed');
    });

    test('switching the alarm off in the spec removes it', () => {
      const reason = 'The report is rerun by hand every morning';
      const env = envWith([REPORT], devInput(), {
        monitoring: { alarms: { 'job/nightly-report/failed': { enabled: false, reason } } },
      });
      const off = build(env.jobs[0]!, {}, env);
      expect(off.job.failedAlarm).toBeUndefined();
      expect(
        off.template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: 'platform-dev-job.nightly-report.failed' },
        }),
      ).toEqual({});
      expect(off.monitoring.disabledAlarms.get('job/nightly-report/failed')).toBe(reason);
    });
  });

  describe('dashboard', () => {
    test('a Jobs row from another stack names the job literally, so the dashboard never depends on the job stack', () => {
      const env = envWith();
      const app = new App();
      const stackProps = {
        env: { account: env.aws.account, region: env.aws.region },
        availabilityZones: env.aws.availabilityZones,
      };
      const foundation = new PlatformStack(app, 'Foundation', stackProps);
      const monitoring = new Monitoring(foundation, 'Monitoring', { spec: env.monitoring, name: env.name });
      const network = new Network(foundation, 'Network', {
        spec: env.network,
        name: env.name,
        availabilityZones: env.aws.availabilityZones,
      });
      const compute: Stack = new PlatformStack(app, 'Compute', stackProps);
      const cluster = new ecs.Cluster(compute, 'Cluster', {
        vpc: network.vpc,
        containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      });
      new ScheduledJob(compute, 'nightly-report', {
        spec: env.jobs[0]!,
        environment: env.name,
        cluster,
        vpc: network.vpc,
        monitoring,
      });
      const assembly = app.synth();
      const dependsOn = assembly.getStackByName(foundation.stackName).dependencies.map((d) => d.id);
      expect(dependsOn.filter((id) => !id.endsWith('.assets'))).toEqual([]);
      const dashboard = Object.values(Template.fromStack(foundation).findResources('AWS::CloudWatch::Dashboard'))[0]!;
      const body = flatten(foundation.resolve((dashboard.Properties as Properties).DashboardBody));
      const widgets = (JSON.parse(body) as { widgets: { type: string; properties: Properties }[] }).widgets;
      const arn = 'arn:<AWS::Partition>:states:eu-west-1:111111111111:stateMachine:platform-dev-nightly-report';
      expect(widgets.map((w) => w.properties.markdown ?? w.properties.title)).toEqual(
        expect.arrayContaining(['## Jobs: nightly-report', 'Runs per hour', 'Latest output']),
      );
      const runs = widgets.find((w) => w.properties.title === 'Runs per hour')!.properties.metrics as unknown[][];
      expect(runs.map((m) => m.slice(0, 4))).toEqual([
        ['AWS/States', 'ExecutionsSucceeded', 'StateMachineArn', arn],
        ['AWS/States', 'ExecutionsFailed', 'StateMachineArn', arn],
        ['AWS/States', 'ExecutionsTimedOut', 'StateMachineArn', arn],
      ]);
      expect(widgets.find((w) => w.properties.title === 'Latest output')!.properties.query).toBe(
        "SOURCE '/platform/dev/jobs/nightly-report' | fields @timestamp, @logStream, @message\n| sort @timestamp desc\n| limit 50",
      );
      expect(body).not.toMatch(/Fn::ImportValue|Compute/);
    });
  });

  describe('guardrails', () => {
    test('a production job has no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding', () => {
      const env = envWith(
        [{ ...REPORT, environment: { LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: 'db-password' } }],
        prodInput(),
      );
      const prod = build(env.jobs[0]!, {}, env, new Stage(new App(), 'prod'));
      const findings = [
        new AwsSolutionsChecks(),
        new NIST80053R5Checks(),
        new PlatformChecks(undefined, { tier: 'production' }),
      ].flatMap((pack) =>
        pack
          .validateScope(prod.job)
          .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
      );
      expect(findings).toEqual([]);
    });

    test('PolicyChecks lets a production stage with a job synthesize', () => {
      const env = envWith([{ ...REPORT, secrets: { DB_PASSWORD: 'db-password' } }], prodInput());
      const outdir = mkdtempSync(join(tmpdir(), 'aws-job-policy-'));
      try {
        const app = new App({ outdir });
        const stage = new Stage(app, 'prod');
        build(env.jobs[0]!, {}, env, stage);
        PolicyChecks.applyTo(stage, { tier: 'production' });
        expect(() => app.synth()).not.toThrow();
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });

    test('a development job has no unacknowledged AwsSolutions or Platform finding', () => {
      const findings = [new AwsSolutionsChecks(), new PlatformChecks(undefined, { tier: 'development' })].flatMap(
        (pack) => pack.validateScope(built.job).violations.map((v) => v.ruleName),
      );
      expect(findings).toEqual([]);
    });
  });

  describe('validation', () => {
    const invalid =
      (spec: Partial<JobSpec>, props: Partial<ScheduledJobProps> = {}) =>
      () =>
        build({ ...jobSpec(), ...spec }, props);

    test('a VPC without private subnets is refused', () => {
      const env = envWith();
      const stack = new PlatformStack(new App(), 'Test', {
        env: { account: env.aws.account, region: env.aws.region },
        availabilityZones: env.aws.availabilityZones,
      });
      const vpc = new ec2.Vpc(stack, 'Vpc', {
        availabilityZones: [...env.aws.availabilityZones],
        subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
        natGateways: 0,
        restrictDefaultSecurityGroup: false,
      });
      const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
      expect(
        () => new ScheduledJob(stack, 'job', { spec: env.jobs[0]!, environment: 'dev', cluster, vpc, monitoring }),
      ).toThrow(/jobs\.nightly-report\.vpc: "Test\/Vpc" - a VPC with private subnets/);
    });

    test('a CPU and memory pair Fargate and Container Apps do not share is refused', () => {
      expect(invalid({ cpu: 1, memoryGiB: 8 })).toThrow(
        /jobs\.nightly-report\.memoryGiB: \{"cpu":1,"memoryGiB":8\} - Azure Container Apps need memory = 2 x cpu/,
      );
    });

    test('a cron expression restricting both day fields is refused', () => {
      expect(invalid({ schedule: { cron: '0 3 1 * MON' } })).toThrow(
        /jobs\.nightly-report\.schedule\.cron: "0 3 1 \* MON" - day of month and day of week cannot both be restricted/,
      );
    });

    test('a timeout outside 1-1440 whole minutes is refused', () => {
      expect(invalid({ timeoutMinutes: 1441 })).toThrow(
        /jobs\.nightly-report\.timeoutMinutes: 1441 - at most 1440 minutes$/,
      );
      expect(invalid({ timeoutMinutes: 0 })).toThrow(/jobs\.nightly-report\.timeoutMinutes: 0 - at least 1$/);
      expect(invalid({ timeoutMinutes: 2.5 })).toThrow(
        /jobs\.nightly-report\.timeoutMinutes: 2\.5 - a whole number of minutes from 1 to 1440$/,
      );
    });

    test('retries outside 0-10 are refused', () => {
      expect(invalid({ retries: -1 })).toThrow(/jobs\.nightly-report\.retries: -1 - at least 0$/);
      expect(invalid({ retries: 11 })).toThrow(/jobs\.nightly-report\.retries: 11 - at most 10 retries$/);
    });

    test('a variable that is both plain and secret is refused', () => {
      expect(invalid({ environment: { DB_PASSWORD: 'x' }, secrets: { DB_PASSWORD: 'db-password' } })).toThrow(
        /jobs\.nightly-report\.secrets\.DB_PASSWORD: "DB_PASSWORD" - a variable that is not also in environment/,
      );
    });

    test('an image reference without a tag is refused', () => {
      expect(invalid({ image: { reference: 'busybox' } })).toThrow(
        /jobs\.nightly-report\.image: "busybox" - an image reference/,
      );
    });

    test('a directory without a Dockerfile is refused, naming the project root', () => {
      expect(invalid({ image: { directory: 'jobs/missing', azureReference: 'myacr.azurecr.io/report:2.1' } })).toThrow(
        /jobs\.nightly-report\.image\.directory: "jobs\/missing" - a directory with a Dockerfile, relative to the project root/,
      );
    });

    test('a name too long for an EventBridge schedule is refused', () => {
      expect(invalid({}, { environment: 'e'.repeat(41) })).toThrow(
        /jobs\.nightly-report\.name: "nightly-report" - platform-<env>-<job> within 64 lowercase letters, digits and hyphens/,
      );
    });

    test('a retention CloudWatch Logs does not offer is refused', () => {
      expect(invalid({}, { logRetentionDays: 42 })).toThrow(
        /jobs\.nightly-report\.logRetentionDays: 42 - CloudWatch Logs accepts 1, 3, 5/,
      );
    });

    describe('one check for the spec and the construct: the same bad value, refused in the same words', () => {
      /** A problem without the prefix each side puts in front (`dev.jobs[0]`, `jobs.nightly-report`). */
      const unprefixed = (issues: readonly SpecIssue[], prefix: RegExp): [string, unknown, string][] =>
        issues.map((i) => [i.path.replace(prefix, ''), i.value, i.message]);

      test.each<[string, Partial<JobInput>]>([
        ['timeoutMinutes', { timeoutMinutes: 1441 }],
        ['retries', { retries: 11 }],
        ['retries below 0', { retries: -1 }],
        ['memoryGiB', { cpu: 1, memoryGiB: 8 }],
        ['schedule.cron', { schedule: { cron: '0 3 1 * MON' } }],
        ['schedule.rateMinutes', { schedule: { rateMinutes: 7 } }],
        ['secrets', { environment: { TOKEN: 'x' }, secrets: { TOKEN: 'report-token' } }],
      ])('%s', (_field, bad) => {
        const fromSpec = (errorOf(() => envWith([{ ...REPORT, ...bad }])) as SpecError).issues;
        // The same values in a spec the construct is given directly: a valid one, changed by hand.
        const fromProps = (errorOf(invalid(bad as Partial<JobSpec>)) as SpecError).issues;
        expect(fromSpec).toHaveLength(1);
        expect(unprefixed(fromProps, /^jobs\.nightly-report\./)).toEqual(unprefixed(fromSpec, /^dev\.jobs\[0\]\./));
      });
    });

    test('every problem is reported at once', () => {
      const message = errorOf(invalid({ retries: 11, timeoutMinutes: 0 }, { logRetentionDays: 42 })).message;
      expect(message).toMatch(/^Invalid scheduled job \(nightly-report\) \(3 problems\):/);
      for (const path of [
        'jobs.nightly-report.timeoutMinutes',
        'jobs.nightly-report.retries',
        'jobs.nightly-report.logRetentionDays',
      ]) {
        expect(message).toContain(`  - ${path}: `);
      }
    });
  });
});
