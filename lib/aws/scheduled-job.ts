import { ArnFormat, Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  addLimitProblems,
  checkProps,
  IssueCollector,
  jobProblems,
  PLATFORM_PREFIX,
  renderAwsSchedule,
  type JobSpec,
  jobFailedAlarmId,
} from '../core';
import { acknowledgeWildcardGrant, type WildcardGrant } from './acknowledge';
import {
  addExecutionPolicy,
  addWorkloadLogGroup,
  addWorkloadTask,
  containerDefinitionProblems,
  renderWorkloadContainerSource,
  WORKLOAD_PROP_RULES,
  WORKLOAD_SPEC_RULES,
} from './container-definition';
import type { IMonitoring } from './interfaces';

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps {
  /** One resolved job definition (`jobs[i]` of the spec): image, size, schedule, timeout, retries. */
  readonly spec: JobSpec;
  /** The environment name; it goes into every name (`platform-<env>-<job>`). */
  readonly environment: string;
  /** The ECS cluster the job's Fargate tasks run in. */
  readonly cluster: ecs.ICluster;
  /**
   * The VPC; the tasks run in its private subnets, without a public IP. An existing one:
   * `Network.fromAttributes(...).vpc`.
   */
  readonly vpc: ec2.IVpc;
  /**
   * The environment's monitoring: the failure alarm, a dashboard row, the log patterns and the log key. An existing
   * one: `Monitoring.fromAttributes`.
   */
  readonly monitoring: IMonitoring;
  /**
   * How long the job's output and execution history are kept, in days (a retention CloudWatch Logs offers). Both
   * log groups are retained when they leave the stack unless the tier of the stack (or `RetainStatefulResources`)
   * says otherwise.
   * @default - what the tier of its PlatformStack decides: 365 days in production (and outside a PlatformStack),
   *   30 in development
   */
  readonly logRetentionDays?: number;
  /**
   * The directory an image `{ directory }` of the spec is relative to.
   * @default - the current working directory (the project root when run by the CDK CLI or npm scripts)
   */
  readonly imageRoot?: string;
}

/** The names of everything a job creates, all literal so other stacks can name them without a reference. */
export interface ScheduledJobNames {
  /** The state machine, the schedule and the task definition family: `platform-<env>-<job>`. */
  readonly base: string;
  /** The container's output: `/platform/<env>/jobs/<job>`. */
  readonly logGroup: string;
  /** The state machine's execution history: `/platform/<env>/jobs/<job>/executions`. */
  readonly executionLogGroup: string;
}

/** Names every resource of a job; pure. */
export function renderScheduledJobNames(environment: string, job: string): ScheduledJobNames {
  const logGroup = `/${PLATFORM_PREFIX}/${environment}/jobs/${job}`;
  return {
    base: `${PLATFORM_PREFIX}-${environment}-${job}`,
    logGroup,
    executionLogGroup: `${logGroup}/executions`,
  };
}

/** EventBridge Scheduler and Step Functions names: up to 64 (schedules) and 80 (state machines) characters. */
const MAX_SCHEDULE_NAME = 64;

/** Wait before the first retry of a failed run, doubled before each next one. */
const RETRY_INTERVAL = Duration.minutes(1);

/**
 * The state machine role's statements: what `ecs:runTask.sync` needs (run the one task definition in the one
 * cluster, follow and stop the task through the managed EventBridge rule, pass the task's roles), log delivery
 * and X-Ray. Log delivery, X-Ray and DescribeTasks/StopTask have no resource-level permissions beyond `*`
 * (the last two are held to the cluster by a condition).
 */
export function renderJobStateMachineStatements(
  stack: Stack,
  props: {
    readonly clusterArn: string;
    readonly taskDefinitionFamily: string;
    readonly passRoleArns: readonly string[];
  },
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'RunTask',
      actions: ['ecs:RunTask'],
      // The state runs the family's latest revision, so every revision of this one family, in the one cluster.
      resources: [
        stack.formatArn({
          service: 'ecs',
          resource: 'task-definition',
          resourceName: `${props.taskDefinitionFamily}:*`,
        }),
      ],
      conditions: { ArnEquals: { 'ecs:cluster': props.clusterArn } },
    }),
    new iam.PolicyStatement({
      sid: 'TagTask',
      // RunTask propagates the task definition's tags; with ECS tag authorization that needs ecs:TagResource,
      // allowed here only while RunTask creates the task.
      actions: ['ecs:TagResource'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' })],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    }),
    new iam.PolicyStatement({
      sid: 'FollowTask',
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': props.clusterArn } },
    }),
    new iam.PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: [...props.passRoleArns],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'TaskEvents',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [
        stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' }),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'LogDelivery',
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'Tracing',
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
    }),
  ];
}

