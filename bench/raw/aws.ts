// The AWS half of the bench's reference point: the same foundation, compute and workload stacks of the three
// environments as stacks/aws (same construct IDs, so the same logical IDs and templates), written against
// aws-cdk-lib directly, with the environment values spelled out instead of resolved from the spec. Anything
// ours costs beyond this program is the price of the library (zod, spec resolution, naming, our constructs).
//
// The guardrails are the same work too: each stage gets cdk-nag's AwsSolutions pack (writing the
// acknowledgements into the template), NIST 800-53 R5 in production, a one-rule pack for production data
// safety and a plugin for CloudFormation's limits and termination protection, each as a validation plugin
// scoped to its stage. Those last two are written here, a few lines each, as a hand-written program would.
//
// Monitoring is written out the same way: alert topics per severity with the environment's subscriptions,
// the dashboard (its header text spelled out, its widgets added once every alarm exists; one alarm status
// widget, as no environment has 100 alarms, where ours lays out one per 100), the application log group
// with a metric filter, an alarm and saved queries per log pattern (over the services' and jobs' log groups
// too, by their literal names), and the NAT gateway alarms.
//
// Servers and patching are mirrored too, in each environment's compute stack (which references the
// foundation's VPC, keys, log group and topics; the foundation exports every value the compute and workload
// stacks may reference, referenced or not, as ours does): the Patch Manager baselines, maintenance window
// and daily scan; per server definition a security group, a role with its managed policy,
// the image pinned by a custom resource, the instances in the zones the spec's rotation gives, the State
// Manager document and associations (configuration, Ansible), and the alarms per instance, which the
// dashboard in the foundation lists by ARN; the dashboard also gets a row per definition, found by the
// definition's own metric namespace. The cloud-config text is spelled out (bench/raw/servers.ts); the
// applier script comes from lib/core's pure renderer, as the same text would be pasted in by hand.
//
// Container services and scheduled jobs (issue 6) are mirrored in bench/raw/aws-workloads.ts: the ECS cluster
// and the load balancers' access-log bucket in the foundation, and the workload stacks
// `platform-<env>-workloads-<n>` the spec's hash of each name gives (the API service and the nightly job in 2,
// the web service in 7), with per service the Fargate service behind its own load balancer, target tracking
// and six alarms, and per job the Step Functions state machine, its EventBridge schedule and failure alarm;
// the dashboard gets a row for each. Scalable targets and listeners stay untagged, as in ours. The services'
// and the job's definitions, which both clouds share, are spelled out in bench/raw/workloads.ts.
//
// Backup (issue 7) is mirrored in bench/raw/aws-backup.ts: in each foundation the vault's key, the locked vault,
// the plan (daily and weekly rules, monthly and copies to eu-central-1 in production), the backup role and the
// tag selection, in production the restore role and the restore testing plan and selection, and the three
// failed-job alarms; the dashboard gets a Backup row after the logs; production-tier stages get the stack
// `platform-<env>-backup-copy` in eu-central-1 with the copy vault, which the foundation depends on.
import {
  App,
  ArnFormat,
  Aspects,
  CfnDeletionPolicy,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Stage,
  TagManager,
  Tags,
  Validations,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type PolicyViolation,
  type StackProps,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import {
  AwsSolutionsChecks,
  NagMessageLevel,
  NagPack,
  NagRuleCompliance,
  NIST80053R5Checks,
  type NagPackProps,
} from 'cdk-nag';
import { Construct, type IConstruct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import cdkJson from '../../cdk.json';
import { configurationHash, renderApplier } from '../../lib/core/servers';
import { parseBenchArgs } from '../args';
import {
  buildContainerCluster,
  buildJob,
  buildService,
  jobWidgets,
  serviceWidgets,
  workloadLogGroupNames,
  type RawContainers,
  type RawWorkloadStack,
} from './aws-workloads';
import { backupWidgets, buildBackup, buildBackupCopy } from './aws-backup';
import { OPS_CLOUD_CONFIG_AWS, SERVER_ALARMS, WEB_CLOUD_CONFIG } from './servers';
import { API_SERVICE, DEVELOPMENT_COUNTS, NIGHTLY_JOB, PRODUCTION_COUNTS, WEB_SERVICE } from './workloads';

/** One environment, as stacks/environments resolves it. */
export interface RawAwsEnvironment {
  readonly name: string;
  readonly tier: Tier;
  readonly account: string;
  readonly availabilityZones: readonly string[];
  readonly cidr: string;
  readonly cidrMask: number;
  readonly natGateways: number;
  readonly retention: logs.RetentionDays;
  readonly retainData: boolean;
  /** Who each severity's alert topic notifies: the spec's routing applied to its addresses. */
  readonly alertEndpoints: Readonly<Record<Severity, AlertEndpoints>>;
  /** The channels each severity is routed to, as the dashboard header names them. */
  readonly routing: Readonly<Record<Severity, string>>;
  /** Alarm thresholds of the two log patterns: error lines and HTTP 5xx responses per 5 minutes. */
  readonly logThresholds: { readonly errors: number; readonly serverErrors: number };
  /** Instances refuse termination through the API. */
  readonly deletionProtection: boolean;
  /** The maintenance window's schedule (UTC) and approval delay, and how many instances are patched at once. */
  readonly patching: { readonly schedule: string; readonly approveAfterDays: number; readonly maxConcurrency: string };
  /** The server definitions, in the spec's order. */
  readonly servers: readonly RawServer[];
  /** The workload stacks that hold services or jobs, by index, and what each holds. */
  readonly workloads: readonly RawWorkloadStack[];
}

/** One server definition with the defaults applied (lib/core/spec/servers.ts). */
interface RawServer {
  readonly name: 'web' | 'ops';
  readonly os: OperatingSystem;
  readonly instanceType: string;
  readonly diskGiB: number;
  /**
   * The zone (private subnet) of each instance: the zones taken in turn from one that follows from the
   * definition's name, as the spec's rotation gives them; their number is the instance count.
   */
  readonly zones: readonly number[];
  readonly cloudConfig: string;
  /** How a failed playbook run counts in compliance, for a definition with the ops playbook. */
  readonly ansibleSeverity?: 'MEDIUM' | 'HIGH';
}

type OperatingSystem = 'ubuntu-24.04' | 'amazon-linux-2023';

/** What each operating system is on AWS: its image parameter, root device and file system, and system log. */
const IMAGES: Readonly<
  Record<
    OperatingSystem,
    { readonly parameter: string; readonly rootDevice: string; readonly fsType: string; readonly systemLog?: string }
  >
> = {
  'ubuntu-24.04': {
    parameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    rootDevice: '/dev/sda1',
    fsType: 'ext4',
    systemLog: '/var/log/syslog',
  },
  'amazon-linux-2023': {
    parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    rootDevice: '/dev/xvda',
    fsType: 'xfs',
  },
};

type Tier = 'development' | 'production';
type Severity = 'critical' | 'warning';

interface AlertEndpoints {
  readonly emails: readonly string[];
  readonly webhooks: readonly string[];
}

const ALERT_EMAIL = 'platform-alerts@example.com';
const PAGER_WEBHOOK = 'https://events.pagerduty.com/integration/0000/enqueue';

const REGION = 'eu-west-1';
const TAGS = { 'cost-center': 'platform', owner: 'platform-team', 'managed-by': 'platform-constructs' } as const;

/** dev, staging and prod with the tier defaults applied (stacks/environments, lib/core/tiers.ts). */
/** The example certificate of an account (stacks/environments/workloads.ts). */
const certificateOf = (account: string): string =>
  `arn:aws:acm:eu-west-1:${account}:certificate/00000000-0000-0000-0000-000000000000`;

const ENVIRONMENTS: readonly RawAwsEnvironment[] = [
  {
    name: 'dev',
    tier: 'development',
    account: '111111111111',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    cidr: '10.10.0.0/16',
    cidrMask: 19,
    natGateways: 1,
    retention: logs.RetentionDays.ONE_MONTH,
    retainData: false,
    alertEndpoints: {
      critical: { emails: [ALERT_EMAIL], webhooks: [] },
      warning: { emails: [ALERT_EMAIL], webhooks: [] },
    },
    routing: { critical: 'email, webhook', warning: 'email, webhook' },
    logThresholds: { errors: 10, serverErrors: 20 },
    deletionProtection: false,
    patching: { schedule: 'cron(0 3 ? * * *)', approveAfterDays: 0, maxConcurrency: '50%' },
    servers: [
      {
        name: 'web',
        os: 'ubuntu-24.04',
        instanceType: 'm6i.large',
        diskGiB: 30,
        zones: [1],
        cloudConfig: WEB_CLOUD_CONFIG,
      },
      {
        name: 'ops',
        os: 'amazon-linux-2023',
        instanceType: 'm6i.large',
        diskGiB: 30,
        zones: [1],
        cloudConfig: OPS_CLOUD_CONFIG_AWS,
        ansibleSeverity: 'MEDIUM',
      },
    ],
    workloads: [
      { index: 2, services: [{ ...API_SERVICE, ...DEVELOPMENT_COUNTS }], jobs: [{ ...NIGHTLY_JOB, retries: 0 }] },
      { index: 7, services: [{ ...WEB_SERVICE, ...DEVELOPMENT_COUNTS }], jobs: [] },
    ],
  },
  {
    name: 'staging',
    tier: 'production',
    account: '222222222222',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    cidr: '10.20.0.0/16',
    cidrMask: 20,
    natGateways: 1,
    retention: logs.RetentionDays.ONE_YEAR,
    retainData: true,
    alertEndpoints: {
      critical: { emails: [ALERT_EMAIL], webhooks: [] },
      warning: { emails: [ALERT_EMAIL], webhooks: [] },
    },
    routing: { critical: 'email, webhook', warning: 'email' },
    logThresholds: { errors: 5, serverErrors: 10 },
    deletionProtection: true,
    patching: { schedule: 'cron(0 2 ? * SUN *)', approveAfterDays: 7, maxConcurrency: '1' },
    servers: [
      {
        name: 'web',
        os: 'ubuntu-24.04',
        instanceType: 'm6i.large',
        diskGiB: 30,
        zones: [0, 1],
        cloudConfig: WEB_CLOUD_CONFIG,
      },
      {
        name: 'ops',
        os: 'amazon-linux-2023',
        instanceType: 'm6i.large',
        diskGiB: 30,
        zones: [1],
        cloudConfig: OPS_CLOUD_CONFIG_AWS,
        ansibleSeverity: 'HIGH',
      },
    ],
    workloads: [
      {
        index: 2,
        services: [{ ...API_SERVICE, ...PRODUCTION_COUNTS, certificateArn: certificateOf('222222222222') }],
        jobs: [{ ...NIGHTLY_JOB, retries: 1 }],
      },
      {
        index: 7,
        services: [{ ...WEB_SERVICE, ...PRODUCTION_COUNTS, certificateArn: certificateOf('222222222222') }],
        jobs: [],
      },
    ],
  },
  {
    name: 'prod',
    tier: 'production',
    account: '333333333333',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    cidr: '10.30.0.0/16',
    cidrMask: 20,
    natGateways: 3,
    retention: logs.RetentionDays.ONE_YEAR,
    retainData: true,
    alertEndpoints: {
      critical: { emails: [ALERT_EMAIL], webhooks: [PAGER_WEBHOOK] },
      warning: { emails: [ALERT_EMAIL], webhooks: [] },
    },
    routing: { critical: 'email, webhook', warning: 'email' },
    logThresholds: { errors: 5, serverErrors: 10 },
    deletionProtection: true,
    patching: { schedule: 'cron(0 2 ? * SUN *)', approveAfterDays: 7, maxConcurrency: '1' },
    servers: [
      {
        name: 'web',
        os: 'ubuntu-24.04',
        instanceType: 'm6i.xlarge',
        diskGiB: 64,
        zones: [0, 1, 2],
        cloudConfig: WEB_CLOUD_CONFIG,
      },
      {
        name: 'ops',
        os: 'amazon-linux-2023',
        instanceType: 'm6i.large',
        diskGiB: 30,
        zones: [1, 2],
        cloudConfig: OPS_CLOUD_CONFIG_AWS,
        ansibleSeverity: 'HIGH',
      },
    ],
    workloads: [
      {
        index: 2,
        services: [{ ...API_SERVICE, ...PRODUCTION_COUNTS, certificateArn: certificateOf('333333333333') }],
        jobs: [{ ...NIGHTLY_JOB, retries: 1 }],
      },
      {
        index: 7,
        services: [
          {
            ...WEB_SERVICE,
            ...PRODUCTION_COUNTS,
            certificateArn: certificateOf('333333333333'),
          },
        ],
        jobs: [],
      },
    ],
  },
];

/** A stack with fixed availability zones: without the override, Vpc would look them up in context. */
class FixedZonesStack extends Stack {
  constructor(
    scope: Construct,
    id: string,
    private readonly zones: readonly string[],
    props: StackProps,
  ) {
    super(scope, id, props);
  }

  public override get availabilityZones(): string[] {
    return [...this.zones];
  }
}

/**
 * Tags the plain CfnResources that `Tags.of()` skips: aws-cdk-lib's singleton custom-resource provider (the
 * role and function that strip the default security group) is built that way. Ours tags them too.
 */
function tagPlainResources(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  const sorted = Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key]! }));
  Aspects.of(scope).add({
    visit(node: IConstruct): void {
      if (
        CfnResource.isCfnResource(node) &&
        !TagManager.isTaggable(node) &&
        (node.cfnResourceType === 'AWS::IAM::Role' || node.cfnResourceType === 'AWS::Lambda::Function')
      ) {
        node.addPropertyOverride('Tags', sorted);
      }
    },
  });
}

