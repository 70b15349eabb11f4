import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import {
  alarmName,
  AlarmRegistry,
  IssueCollector,
  PLATFORM_PREFIX,
  SEVERITIES,
  type AlarmBasics,
  type MonitoringSpec,
  type Severity,
} from '../core';
import { LogAnalysis } from './log-analysis';
import { toRetentionDays } from './retention';

/**
 * One default alarm, as a capability defines it in its own file: the neutral basics (threshold, severity,
 * description, first response) and the CloudWatch condition.
 */
export interface AlarmDefinition extends AlarmBasics {
  /** The metric the alarm watches. */
  readonly metric: cloudwatch.IMetric;
  /** How the metric is compared with the threshold. */
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** How many periods are evaluated. */
  readonly evaluationPeriods: number;
  /**
   * How many of them must breach.
   * @default - all of `evaluationPeriods`
   */
  readonly datapointsToAlarm?: number;
  /**
   * What a period without data means.
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /**
   * Actions besides notifying the channels (the EC2 recover action, for instance).
   * @default - none
   */
  readonly extraActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * The environment's monitoring, as the capabilities see it: the one interface through which every construct
 * registers its default alarms, dashboard widgets, watched log groups and saved queries.
 */
export interface IMonitoring extends IConstruct {
  /** The environment name, the middle of every alarm name. */
  readonly environment: string;
  /** The key that may encrypt the environment's log groups (`/platform/<env>/*`). */
  readonly encryptionKey: kms.IKey;
  /** The log group workloads and servers write to (`/platform/<env>/application`), watched for the log patterns. */
  readonly applicationLogGroup: logs.ILogGroup;
  /**
   * Creates a default alarm in `scope`, named `platform-<env>-<id>`, notifying the channels of its severity,
   * unless the spec switches it off (`monitoring.alarms[id].enabled: false`); applies the spec's tuning.
   * @param id the alarm id, kebab-case words separated by slashes (`network/nat/port-allocation-errors`)
   * @returns the alarm, or undefined when the spec switched it off
   */
  addAlarm(
    scope: Construct,
    id: string,
    definition: AlarmDefinition,
    options?: AddAlarmOptions,
  ): cloudwatch.Alarm | undefined;
  /**
   * Records an alarm id that only the other cloud has (an Azure VM's `availability`), so that a spec override
   * of it is accepted here instead of being reported as naming no alarm.
   */
  declareAlarmElsewhere(id: string): void;
  /** Adds a titled row of widgets to the environment dashboard. */
  addWidgets(title: string, ...widgets: cloudwatch.IWidget[]): void;
  /** Counts the environment's log patterns in a log group and adds it to the saved queries. */
  watchLogGroup(logGroup: logs.ILogGroup): void;
  /** Saves a CloudWatch Logs Insights query, `platform/<env>/<name>`, over the given log groups. */
  addQuery(name: string, query: string, logGroups: readonly logs.ILogGroup[]): void;
}

/** Options of {@link IMonitoring.addAlarm}. */
export interface AddAlarmOptions {
  /**
   * For an alarm kept once per resource (the EC2 recover alarm, one per instance): the resource's key, which
   * ends the alarm's name (`platform-<env>-<id>.<member>`). The spec's override of the id applies to every member.
   * @default - one alarm for the id
   */
  readonly member?: string;
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The environment's resolved monitoring section. */
  readonly spec: MonitoringSpec;
  /** The environment name. */
  readonly name: string;
  /**
   * What happens to the key and the application log group when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The monitoring of one environment: an alert channel per severity (a KMS-encrypted SNS topic with the
 * spec's email and HTTPS webhook subscriptions), a CloudWatch dashboard, the log analysis (application log
 * group, log pattern metrics and alarms, saved queries) and the registry through which every other
 * construct adds its default alarms (`IMonitoring`).
 */
export class Monitoring extends Construct implements IMonitoring {
  /** The environment name. */
  public readonly environment: string;
  /** The key encrypting the topics and the log groups of the environment. */
  public readonly encryptionKey: kms.Key;
  /** One topic per severity. */
  public readonly topics: Readonly<Record<Severity, sns.Topic>>;
  /** The environment dashboard, `platform-<env>`. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The application log group, log pattern metrics and saved queries. */
  public readonly logAnalysis: LogAnalysis;
  /** Every alarm created, by alarm id (`<id>/<member>` for alarms kept per resource). */
  public readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  private readonly registry: AlarmRegistry;
  private readonly alarmList = new Map<string, cloudwatch.Alarm>();

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.environment = props.name;
    this.registry = new AlarmRegistry(props.name, props.spec);
    this.alarms = this.alarmList;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts the alert topics and log groups of ${props.name}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy,
    });
    // CloudWatch alarms publish to the encrypted topics; CloudWatch Logs encrypts this environment's groups.
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForEnvironmentLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: `/${PLATFORM_PREFIX}/${props.name}/*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    this.topics = Object.fromEntries(
      SEVERITIES.map((severity) => [severity, this.createTopic(severity, props)]),
    ) as Record<Severity, sns.Topic>;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${PLATFORM_PREFIX}-${props.name}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: Lazy.string({ produce: () => this.registry.header() }),
        width: 24,
        height: 3,
      }),
    );
    // The grid reads the list when the dashboard is rendered, after every capability added its alarms.
    const statusAlarms: cloudwatch.IAlarm[] = [];
    this.alarmStatus = statusAlarms;
    this.dashboard.addWidgets(new AlarmStatusGrid(statusAlarms));

    this.logAnalysis = new LogAnalysis(this, 'Logs', {
      name: props.name,
      patterns: props.spec.logPatterns,
      retention: toRetentionDays(props.spec.logRetentionDays),
      encryptionKey: this.encryptionKey,
      removalPolicy,
      monitoring: this,
    });

    this.node.addValidation({ validate: () => this.registry.unusedOverrides() });
  }

  private readonly alarmStatus: cloudwatch.IAlarm[];

  public addAlarm(
    scope: Construct,
    id: string,
    definition: AlarmDefinition,
    options: AddAlarmOptions = {},
  ): cloudwatch.Alarm | undefined {
    const member = options.member;
    const tuned = this.registry.tune(id, definition, member);
    if (!tuned) return undefined;
    const name = alarmName(this.environment, id, member);
    const key = member === undefined ? id : `${id}/${member}`;
    if (
      tuned.datapointsToAlarm !== undefined &&
      (tuned.datapointsToAlarm < 1 || tuned.datapointsToAlarm > tuned.evaluationPeriods)
    ) {
      const issues = new IssueCollector();
      issues.add(
        `${id}.datapointsToAlarm`,
        tuned.datapointsToAlarm,
        `1 to evaluationPeriods (${tuned.evaluationPeriods})`,
      );
      issues.throwIfAny('Invalid alarm');
    }
    const alarm = new cloudwatch.Alarm(scope, key.replaceAll('/', '-'), {
      alarmName: name,
      alarmDescription: AlarmRegistry.describe(tuned),
      metric: tuned.metric,
      threshold: tuned.threshold,
      comparisonOperator: tuned.comparisonOperator,
      evaluationPeriods: tuned.evaluationPeriods,
      datapointsToAlarm: tuned.datapointsToAlarm,
      treatMissingData: tuned.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      actionsEnabled: true,
    });
    const notify = new actions.SnsAction(this.topics[tuned.severity]);
    alarm.addAlarmAction(notify, ...(tuned.extraActions ?? []));
    alarm.addOkAction(notify);
    this.alarmList.set(key, alarm);
    // The dashboard lives in this stack; an alarm registered from another stack (compute) must not be
    // referenced from here, or the two stacks would depend on each other. Its ARN follows from its name.
    this.alarmStatus.push(
      Stack.of(alarm) === Stack.of(this)
        ? alarm
        : cloudwatch.Alarm.fromAlarmArn(
            this,
            `Status-${key.replaceAll('/', '-')}`,
            Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: name,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
    );
    return alarm;
  }

  public declareAlarmElsewhere(id: string): void {
    this.registry.declareElsewhere(id);
  }

  public addWidgets(title: string, ...widgets: cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    this.dashboard.addWidgets(...widgets);
  }

  public watchLogGroup(logGroup: logs.ILogGroup): void {
    this.logAnalysis.watch(logGroup);
  }

  public addQuery(name: string, query: string, logGroups: readonly logs.ILogGroup[]): void {
    this.logAnalysis.addQuery(name, query, logGroups);
  }

  /** The application log group, `/platform/<env>/application`. */
  public get applicationLogGroup(): logs.ILogGroup {
    return this.logAnalysis.applicationLogGroup;
  }

  /** The alarm ids switched off in the spec, with their reasons. */
  public get disabledAlarms(): ReadonlyMap<string, string> {
    return this.registry.disabled;
  }

  private createTopic(severity: Severity, props: MonitoringProps): sns.Topic {
    const topic = new sns.Topic(this, severity === 'critical' ? 'CriticalTopic' : 'WarningTopic', {
      topicName: `${PLATFORM_PREFIX}-${props.name}-${severity}`,
      displayName: `Platform ${props.name} ${severity} alerts`,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a resource policy, which replaces the default one that let CloudWatch
    // publish: say so explicitly, for this account's platform alarms only.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${PLATFORM_PREFIX}-${props.name}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const channels = props.spec.routing[severity];
    if (channels.includes('email')) {
      for (const email of props.spec.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    if (channels.includes('webhook')) {
      for (const url of props.spec.webhookUrls) {
        topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
      }
    }
    return topic;
  }
}

/** The most alarms one CloudWatch alarm status widget shows. */
export const MAX_ALARMS_PER_STATUS_WIDGET = 100;

/**
 * The status of every alarm, as many alarm status widgets as it takes (one shows at most 100): the list is read
 * when the dashboard is rendered, so alarms added after the grid still appear, and its height follows.
 */
export class AlarmStatusGrid implements cloudwatch.IWidget {
  /** Full dashboard width. */
  public readonly width = 24;
  private x = 0;
  private y = 0;

  constructor(private readonly alarms: readonly cloudwatch.IAlarm[]) {}

  /** Three rows per widget of up to 100 alarms. */
  public get height(): number {
    return Math.max(1, Math.ceil(this.alarms.length / MAX_ALARMS_PER_STATUS_WIDGET)) * 3;
  }

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  public toJson(): unknown[] {
    const widgets = Math.max(1, Math.ceil(this.alarms.length / MAX_ALARMS_PER_STATUS_WIDGET));
    return Array.from({ length: widgets }, (_, i) => {
      const widget = new cloudwatch.AlarmStatusWidget({
        title: i === 0 ? 'Alarms' : `Alarms (${i + 1})`,
        alarms: this.alarms.slice(i * MAX_ALARMS_PER_STATUS_WIDGET, (i + 1) * MAX_ALARMS_PER_STATUS_WIDGET),
        width: this.width,
        height: 3,
      });
      widget.position(this.x, this.y + i * 3);
      return widget.toJson();
    }).flat();
  }
}