/**
 * The wildcard grants of the job's state machine policy ({@link renderJobStateMachineStatements}), each action on
 * each wildcard resource accepted by name with why nothing narrower will do; one added to the statements and not
 * here fails synthesis (Platform-WildcardGrant).
 */
export function renderJobStateMachineWildcardGrants(stack: Stack, taskDefinitionFamily: string): WildcardGrant[] {
  return [
    {
      actions: ['ecs:RunTask'],
      resources: [
        stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinitionFamily}:*` }),
      ],
      reason:
        'The state runs the latest revision of the one task definition family the job owns, in the one cluster (ecs:cluster condition)',
    },
    {
      actions: ['ecs:TagResource'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' })],
      reason:
        'Tasks get generated IDs when they start; the ecs:CreateAction condition allows tagging only as RunTask creates them',
    },
    {
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: ['*'],
      reason:
        'ecs:DescribeTasks and ecs:StopTask name tasks by generated IDs; the ecs:cluster condition holds them to the one cluster',
    },
    {
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      resources: ['*'],
      reason:
        'CloudWatch Logs delivery actions, with which Step Functions delivers the execution log, have no resource-level permissions (the Step Functions documentation grants them on *)',
    },
    {
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
      reason: 'X-Ray actions have no resource-level permissions',
    },
  ];
}

/**
 * A container run on a schedule on AWS: EventBridge Scheduler starts a Step Functions state machine that runs
 * one Fargate task and waits for it to stop (`ecs:runTask.sync`).
 *
 * Why Step Functions between the schedule and the task: ECS RunTask has no timeout and no retry of a task that
 * exits with an error; a Task state has both. The state's `TimeoutSeconds` is the spec's `timeoutMinutes`
 * (Step Functions then stops the task, best effort), its Retry makes `retries` more attempts of a failed or timed-out run
 * (1 minute apart, doubling), and a run fails when the task cannot start or an essential container exits
 * with a non-zero code.
 * - The schedule: `renderAwsSchedule(spec.schedule)` in UTC, flexible time window off, named
 *   `platform-<env>-<job>` like the state machine and the task definition family.
 * - The task: the spec's CPU and memory on Fargate (x86_64 Linux), in the private subnets without a public IP,
 *   with a security group that admits nothing and lets out HTTPS only (add more through `connections`).
 *   `environment` as plain variables, `secrets` from Secrets Manager by name (the execution role may read those
 *   names only), output through awslogs to `/platform/<env>/jobs/<job>` (encrypted with the environment's key,
 *   counted for the environment's log patterns).
 * - The state machine logs every event with execution data to `/platform/<env>/jobs/<job>/executions`
 *   and traces with X-Ray.
 * - Every role has a customer-managed policy (no inline or AWS managed policies); the scheduler role may start
 *   this state machine only, trusted for this account's schedule only.
 * - `job/<job>/failed` (critical): one or more executions failed or timed out in 5 minutes, on the state
 *   machine's ExecutionsFailed + ExecutionsTimedOut (the StateMachineArn dimension from its literal name).
 * - A dashboard row: runs succeeded, failed and timed out per hour, and the latest output lines.
 *
 * A schedule tick starts a run even while the previous one still runs (Azure may too): keep `timeoutMinutes`
 * (times the attempts) below the interval when runs must not overlap.
 *
 * @example
 * new ScheduledJob(stack, 'nightly-report', {
 *   spec: env.jobs[0], environment: env.name, cluster, vpc: network.vpc, monitoring,
 * });
 */
export class ScheduledJob extends Construct {
  /** The Fargate task definition (family `platform-<env>-<job>`). */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The job's container. */
  public readonly container: ecs.ContainerDefinition;
  /** The role the container runs as: no permissions of its own; grant it what the job needs. */
  public readonly taskRole: iam.IRole;
  /** The role ECS starts the task with (pull the image, read the secrets, write the output). */
  public readonly executionRole: iam.Role;
  /** The security group of the tasks: no inbound rule, HTTPS out. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The job's output, `/platform/<env>/jobs/<job>`. */
  public readonly logGroup: logs.LogGroup;
  /** The state machine's execution history, `/platform/<env>/jobs/<job>/executions`. */
  public readonly executionLogGroup: logs.LogGroup;
  /** The state machine that runs the task with a timeout and retries. */
  public readonly stateMachine: sfn.StateMachine;
  /** The EventBridge Scheduler schedule that starts the state machine. */
  public readonly schedule: scheduler.Schedule;
  /** The failure alarm, unless the spec switched it off. */
  public readonly failedAlarm?: cloudwatch.Alarm;
  /** The literal names of the job's resources. */
  public readonly names: ScheduledJobNames;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    checkProps('ScheduledJob', this.node.path, props, {
      ...WORKLOAD_PROP_RULES,
      spec: {
        kind: 'object',
        allowed: 'the resolved job spec: defineEnvironment(...).jobs[i] or defineApplication(...).jobs[i]',
        fields: {
          ...WORKLOAD_SPEC_RULES,
          schedule: { kind: 'object', allowed: 'when it runs (UTC): { cron } or { rateMinutes }' },
          timeoutMinutes: { kind: 'number', allowed: 'how long one run may take, in minutes' },
          retries: { kind: 'number', allowed: 'how many times a failed run is retried' },
        },
      },
    });
    const spec = props.spec;
    validateScheduledJobProps(props);
    const stack = Stack.of(this);
    const names = renderScheduledJobNames(props.environment, spec.name);
    this.names = names;
    const logGroup = {
      monitoring: props.monitoring,
      ...(props.logRetentionDays !== undefined && { logRetentionDays: props.logRetentionDays }),
    };
    this.logGroup = addWorkloadLogGroup(this, 'LogGroup', { ...logGroup, logGroupName: names.logGroup });
    this.executionLogGroup = addWorkloadLogGroup(this, 'ExecutionLogGroup', {
      ...logGroup,
      logGroupName: names.executionLogGroup,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${names.base}: no inbound traffic; HTTPS out (registries, AWS APIs)`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Registries, AWS APIs and HTTPS services');

    // The roles' grants go to customer-managed policies written here (NIST IAMNoInlinePolicy): the constructs
    // that would add them inline get the roles without policy updates.
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: `Starts the tasks of ${names.base}: pulls the image, reads its secrets, writes its output`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const taskRole = new iam.Role(this, 'TaskRole', {
      description: `The tasks of ${names.base} run as this role`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.taskRole = taskRole;

    const source = renderWorkloadContainerSource(this, spec, props.imageRoot);
    ({ taskDefinition: this.taskDefinition, container: this.container } = addWorkloadTask(this, {
      spec,
      family: names.base,
      executionRole: this.executionRole,
      taskRole,
      source,
      logGroup: this.logGroup,
    }));
    addExecutionPolicy(this, {
      role: this.executionRole,
      description: `Least privilege of the execution role of ${names.base}`,
      logGroup: this.logGroup,
      source,
      logStatementId: 'WriteOutput',
    });

    const runTask = new tasks.EcsRunTask(this, 'Run', {
      stateName: `Run ${spec.name}`,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnets: props.vpc.privateSubnets },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      propagatedTagSource: ecs.PropagatedTagSource.TASK_DEFINITION,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(spec.timeoutMinutes)),
    });
    if (spec.retries > 0) {
      runTask.addRetry({
        errors: [sfn.Errors.ALL],
        maxAttempts: spec.retries,
        interval: RETRY_INTERVAL,
        backoffRate: 2,
      });
    }

    const stateMachineRole = new iam.Role(this, 'StateMachineRole', {
      description: `Runs the task of ${names.base} and waits for it`,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const stateMachinePolicy = new iam.ManagedPolicy(this, 'StateMachinePolicy', {
      description: `Least privilege of the state machine ${names.base}`,
      roles: [stateMachineRole],
      statements: renderJobStateMachineStatements(stack, {
        clusterArn: props.cluster.clusterArn,
        taskDefinitionFamily: names.base,
        passRoleArns: [this.executionRole.roleArn, taskRole.roleArn],
      }),
    });
    for (const grant of renderJobStateMachineWildcardGrants(stack, names.base)) {
      acknowledgeWildcardGrant(stateMachinePolicy, grant);
    }
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: names.base,
      comment: `Runs ${spec.name} (${names.base}) on Fargate with a ${spec.timeoutMinutes}-minute timeout and ${plural(spec.retries, 'retry', 'retries')}`,
      definitionBody: sfn.DefinitionBody.fromChainable(runTask),
      // By ARN and immutable: the policy above holds every grant, and the ARN reference already orders the role
      // first (the role construct itself would add a redundant DependsOn, cfn-lint W3005).
      role: iam.Role.fromRoleArn(this, 'StateMachineRoleRef', stateMachineRole.roleArn, { mutable: false }),
      logs: { destination: this.executionLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // Step Functions checks the role's log delivery permissions when it creates the state machine.
    this.stateMachine.node.addDependency(stateMachinePolicy);

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: `Lets the schedule ${names.base} start its state machine`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: {
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule',
              resourceName: `default/${names.base}`,
            }),
          },
        },
      }),
    });
    const schedulerPolicy = new iam.ManagedPolicy(this, 'SchedulerPolicy', {
      description: `Starts the state machine ${names.base}`,
      roles: [schedulerRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartExecution',
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      scheduleName: names.base,
      description: `Runs ${spec.name} (${describeSchedule(spec)}, UTC)`,
      schedule: scheduler.ScheduleExpression.expression(renderAwsSchedule(spec.schedule), TimeZone.ETC_UTC),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        role: schedulerRole.withoutPolicyUpdates(),
      }),
    });
    this.schedule.node.addDependency(schedulerPolicy);

    props.monitoring.watchLogGroup(this.logGroup);
    this.failedAlarm = addJobAlarm(this, spec, names.base, props.monitoring);
    addJobWidgets(this, spec, names, props.monitoring);
  }

  /** The tasks' security group as connections: `job.connections.allowTo(database, port)` lets the job reach more. */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }
}