/** The key policy statement that lets CloudWatch Logs use the key for one log group, and nothing else. */
function logGroupKeyStatement(stack: Stack, sid: string, logGroupName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  });
}

/** Why the findings on aws-cdk-lib's default-SG handler (a Lambda run only by CloudFormation) are safe. */
const DEFAULT_SG_HANDLER_ACKNOWLEDGEMENTS: Readonly<Record<string, string>> = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'The AWS-managed basic execution policy only lets the handler write its own logs; aws-cdk-lib sets it',
  'NIST.800.53.R5-IAMNoInlinePolicy':
    "The inline policy is scoped to this VPC's default security group and lives and dies with the handler role",
  'NIST.800.53.R5-LambdaConcurrency':
    'CloudFormation invokes the handler once per deployment of the VPC; it takes no other traffic',
  'NIST.800.53.R5-LambdaDLQ':
    'CloudFormation invokes the handler synchronously and reports a failure in the stack events; nothing is queued',
  'NIST.800.53.R5-LambdaInsideVPC':
    'The handler calls only the EC2 API to empty the default security group; it reaches no resource in the VPC',
};

/** A default alarm: what it watches, when it fires, who is told and what to do first. */
export interface RawAlarm {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  readonly severity: Severity;
  readonly description: string;
  readonly firstResponse: string;
  /** Actions besides notifying the topic (the EC2 recover action). */
  readonly extraActions?: readonly cloudwatch.IAlarmAction[];
}

