// The AWS half of the bench's reference point: the same three foundation stacks as stacks/aws (same
// construct IDs, so the same logical IDs and templates), written against aws-cdk-lib directly, with the
// environment values spelled out instead of resolved from the spec. Anything ours costs beyond this
// program is the price of the library (zod, spec resolution, naming, our constructs).
//
// The guardrails are the same work too: each stage gets cdk-nag's AwsSolutions pack (writing the
// acknowledgements into the template), NIST 800-53 R5 in production, a one-rule pack for production data
// safety and a plugin for CloudFormation's limits and termination protection, each as a validation plugin
// scoped to its stage. Those last two are written here, a few lines each, as a hand-written program would.
//
// Monitoring is written out the same way: alert topics per severity with the environment's subscriptions,
// the dashboard (its header text spelled out, its widgets added once every alarm exists), the application
// log group with a metric filter, an alarm and saved queries per log pattern, and the NAT gateway alarms.
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
import { parseBenchArgs } from '../args';

/** One environment, as stacks/environments resolves it. */
interface RawAwsEnvironment {
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
}

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
interface RawAlarm {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly severity: Severity;
  readonly description: string;
  readonly firstResponse: string;
}

/** The environment's monitoring, as the rest of the stack uses it. */
interface RawMonitoring {
  /** The construct the log pattern alarms and the saved queries live in (`Monitoring/Logs`). */
  readonly logs: Construct;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];
  readonly patternMetrics: cloudwatch.Metric[];
  /** Creates an alarm `platform-<env>-<id with dots>` in `scope` that notifies its severity's topic. */
  addAlarm(scope: Construct, id: string, alarm: RawAlarm): void;
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

  const alarms: cloudwatch.Alarm[] = [];
  const addAlarm = (scope: Construct, id: string, a: RawAlarm): void => {
    const alarm = new cloudwatch.Alarm(scope, id.replaceAll('/', '-'), {
      alarmName: `platform-${env.name}-${id.replaceAll('/', '.')}`,
      alarmDescription: `[${a.severity}] ${a.description} First response: ${a.firstResponse}`,
      metric: a.metric,
      threshold: a.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      actionsEnabled: true,
    });
    const notify = new actions.SnsAction(topics[a.severity]);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    alarms.push(alarm);
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
  const patternMetrics: cloudwatch.Metric[] = [];
  for (const p of patterns) {
    applicationLogGroup.addMetricFilter(`Pattern-${p.name}`, {
      filterPattern: logs.FilterPattern.literal(p.filter),
      metricNamespace: namespace,
      metricName: `log-${p.name}`,
      metricValue: '1',
    });
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
  for (const [name, queryString] of queries) {
    new logs.CfnQueryDefinition(logAnalysis, `Query-${name}`, {
      name: `platform/${env.name}/${name}`,
      queryString,
      logGroupNames: [applicationLogGroup.logGroupName],
    });
  }
  return { logs: logAnalysis, dashboard, alarms, patternMetrics, addAlarm };
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

function buildFoundation(stage: Stage, env: RawAwsEnvironment): void {
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

  // The dashboard: routing header, the status of every alarm, then the log pattern counts.
  const { dashboard } = monitoring;
  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown: `# Platform ${env.name}\n\nCritical alerts: ${env.routing.critical}; warnings: ${env.routing.warning}.\n\nEvery default alarm is on.`,
      width: 24,
      height: 3,
    }),
  );
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: monitoring.alarms, width: 24 }));
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Logs', width: 24, height: 1 }));
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Matching log lines per pattern', left: monitoring.patternMetrics, width: 24 }),
  );
}

/** Resource types that hold data, as the production data-safety rule knows them (lib/core/stateful.ts). */
const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::Backup::BackupVault',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
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
 * Synthesizes the three environments' foundation stacks into `outdir` with plain aws-cdk-lib.
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
    buildFoundation(stage, env);
    const tags = { ...TAGS, environment: env.name };
    // Dashboards stay untagged, as in ours (older template linters reject their Tags).
    for (const [key, value] of Object.entries(tags)) {
      Tags.of(stage).add(key, value, { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
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