/** The state machine's ARN from its literal name, for metrics (no reference to the resource). */
function stateMachineArnOf(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function executionMetric(stack: Stack, name: string, metricName: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/States',
    metricName,
    dimensionsMap: { StateMachineArn: stateMachineArnOf(stack, name) },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

function addJobAlarm(
  job: Construct,
  spec: JobSpec,
  name: string,
  monitoring: IMonitoring,
): cloudwatch.Alarm | undefined {
  const stack = Stack.of(job);
  const period = Duration.minutes(5);
  return monitoring.addAlarm(job, jobFailedAlarmId(spec.name), {
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        failed: executionMetric(stack, name, 'ExecutionsFailed', period),
        timedOut: executionMetric(stack, name, 'ExecutionsTimedOut', period),
      },
      label: 'Failed or timed-out runs',
      period,
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    severity: 'critical',
    description: ({ threshold }) =>
      `${threshold} or more runs of the job ${spec.name} failed within 5 minutes, after ${plural(spec.retries, 'retry', 'retries')}.`,
    firstResponse: `Open the failed execution of the state machine ${name} for the task's stop reason and exit code, then read its output in ${renderScheduledJobNames(monitoring.environment, spec.name).logGroup}.`,
  });
}

/** The dashboard row: runs per hour by outcome, and the latest output (literal names: the dashboard is elsewhere). */
function addJobWidgets(job: Construct, spec: JobSpec, names: ScheduledJobNames, monitoring: IMonitoring): void {
  const stack = Stack.of(job);
  const hour = Duration.hours(1);
  monitoring.addWidgets(
    `Jobs: ${spec.name}`,
    new cloudwatch.GraphWidget({
      title: 'Runs per hour',
      left: [
        executionMetric(stack, names.base, 'ExecutionsSucceeded', hour).with({ label: 'Succeeded' }),
        executionMetric(stack, names.base, 'ExecutionsFailed', hour).with({ label: 'Failed' }),
        executionMetric(stack, names.base, 'ExecutionsTimedOut', hour).with({ label: 'Timed out' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
      height: 6,
    }),
    new cloudwatch.LogQueryWidget({
      title: 'Latest output',
      logGroupNames: [names.logGroup],
      queryLines: ['fields @timestamp, @logStream, @message', 'sort @timestamp desc', 'limit 50'],
      width: 12,
      height: 6,
    }),
  );
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function describeSchedule(spec: JobSpec): string {
  return 'cron' in spec.schedule ? `cron ${spec.schedule.cron}` : `every ${spec.schedule.rateMinutes} minutes`;
}

function validateScheduledJobProps(props: ScheduledJobProps): void {
  const issues = new IssueCollector();
  const spec = props.spec;
  const at = `jobs.${spec.name}`;
  if (props.vpc.privateSubnets.length === 0) issues.add(`${at}.vpc`, props.vpc.node.path, 'a VPC with private subnets');
  // The limits the spec enforces too, in the same words, for a spec written without defineEnvironment.
  addLimitProblems(issues, at, [...jobProblems(spec), ...containerDefinitionProblems(spec, props)]);
  const base = renderScheduledJobNames(props.environment, spec.name).base;
  if (!Token.isUnresolved(base) && (base.length > MAX_SCHEDULE_NAME || !/^[a-z0-9-]+$/.test(base))) {
    issues.add(
      `${at}.name`,
      spec.name,
      `platform-<env>-<job> within ${MAX_SCHEDULE_NAME} lowercase letters, digits and hyphens (an EventBridge schedule name); "${base}" has ${base.length}`,
    );
  }
  issues.throwIfAny(`Invalid scheduled job (${spec.name})`);
}