/** The environment's monitoring, as the rest of the stage uses it. */
export interface RawMonitoring {
  /** The key of the topics and of the environment's log groups (`/platform/<env>/*`). */
  readonly key: kms.Key;
  /** The construct the log pattern alarms and the saved queries live in (`Monitoring/Logs`). */
  readonly logs: Construct;
  /** `/platform/<env>/application`, where servers send their configuration, agent and Ansible logs. */
  readonly applicationLogGroup: logs.LogGroup;
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, in creation order; those of other stacks by ARN. */
  readonly alarms: cloudwatch.IAlarm[];
  readonly patternMetrics: cloudwatch.Metric[];
  /** The alert topic of each severity. */
  readonly topics: Readonly<Record<Severity, sns.Topic>>;
  /**
   * Creates an alarm `platform-<env>-<id with dots>` in `scope` that notifies its severity's topic; with a
   * member (an instance's number), one of an alarm kept per resource, `...-<id with dots>.<member>`.
   */
  addAlarm(scope: Construct, id: string, alarm: RawAlarm, member?: string): void;
  /** Counts the log patterns in a log group (a metric filter per pattern beside it). */
  watchLogGroup(logGroup: logs.LogGroup): void;
}

/**
 * Alert topics per severity, the dashboard, and the log analysis (application log group, a metric filter
 * and an alarm per log pattern, saved Logs Insights queries), under a plain Construct named like ours.
 */
function buildMonitoring(stack: Stack, env: RawAwsEnvironment, removalPolicy: RemovalPolicy): RawMonitoring {
  const monitoring = new Construct(stack, 'Monitoring');
  const key = new kms.Key(monitoring, 'Key', {
    description: `Encrypts the alert topics and log groups of ${env.name}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': env.account } },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForEnvironmentLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `/platform/${env.name}/*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );

  const topic = (severity: Severity, id: string): sns.Topic => {
    const t = new sns.Topic(monitoring, id, {
      topicName: `platform-${env.name}-${severity}`,
      displayName: `Platform ${env.name} ${severity} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL replaces the topic's default policy, which let CloudWatch publish: allow this account's alarms.
    t.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [t.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': env.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `platform-${env.name}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const { emails, webhooks } = env.alertEndpoints[severity];
    for (const email of emails) t.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of webhooks) {
      t.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    }
    return t;
  };
  const topics: Record<Severity, sns.Topic> = {
    critical: topic('critical', 'CriticalTopic'),
    warning: topic('warning', 'WarningTopic'),
  };
  // Its widgets are added once every alarm exists (the alarm status widget lists them all).
  const dashboard = new cloudwatch.Dashboard(monitoring, 'Dashboard', {
    dashboardName: `platform-${env.name}`,
    defaultInterval: Duration.hours(3),
  });

  const alarms: cloudwatch.IAlarm[] = [];
  const addAlarm = (scope: Construct, id: string, a: RawAlarm, member?: string): void => {
    const key = member === undefined ? id : `${id}/${member}`;
    const alarmName = `platform-${env.name}-${key.replaceAll('/', '.')}`;
    const alarm = new cloudwatch.Alarm(scope, key.replaceAll('/', '-'), {
      alarmName,
      alarmDescription: `[${a.severity}] ${a.description} First response: ${a.firstResponse}`,
      metric: a.metric,
      threshold: a.threshold,
      comparisonOperator: a.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: a.evaluationPeriods ?? 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      actionsEnabled: true,
    });
    const notify = new actions.SnsAction(topics[a.severity]);
    alarm.addAlarmAction(notify, ...(a.extraActions ?? []));
    alarm.addOkAction(notify);
    // The dashboard is in this stack: an alarm of the compute stack is listed by its ARN, since a reference
    // would make the foundation depend on the stack that depends on it.
    alarms.push(
      Stack.of(scope) === stack
        ? alarm
        : cloudwatch.Alarm.fromAlarmArn(
            monitoring,
            `Status-${key.replaceAll('/', '-')}`,
            `arn:aws:cloudwatch:${REGION}:${env.account}:alarm:${alarmName}`,
          ),
    );
  };

  const logAnalysis = new Construct(monitoring, 'Logs');
  const applicationLogGroup = new logs.LogGroup(logAnalysis, 'ApplicationLogGroup', {
    logGroupName: `/platform/${env.name}/application`,
    retention: env.retention,
    encryptionKey: key,
    removalPolicy,
  });
  const namespace = `Platform/${env.name}`;
  const patterns = [
    {
      name: 'errors',
      filter: '"ERROR"',
      threshold: env.logThresholds.errors,
      matched: '"ERROR"',
      severity: 'warning',
      insights: '| filter @message like "ERROR"',
    },
    {
      name: 'http-5xx',
      filter: '{ ($.status >= 500) && ($.status <= 599) }',
      threshold: env.logThresholds.serverErrors,
      matched: 'status between 500 and 599',
      severity: 'critical',
      insights: '| filter status >= 500 and status <= 599',
    },
  ] as const;
  const watchLogGroup = (logGroup: logs.LogGroup): void => {
    for (const p of patterns) {
      logGroup.addMetricFilter(`Pattern-${p.name}`, {
        filterPattern: logs.FilterPattern.literal(p.filter),
        metricNamespace: namespace,
        metricName: `log-${p.name}`,
        metricValue: '1',
      });
    }
  };
  watchLogGroup(applicationLogGroup);
  const patternMetrics: cloudwatch.Metric[] = [];
  for (const p of patterns) {
    const metric = new cloudwatch.Metric({
      namespace,
      metricName: `log-${p.name}`,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
    patternMetrics.push(metric);
    addAlarm(logAnalysis, `logs/${p.name}`, {
      metric,
      threshold: p.threshold,
      severity: p.severity,
      description: `${p.threshold} or more log lines matched ${p.matched} within 5 minutes.`,
      firstResponse: `Run the saved query platform/${env.name}/${p.name}-by-source in Logs Insights to see which source logs them.`,
    });
  }
  const queries: ReadonlyArray<readonly [string, string]> = [
    ...patterns.map(
      (p) =>
        [
          `${p.name}-by-source`,
          `fields @timestamp, @log, @logStream, @message\n${p.insights}\n| stats count(*) as matches by @log, @logStream\n| sort matches desc\n| limit 50`,
        ] as const,
    ),
    [
      'slowest-requests',
      'fields @timestamp, @log, @message, duration_ms\n| filter ispresent(duration_ms)\n| sort duration_ms desc\n| limit 50',
    ],
    [
      'top-clients',
      'filter ispresent(client_ip)\n| stats count(*) as requests by client_ip\n| sort requests desc\n| limit 25',
    ],
  ];
  // Over every watched log group: the workloads' groups (in other stacks) by their literal names.
  const logGroupNames = [applicationLogGroup.logGroupName, ...workloadLogGroupNames(env)];
  for (const [name, queryString] of queries) {
    new logs.CfnQueryDefinition(logAnalysis, `Query-${name}`, {
      name: `platform/${env.name}/${name}`,
      queryString,
      logGroupNames,
    });
  }
  return {
    key,
    logs: logAnalysis,
    applicationLogGroup,
    dashboard,
    alarms,
    patternMetrics,
    topics,
    addAlarm,
    watchLogGroup,
  };
}

/** A NAT gateway metric summed over the given NAT gateways, so that one alarm covers them all. */
function acrossGateways(
  gateways: readonly ec2.CfnNatGateway[],
  metricName: string,
  period: Duration,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'SUM(METRICS())',
    usingMetrics: Object.fromEntries(
      gateways.map((gateway, i) => [
        `nat${i + 1}`,
        new cloudwatch.Metric({
          namespace: 'AWS/NATGateway',
          metricName,
          dimensionsMap: { NatGatewayId: gateway.ref },
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
      ]),
    ),
    label: `${metricName}, all NAT gateways`,
    period,
  });
}

/** What the compute and workload stacks use of the foundation. */
export interface RawFoundation {
  readonly stack: Stack;
  readonly monitoring: RawMonitoring;
  readonly vpc: ec2.Vpc;
  /** The ECS cluster and access-log bucket, when the environment runs services or jobs. */
  readonly containers?: RawContainers;
}

function buildFoundation(stage: Stage, env: RawAwsEnvironment): RawFoundation {
  const stack = new FixedZonesStack(stage, 'foundation', env.availabilityZones, {
    env: { account: env.account, region: REGION },
    terminationProtection: env.retainData,
    description: `Platform ${env.name} (${env.tier}): network, monitoring, encryption keys and logs`,
  });
  const removalPolicy = env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  const monitoring = buildMonitoring(stack, env, removalPolicy);
  // A plain Construct named like ours, so that logical IDs (and thus templates) match ours exactly.
  const network = new Construct(stack, 'Network');
  const logGroupName = `/platform/${env.name}/vpc-flow-logs`;

  const vpc = new ec2.Vpc(network, 'Resource', {
    ipAddresses: ec2.IpAddresses.cidr(env.cidr),
    availabilityZones: [...env.availabilityZones],
    natGateways: env.natGateways,
    natGatewayProvider: ec2.NatProvider.gateway(),
    enableDnsHostnames: true,
    enableDnsSupport: true,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: env.cidrMask, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: env.cidrMask },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: env.cidrMask },
    ],
  });
  // Ours acknowledges this validation warning too; without it the validated runs would do different work.
  Validations.of(vpc).acknowledge({
    id: 'CloudFormation-Validate::W3010',
    reason:
      'Availability zones are named in the spec on purpose: synthesis runs offline, and a subnet must never move zone (that replaces it)',
  });

  const key = new kms.Key(network, 'FlowLogKey', {
    description: `Encrypts the VPC flow logs of ${env.name}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
  });
  key.addToResourcePolicy(logGroupKeyStatement(stack, 'AllowCloudWatchLogsForFlowLogGroup', logGroupName));
  const logGroup = new logs.LogGroup(network, 'FlowLogGroup', {
    logGroupName,
    retention: env.retention,
    encryptionKey: key,
    removalPolicy,
  });

  // The flow log role: trusted only for this account's flow logs, its grant in a customer-managed policy.
  const role = new iam.Role(network, 'FlowLogRole', {
    description: `Lets VPC Flow Logs write to ${logGroupName}`,
    assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': env.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }),
        },
      },
    }),
  });
  new iam.ManagedPolicy(network, 'FlowLogPolicy', {
    description: 'Writes VPC flow logs to their one log group',
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });
  vpc.addFlowLog('FlowLog', {
    // Without policy updates: the destination would add the managed policy's grant inline again.
    destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup, role.withoutPolicyUpdates()),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });

  // The default-SG handler (aws-cdk-lib's stack-wide provider) logs to an encrypted group with retention.
  const provider = stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const handlerLogGroupName = `/platform/${env.name}/vpc-default-sg-handler`;
  key.addToResourcePolicy(logGroupKeyStatement(stack, 'AllowCloudWatchLogsForDefaultSgHandler', handlerLogGroupName));
  const handlerLogGroup = new logs.LogGroup(provider, 'LogGroup', {
    logGroupName: handlerLogGroupName,
    retention: env.retention,
    encryptionKey: key,
    removalPolicy,
  });
  const handler = provider.node.findChild('Handler') as CfnResource;
  handler.addPropertyOverride('LoggingConfig', { LogGroup: handlerLogGroup.logGroupName });
  handler.node.addDependency(handlerLogGroup);
  for (const [id, reason] of Object.entries(DEFAULT_SG_HANDLER_ACKNOWLEDGEMENTS)) {
    Validations.of(provider).acknowledge({ id, reason });
  }

  Validations.of(vpc).acknowledge({
    id: 'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
    reason:
      'The Custom::VpcRestrictDefaultSG resource in the same stack removes every rule of the default security group',
  });
  for (const subnet of vpc.publicSubnets) {
    Validations.of(subnet).acknowledge({
      id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
      reason:
        'Public subnets exist to route to the internet gateway; they hold only NAT gateways and load balancers, and instances run in private subnets',
    });
  }

  // NAT gateway alarms (one alarm over all gateways each) and the top-talkers query over the flow logs.
  const gateways = vpc.publicSubnets
    .slice(0, env.natGateways)
    .map((subnet) => subnet.node.findChild('NATGateway') as ec2.CfnNatGateway);
  monitoring.addAlarm(network, 'network/nat/port-allocation-errors', {
    metric: acrossGateways(gateways, 'ErrorPortAllocation', Duration.minutes(5)),
    threshold: 1,
    severity: 'critical',
    description:
      'A NAT gateway could not allocate a source port: new connections from the private subnets to the internet fail.',
    firstResponse:
      'Run the top-talkers saved query to find the destinations holding most connections, then spread them or add a NAT gateway.',
  });
  monitoring.addAlarm(network, 'network/nat/packets-dropped', {
    metric: acrossGateways(gateways, 'PacketsDropCount', Duration.minutes(15)),
    threshold: 100,
    severity: 'warning',
    description: 'The NAT gateways dropped 100 or more packets in 15 minutes.',
    firstResponse: 'Check the AWS Health Dashboard for the zones, then the NAT gateway metrics for a traffic spike.',
  });
  new logs.CfnQueryDefinition(monitoring.logs, 'Query-top-talkers', {
    name: `platform/${env.name}/top-talkers`,
    queryString: 'stats sum(bytes) as bytes by srcAddr, dstAddr\n| sort bytes desc\n| limit 25',
    logGroupNames: [logGroup.logGroupName],
  });
  const containers = env.workloads.length > 0 ? buildContainerCluster(stack, env, vpc, removalPolicy) : undefined;
  buildBackup(stack, env, monitoring, removalPolicy);

  // Everything the compute and workload stacks may reference is exported whether referenced now or not, as
  // ours does: CloudFormation refuses to remove an export that another stack still imports.
  const shared = [
    vpc.vpcId,
    vpc.vpcCidrBlock,
    ...vpc.publicSubnets.map((s) => s.subnetId),
    ...vpc.privateSubnets.map((s) => s.subnetId),
    monitoring.key.keyArn,
    monitoring.topics.critical.topicArn,
    monitoring.topics.warning.topicArn,
    monitoring.applicationLogGroup.logGroupName,
    monitoring.applicationLogGroup.logGroupArn,
    ...(containers
      ? [containers.cluster.clusterName, containers.cluster.clusterArn, containers.accessLogBucket.bucketName]
      : []),
  ];
  for (const value of shared) stack.exportValue(value);
  return { stack, monitoring, vpc, ...(containers && { containers }) };
}

/** Fills the dashboard once every alarm of the stage exists: routing header, alarm status, log pattern counts. */
function addDashboardWidgets(env: RawAwsEnvironment, monitoring: RawMonitoring): void {
  const { dashboard } = monitoring;
  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown: `# Platform ${env.name}\n\nCritical alerts: ${env.routing.critical}; warnings: ${env.routing.warning}.\n\nEvery default alarm is on.`,
      width: 24,
      height: 3,
    }),
  );
  // Fewer than 100 alarms in each environment: one status widget shows them all.
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: monitoring.alarms, width: 24, height: 3 }),
  );
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Logs', width: 24, height: 1 }));
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Matching log lines per pattern', left: monitoring.patternMetrics, width: 24 }),
  );
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Backup', width: 24, height: 1 }));
  dashboard.addWidgets(...backupWidgets());
  // A row per server definition, finding its instances by the definition's namespace (a search), so that the
  // dashboard never references the compute stack.
  for (const server of env.servers) {
    const namespace = metricNamespace(env, server);
    const graph = (title: string, dimensions: string, metric: string): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${namespace},${dimensions}} MetricName="${metric}"', 'Average', 300)`,
            usingMetrics: {},
            period: Duration.minutes(5),
          }),
        ],
        leftYAxis: { min: 0, max: 100 },
        width: 8,
        height: 6,
      });
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## Servers: ${server.name}`, width: 24, height: 1 }));
    dashboard.addWidgets(
      graph('CPU %', 'InstanceId,cpu', 'cpu_usage_active'),
      graph('Memory used %', 'InstanceId', 'mem_used_percent'),
      graph('Root disk used %', 'InstanceId,fstype,path', 'disk_used_percent'),
    );
  }
  // A row per service and job, in the order their stacks create them.
  for (const workloads of env.workloads) {
    for (const service of workloads.services) {
      dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `## Services: ${service.name}`, width: 24, height: 1 }),
      );
      dashboard.addWidgets(...serviceWidgets(env, service));
    }
    for (const job of workloads.jobs) {
      dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## Jobs: ${job.name}`, width: 24, height: 1 }));
      dashboard.addWidgets(...jobWidgets(env, job));
    }
  }
}

/** The CloudWatch namespace a server definition's agent writes to: its role may write there only. */
function metricNamespace(env: RawAwsEnvironment, server: RawServer): string {
  return `Platform/${env.name}/server/${server.name}`;
}

/** Why each wildcard resource of the instance policy is needed (acknowledged one by one, so a new one is reported). */
const WILDCARD_REASONS = {
  apis: 'Session Manager, State Manager and the CloudWatch agent call APIs that have no resource-level permissions (ssmmessages, ec2messages, ssm:UpdateInstanceInformation, ec2:DescribeTags)',
  documents:
    "Associations run AWS-owned documents (AWS-ConfigureAWSPackage, AmazonCloudWatch-ManageAgent, AWS-RunPatchBaseline, AWS-ApplyAnsiblePlaybooks) and the library's own platform-* configuration documents; reading documents discloses nothing secret",
  logGroups: 'logs:DescribeLogGroups lists by prefix and has no narrower resource; it reveals names only',
  agentConfiguration:
    "The CloudWatch agent reads its configuration from the library's own AmazonCloudWatch-platform-* parameters",
  buckets:
    'Read-only access to the AWS-owned buckets Systems Manager downloads plugins, patch snapshots and the CloudWatch agent package from',
} as const;

/** Why the findings on the image pin's function (aws-cdk-lib's AwsCustomResource provider) are safe. */
const IMAGE_PIN_ACKNOWLEDGEMENTS: Readonly<Record<string, string>> = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'The AWS-managed basic execution policy only lets the function write its own logs; aws-cdk-lib sets it',
  'NIST.800.53.R5-IAMNoInlinePolicy':
    'The inline policy allows ssm:GetParameter on the public image parameters only and lives and dies with the function role',
  'NIST.800.53.R5-LambdaConcurrency':
    'CloudFormation invokes the function once when a server definition is created; it takes no other traffic',
  'NIST.800.53.R5-LambdaDLQ':
    'CloudFormation invokes the function synchronously and reports a failure in the stack events; nothing is queued',
  'NIST.800.53.R5-LambdaInsideVPC':
    'The function calls only the public SSM GetParameter API; it reaches no resource in the VPC',
};

/** The Patch Manager baselines, maintenance window and daily compliance scan of the environment's servers. */
function buildPatching(stack: Stack, env: RawAwsEnvironment, logGroupName: string): void {
  const patching = new Construct(stack, 'Patching');
  const patchGroups = [`platform-${env.name}-ubuntu-24.04`, `platform-${env.name}-amazon-linux-2023`];
  new ssm.CfnPatchBaseline(patching, 'UbuntuBaseline', {
    name: `platform-${env.name}-ubuntu-24.04`,
    description: `Updates approved for the Ubuntu Server 24.04 servers of ${env.name}`,
    operatingSystem: 'UBUNTU',
    approvalRules: {
      patchRules: [
        {
          // Patch Manager takes no approval delay on Ubuntu.
          patchFilterGroup: {
            patchFilters: [
              { key: 'PRIORITY', values: ['Required', 'Important', 'Standard'] },
              { key: 'SECTION', values: ['*'] },
            ],
          },
          complianceLevel: 'HIGH',
          enableNonSecurity: false,
        },
      ],
    },
    patchGroups: [`platform-${env.name}-ubuntu-24.04`],
  });
  new ssm.CfnPatchBaseline(patching, 'AmazonLinuxBaseline', {
    name: `platform-${env.name}-amazon-linux-2023`,
    description: `Updates approved for the Amazon Linux 2023 servers of ${env.name}`,
    operatingSystem: 'AMAZON_LINUX_2023',
    approvalRules: {
      patchRules: [
        {
          patchFilterGroup: {
            patchFilters: [
              { key: 'CLASSIFICATION', values: ['Security', 'Bugfix'] },
              { key: 'SEVERITY', values: ['Critical', 'Important', 'Medium'] },
            ],
          },
          approveAfterDays: env.patching.approveAfterDays,
          complianceLevel: 'HIGH',
          enableNonSecurity: false,
        },
      ],
    },
    patchGroups: [`platform-${env.name}-amazon-linux-2023`],
  });
  const window = new ssm.CfnMaintenanceWindow(patching, 'Window', {
    name: `platform-${env.name}-patching`,
    description: `Installs approved updates on the servers of ${env.name}`,
    schedule: env.patching.schedule,
    scheduleTimezone: 'UTC',
    duration: 3,
    cutoff: 1,
    allowUnassociatedTargets: false,
  });
  const targets = [{ key: 'tag:PatchGroup', values: patchGroups }];
  const target = new ssm.CfnMaintenanceWindowTarget(patching, 'Target', {
    windowId: window.ref,
    name: `platform-${env.name}-servers`,
    description: `The servers of ${env.name}, by their PatchGroup tag`,
    resourceType: 'INSTANCE',
    targets,
  });
  new ssm.CfnMaintenanceWindowTask(patching, 'InstallTask', {
    windowId: window.ref,
    name: `platform-${env.name}-install-patches`,
    description: `Installs the approved updates on the servers of ${env.name}`,
    taskType: 'RUN_COMMAND',
    taskArn: 'AWS-RunPatchBaseline',
    priority: 1,
    targets: [{ key: 'WindowTargetIds', values: [target.ref] }],
    maxConcurrency: env.patching.maxConcurrency,
    maxErrors: '1',
    cutoffBehavior: 'CONTINUE_TASK',
    // No service role: Systems Manager runs the task with its service-linked role.
    taskInvocationParameters: {
      maintenanceWindowRunCommandParameters: {
        comment: `Patch ${env.name}`,
        parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
        cloudWatchOutputConfig: { cloudWatchOutputEnabled: true, cloudWatchLogGroupName: logGroupName },
      },
    },
  });
  new ssm.CfnAssociation(patching, 'ScanAssociation', {
    associationName: `platform-${env.name}-patch-scan`,
    name: 'AWS-RunPatchBaseline',
    parameters: { Operation: ['Scan'] },
    targets,
    scheduleExpression: 'rate(1 day)',
    complianceSeverity: 'HIGH',
  });
}

/** The Command document that installs and configures the CloudWatch agent, then applies the cloud-config. */
function configurationDocument(cloudConfig: string, agentParameterName: string): Record<string, unknown> {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  return {
    schemaVersion: '2.2',
    description: 'Installs and configures the CloudWatch agent, then applies the cloud-config (platform-constructs).',
    parameters: {
      configurationHash: {
        type: 'String',
        description: 'SHA-256 of the configuration; a new value makes State Manager apply the association again.',
        default: '',
      },
    },
    mainSteps: [
      {
        action: 'aws:runDocument',
        name: 'installAgent',
        inputs: {
          documentType: 'SSMDocument',
          documentPath: 'AWS-ConfigureAWSPackage',
          documentParameters: { action: 'Install', name: 'AmazonCloudWatchAgent' },
        },
      },
      {
        action: 'aws:runDocument',
        name: 'configureAgent',
        inputs: {
          documentType: 'SSMDocument',
          documentPath: 'AmazonCloudWatch-ManageAgent',
          documentParameters: {
            action: 'configure',
            mode: 'ec2',
            optionalConfigurationSource: 'ssm',
            optionalConfigurationLocation: agentParameterName,
            optionalRestart: 'yes',
          },
        },
      },
      {
        action: 'aws:runShellScript',
        name: 'applyConfiguration',
        inputs: {
          timeoutSeconds: '3600',
          runCommand: [
            'set -eu',
            'mkdir -p /var/lib/platform /var/log/platform',
            `echo '${b64(renderApplier())}' | base64 -d > /usr/local/sbin/platform-configure.new`,
            'chmod 0755 /usr/local/sbin/platform-configure.new && mv /usr/local/sbin/platform-configure.new /usr/local/sbin/platform-configure',
            `echo '${b64(cloudConfig)}' | base64 -d > /var/lib/platform/cloud-config.yaml`,
            '/usr/local/sbin/platform-configure /var/lib/platform/cloud-config.yaml',
          ],
        },
      },
    ],
  };
}

/**
 * One server definition: security group, role and managed policy, the pinned image, the instances, their
 * configuration through State Manager (and Ansible on a schedule) and the alarms of each instance.
 */
function buildServer(
  servers: Construct,
  env: RawAwsEnvironment,
  server: RawServer,
  foundation: RawFoundation,
  pinLogGroup: logs.LogGroup,
): void {
  const scope = new Construct(servers, server.name);
  const stack = Stack.of(scope);
  const base = `platform-${env.name}-${server.name}`;
  const image = IMAGES[server.os];
  const { monitoring, vpc } = foundation;
  const logGroup = monitoring.applicationLogGroup;
  const namespace = metricNamespace(env, server);

  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `${base}: no inbound traffic (shells through Session Manager); HTTPS and HTTP out`,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs and HTTPS package mirrors');
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP package mirrors (apt signs its indexes)');

  const role = new iam.Role(scope, 'Role', {
    description: `Instances of ${base}: Session Manager, State Manager, patching, the CloudWatch agent`,
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
  });
  const documents = `arn:aws:ssm:${REGION}::document/*`;
  const platformDocuments = `arn:aws:ssm:${REGION}:${env.account}:document/platform-*`;
  const logGroups = `arn:aws:logs:${REGION}:${env.account}:log-group:*`;
  const agentParameters = `arn:aws:ssm:${REGION}:${env.account}:parameter/AmazonCloudWatch-platform-*`;
  const buckets = ['aws-ssm', 'patch-baseline-snapshot', 'amazon-ssm-packages'].map(
    (name) => `arn:aws:s3:::${name}-${REGION}/*`,
  );
  const policy = new iam.ManagedPolicy(scope, 'Policy', {
    description: `Least privilege of the instances of ${base}`,
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'SessionAndStateManager',
        actions: [
          'ssm:UpdateInstanceInformation',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:DescribeAssociation',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:PutInventory',
          'ssm:GetManifest',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
          'ec2:DescribeTags',
          'ec2:DescribeVolumes',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadDocuments',
        actions: ['ssm:GetDocument', 'ssm:DescribeDocument'],
        resources: [documents, platformDocuments],
      }),
      new iam.PolicyStatement({
        sid: 'ReadAgentConfiguration',
        actions: ['ssm:GetParameter'],
        resources: [agentParameters],
      }),
      new iam.PolicyStatement({
        sid: 'AgentMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
      }),
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({ sid: 'FindLogGroups', actions: ['logs:DescribeLogGroups'], resources: [logGroups] }),
      new iam.PolicyStatement({ sid: 'SystemsManagerBuckets', actions: ['s3:GetObject'], resources: buckets }),
    ],
  });
  const wildcards: ReadonlyArray<readonly [string, string]> = [
    ['*', WILDCARD_REASONS.apis],
    // In the order the policy lists them (aws-cdk-lib sorts a statement's resources).
    ...[documents, platformDocuments].sort().map((document) => [document, WILDCARD_REASONS.documents] as const),
    [agentParameters, WILDCARD_REASONS.agentConfiguration],
    [logGroups, WILDCARD_REASONS.logGroups],
    // In the order the policy lists them (aws-cdk-lib sorts a statement's resources).
    ...[...buckets].sort().map((bucket) => [bucket, WILDCARD_REASONS.buckets] as const),
  ];
  for (const [resource, reason] of wildcards) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }

  // The image is read once, when the definition is created, and kept: a newer public image never replaces a server.
  const pin = new Construct(scope, 'Image');
  const pinned = new cr.AwsCustomResource(pin, 'Resource', {
    resourceType: 'Custom::ImagePin',
    onCreate: {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: image.parameter },
      physicalResourceId: cr.PhysicalResourceId.of(image.parameter),
      outputPaths: ['Parameter.Value'],
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
      resources: [`arn:aws:ssm:${REGION}::parameter${image.parameter}`],
    }),
    installLatestAwsSdk: false,
    logGroup: pinLogGroup,
  });
  const imageId = pinned.getResponseField('Parameter.Value');
  const provider = stack.node.findChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`);
  for (const [id, reason] of Object.entries(IMAGE_PIN_ACKNOWLEDGEMENTS)) {
    Validations.of(pin).acknowledge({ id, reason });
    Validations.of(provider).acknowledge({ id, reason });
  }
  const machineImage: ec2.IMachineImage = {
    getImage: () => ({ imageId, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() }),
  };

  const instances = server.zones.map((zone, i) => {
    const instance = new ec2.Instance(scope, `Instance${i + 1}`, {
      vpc,
      vpcSubnets: { subnets: [vpc.privateSubnets[zone]!] },
      instanceType: new ec2.InstanceType(server.instanceType),
      machineImage,
      role,
      securityGroup,
      instanceName: `${base}-${i + 1}`,
      httpEndpoint: true,
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      ebsOptimized: true,
      disableApiTermination: env.deletionProtection,
      propagateTagsToVolumeOnCreation: true,
      blockDevices: [
        {
          deviceName: image.rootDevice,
          volume: ec2.BlockDeviceVolume.ebs(server.diskGiB, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    instance.applyRemovalPolicy(env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    Validations.of(instance).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'The zone follows from the instance number (instance i in zone i mod zones), so adding servers never moves one; synthesis runs offline',
    });
    if (!env.deletionProtection) {
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-EC29',
        reason:
          'Deletion protection is off for this environment (a development tier is disposable); production-tier environments set disableApiTermination',
      });
    }
    Tags.of(instance).add('platform:backup', `platform-${env.name}`);
    Tags.of(instance).add('platform:server', `${env.name}-${server.name}`);
    Tags.of(instance).add('PatchGroup', `platform-${env.name}-${server.os}`);
    return instance;
  });

  // Configuration through State Manager: the agent's configuration in Parameter Store, the document that
  // installs the agent and applies the cloud-config, and an association carrying the configuration's hash
  // (a changed configuration updates the association, which State Manager runs again at once).
  const configuration = new Construct(scope, 'Configuration');
  const targets = [{ key: 'tag:platform:server', values: [`${env.name}-${server.name}`] }];
  const file = (path: string, stream: string): Record<string, string> => ({
    file_path: path,
    log_group_name: logGroup.logGroupName,
    log_stream_name: `{instance_id}/${stream}`,
  });
  const agentConfig = JSON.stringify({
    agent: { metrics_collection_interval: 60, omit_hostname: true },
    metrics: {
      namespace,
      append_dimensions: { InstanceId: '${aws:InstanceId}' },
      metrics_collected: {
        cpu: { measurement: ['usage_active'], totalcpu: true },
        mem: { measurement: ['mem_used_percent'] },
        disk: { measurement: ['used_percent'], resources: ['/'], drop_device: true },
      },
    },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            file('/var/log/platform/configure.log', 'configure'),
            file('/var/log/platform/ansible.log', 'ansible'),
            file('/var/log/cloud-init-output.log', 'cloud-init'),
            ...(image.systemLog ? [file(image.systemLog, 'syslog')] : []),
          ],
        },
      },
    },
  });
  const agentParameter = new ssm.CfnParameter(configuration, 'AgentConfiguration', {
    name: `AmazonCloudWatch-${base}`,
    type: 'String',
    value: agentConfig,
    description: `CloudWatch agent configuration of ${base}`,
  });
  // The hash covers the agent configuration as deployed (its token placeholders are numbered app-wide).
  const hash = configurationHash(`${server.cloudConfig}\n${JSON.stringify(stack.resolve(agentConfig))}`);
  const document = new ssm.CfnDocument(configuration, 'Document', {
    name: `${base}-configuration`,
    documentType: 'Command',
    documentFormat: 'JSON',
    updateMethod: 'NewVersion',
    content: configurationDocument(server.cloudConfig, agentParameter.ref),
  });
  const association = new ssm.CfnAssociation(configuration, 'Association', {
    name: document.ref,
    associationName: `${base}-configuration`,
    documentVersion: '$LATEST',
    targets,
    parameters: { configurationHash: [hash] },
    complianceSeverity: 'HIGH',
    maxConcurrency: '50%',
    maxErrors: '25%',
  });
  if (server.ansibleSeverity) {
    const ansible = new ssm.CfnAssociation(configuration, 'AnsibleAssociation', {
      name: 'AWS-ApplyAnsiblePlaybooks',
      associationName: `${base}-ansible`,
      targets,
      scheduleExpression: 'rate(30 minutes)',
      complianceSeverity: server.ansibleSeverity,
      maxConcurrency: '50%',
      maxErrors: '25%',
      parameters: {
        SourceType: ['GitHub'],
        SourceInfo: [
          JSON.stringify({
            owner: 'example-org',
            repository: 'platform-playbooks',
            path: '',
            getOptions: 'branch:main',
          }),
        ],
        InstallDependencies: ['True'],
        PlaybookFile: ['ops.yml'],
        ExtraVariables: ['SSM=True'],
        Check: ['False'],
        Verbose: ['-v'],
        TimeoutSeconds: ['3600'],
      },
    });
    // The playbook runs on a configured server: its log file and ansible.cfg come with the configuration.
    ansible.addResourceDependency(association);
  }

  // The alarms of each instance (member 1, 2, ...): recovery, status checks, CPU, memory and disk.
  instances.forEach((instance, i) => {
    const member = String(i + 1);
    const metric = (
      namespace: string,
      metricName: string,
      statistic: string,
      period: Duration,
      extra: Record<string, string> = {},
    ): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { InstanceId: instance.instanceId, ...extra },
        statistic,
        period,
      });
    const id = (kind: string): string => `server/${server.name}/${kind}`;
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    monitoring.addAlarm(
      scope,
      id('recovery'),
      {
        metric: metric('AWS/EC2', 'StatusCheckFailed_System', cloudwatch.Stats.MAXIMUM, minute),
        threshold: 1,
        evaluationPeriods: 2,
        severity: 'critical',
        description:
          'The host of a server failed its system status check for 2 minutes; the alarm recovers the instance onto new hardware.',
        firstResponse:
          'Check that the instance came back (same ID and volumes) and the AWS Health Dashboard; if recovery failed, stop and start it.',
        extraActions: [new actions.Ec2Action(actions.Ec2InstanceAction.RECOVER)],
      },
      member,
    );
    monitoring.addAlarm(
      scope,
      id('status-checks'),
      {
        metric: metric('AWS/EC2', 'StatusCheckFailed_Instance', cloudwatch.Stats.MAXIMUM, minute),
        threshold: 1,
        evaluationPeriods: 3,
        severity: 'critical',
        description: 'A server failed its instance status check for 3 minutes: its operating system is not responding.',
        firstResponse: `Read the console output (aws ec2 get-console-output --region ${REGION}), then reboot the instance.`,
      },
      member,
    );
    const shared = (kind: keyof typeof SERVER_ALARMS, alarmMetric: cloudwatch.Metric): void => {
      const a = SERVER_ALARMS[kind];
      monitoring.addAlarm(
        scope,
        id(kind),
        { ...a, metric: alarmMetric, comparisonOperator: above, severity: 'warning' },
        member,
      );
    };
    shared('cpu', metric('AWS/EC2', 'CPUUtilization', cloudwatch.Stats.AVERAGE, fiveMinutes));
    shared('memory', metric(namespace, 'mem_used_percent', cloudwatch.Stats.AVERAGE, fiveMinutes));
    shared(
      'disk',
      metric(namespace, 'disk_used_percent', cloudwatch.Stats.AVERAGE, fiveMinutes, {
        path: '/',
        fstype: image.fsType,
      }),
    );
  });
}

/** The compute stack: patching and the servers, in the foundation's network. */
function buildCompute(stage: Stage, env: RawAwsEnvironment, foundation: RawFoundation): void {
  const stack = new FixedZonesStack(stage, 'compute', env.availabilityZones, {
    env: { account: env.account, region: REGION },
    terminationProtection: env.retainData,
    description: `Platform ${env.name} (${env.tier}): servers, containers and jobs`,
  });
  stack.addStackDependency(foundation.stack, 'compute runs in the foundation network');
  buildPatching(stack, env, foundation.monitoring.applicationLogGroup.logGroupName);
  const servers = new Construct(stack, 'Servers');
  // One log group for the image pins' function (aws-cdk-lib's singleton provider) of the whole stack.
  const pinLogGroup = new logs.LogGroup(stack, 'ImagePinLogGroup', {
    logGroupName: `/platform/${env.name}/image-pin`,
    encryptionKey: foundation.monitoring.key,
    retention: env.retention,
    removalPolicy: env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  for (const server of env.servers) buildServer(servers, env, server, foundation, pinLogGroup);
}

/** The workload stacks `platform-<env>-workloads-<n>`: services and jobs in the foundation's network and cluster. */
function buildWorkloads(stage: Stage, env: RawAwsEnvironment, foundation: RawFoundation): void {
  for (const workloads of env.workloads) {
    const stack = new FixedZonesStack(stage, `workloads-${workloads.index}`, env.availabilityZones, {
      env: { account: env.account, region: REGION },
      terminationProtection: env.retainData,
      description: `Platform ${env.name} (${env.tier}): container services and scheduled jobs`,
    });
    stack.addStackDependency(foundation.stack, 'workloads run in the foundation network and cluster');
    const context = {
      env,
      vpc: foundation.vpc,
      monitoring: foundation.monitoring,
      containers: foundation.containers!,
    };
    const services = new Construct(stack, 'Services');
    for (const service of workloads.services) buildService(services, context, service);
    const jobs = new Construct(stack, 'Jobs');
    for (const job of workloads.jobs) buildJob(jobs, context, job);
  }
}

/** Resource types that hold data, as the production data-safety rule knows them (lib/core/stateful.ts). */
const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::Backup::BackupVault',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::EC2::Instance',
  'AWS::EC2::Volume',
  'AWS::ECR::Repository',
  'AWS::EFS::FileSystem',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::FSx::FileSystem',
  'AWS::Kinesis::Stream',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::Neptune::DBCluster',
  'AWS::OpenSearchService::Domain',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
]);
const KEEPS_DATA: ReadonlySet<CfnDeletionPolicy | undefined> = new Set([
  CfnDeletionPolicy.RETAIN,
  CfnDeletionPolicy.SNAPSHOT,
]);

/** Platform-StatefulRetained as a cdk-nag pack: production resources that hold data are retained. */
class StatefulRetainedChecks extends NagPack {
  public readonly name = 'Platform';

  constructor(
    private readonly tier: Tier,
    props?: NagPackProps,
  ) {
    super(undefined, props);
    this.packName = 'Platform';
  }

  protected checkResource(node: CfnResource): void {
    if (this.tier !== 'production') return;
    this.applyRule({
      ruleSuffixOverride: 'StatefulRetained',
      info: 'A production resource that holds data can be deleted or replaced with its data.',
      explanation: 'Set removalPolicy: RemovalPolicy.RETAIN.',
      level: NagMessageLevel.ERROR,
      node,
      rule: (resource: CfnResource) => {
        if (!STATEFUL_TYPES.has(resource.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
        const { deletionPolicy, updateReplacePolicy } = resource.cfnOptions;
        return KEEPS_DATA.has(deletionPolicy) && KEEPS_DATA.has(updateReplacePolicy)
          ? NagRuleCompliance.COMPLIANT
          : NagRuleCompliance.NON_COMPLIANT;
      },
    });
  }
}

/** Runs a cdk-nag pack over one stage only (cdk-nag's own `validate` walks the whole app). */
class StagePack implements IPolicyValidationPlugin {
  public readonly name: string;

  constructor(
    private readonly pack: NagPack,
    private readonly stage: Stage,
  ) {
    this.name = pack.name;
  }

  public validate(): PolicyValidationPluginReport {
    const { violations } = this.pack.validateScope(this.stage);
    return { success: violations.every((v) => v.severity !== 'error'), violations };
  }
}

/** CloudFormation's per-template limits with 10 % headroom, and termination protection in production. */
class StackLimits implements IPolicyValidationPlugin {
  public readonly name = 'Platform-Stack';

  constructor(
    private readonly stage: Stage,
    private readonly tier: Tier,
  ) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = new Map(
      this.stage.node
        .findAll()
        .filter(Stack.isStack)
        .map((s) => [s.node.path, s]),
    );
    const violations: PolicyViolation[] = [];
    for (const { stackConstructPath, templatePath } of context.stackTemplates) {
      const stack = stacks.get(stackConstructPath);
      if (!stack) continue;
      const body = fs.readFileSync(templatePath);
      const template = JSON.parse(body.toString('utf8')) as Record<string, object | undefined>;
      const problems: string[] = [];
      const limits = { Resources: 500, Outputs: 200, Parameters: 200, Mappings: 200 } as const;
      for (const [section, max] of Object.entries(limits)) {
        const count = Object.keys(template[section] ?? {}).length;
        if (count >= max * 0.9) problems.push(`${stack.stackName} has ${count} ${section}, limit ${max}`);
      }
      if (body.length >= 1_000_000 * 0.9) problems.push(`${stack.stackName} template is ${body.length} bytes`);
      if (stack.stackName.length > 128) problems.push(`stack name ${stack.stackName} is over 128 characters`);
      if (this.tier === 'production' && !stack.terminationProtection) {
        problems.push(`${stack.stackName} has no termination protection`);
      }
      for (const description of problems) {
        violations.push({
          ruleName: 'Platform-Stack',
          description,
          severity: 'error',
          violatingResources: [{ templatePath, constructPath: stackConstructPath, locations: [] }],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

/** The guardrails of one stage: the packs, scoped to it, and their names in each template's Metadata. */
function addGuardrails(stage: Stage, tier: Tier): void {
  const nist = tier === 'production';
  const packs: NagPack[] = [
    // With the stage as scope, AwsSolutions also copies every acknowledgement into the template.
    new AwsSolutionsChecks(stage, { writeSuppressionsToCloudFormation: true }),
    new StatefulRetainedChecks(tier),
  ];
  if (nist) packs.push(new NIST80053R5Checks());
  Validations.of(stage).addPlugins(...packs.map((p) => new StagePack(p, stage)), new StackLimits(stage, tier));
  const record = {
    Tier: tier,
    Packs: ['AwsSolutions', ...(nist ? ['NIST.800.53.R5'] : []), 'Platform', 'Platform-Stack'],
  };
  for (const stack of stage.node.findAll().filter(Stack.isStack)) {
    stack.templateOptions.metadata = { ...stack.templateOptions.metadata, PlatformConstructs: record };
  }
}

/**
 * Synthesizes the three environments' foundation and compute stacks into `outdir` with plain aws-cdk-lib.
 *
 * @param outdir - the cloud assembly folder (created if missing).
 * @param validation - validate the templates against the CloudFormation schemas, as ours does by default.
 */
export function synthRawAws(outdir: string, validation: boolean): void {
  const app = new App({
    outdir,
    // The same context as stacks/aws/app.ts: cdk.json's feature flags and metadata settings, and no
    // creation stack traces.
    context: {
      ...cdkJson.context,
      'aws:cdk:enable-path-metadata': cdkJson.pathMetadata,
      'aws:cdk:enable-asset-metadata': cdkJson.assetMetadata,
      'aws:cdk:disable-creation-stack-traces': true,
    },
    analyticsReporting: cdkJson.versionReporting,
    stackTraces: false,
    builtinCloudFormationValidation: validation,
  });
  for (const env of ENVIRONMENTS) {
    const stage = new Stage(app, `platform-${env.name}`, { env: { account: env.account, region: REGION } });
    const foundation = buildFoundation(stage, env);
    buildBackupCopy(stage, env, foundation.stack);
    buildCompute(stage, env, foundation);
    buildWorkloads(stage, env, foundation);
    addDashboardWidgets(env, foundation.monitoring);
    const tags = { ...TAGS, environment: env.name };
    // Scalable targets, dashboards, listeners and associations stay untagged, as in ours (older template
    // linters reject their Tags).
    const untagged = [
      'AWS::ApplicationAutoScaling::ScalableTarget',
      'AWS::CloudWatch::Dashboard',
      'AWS::ElasticLoadBalancingV2::Listener',
      'AWS::SSM::Association',
    ];
    for (const [key, value] of Object.entries(tags)) {
      Tags.of(stage).add(key, value, { excludeResourceTypes: untagged });
    }
    tagPlainResources(stage, tags);
    addGuardrails(stage, env.tier);
  }
  app.synth();
}

if (require.main === module) {
  const args = parseBenchArgs(process.argv.slice(2));
  synthRawAws(path.join(args.outdir, 'cdk.out'), args.validation);
}
