import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import type { AlarmBasics } from '../core';

// The interfaces the constructs take from one another. They sit beneath every construct file and import none of
// them, so that the monitoring, the log analysis, the network and the capabilities that register alarms never
// import each other in a circle.

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

/** Options of {@link IMonitoring.addAlarm}. */
export interface AddAlarmOptions {
  /**
   * For an alarm kept once per resource (the EC2 recover alarm, one per instance): the resource's key, which
   * ends the alarm's name (`platform-<env>-<id>.<member>`). The spec's override of the id applies to every member.
   * @default - one alarm for the id
   */
  readonly member?: string;
}

/**
 * The environment's monitoring, as the capabilities see it: the one interface through which every construct
 * registers its default alarms, dashboard widgets, watched log groups and saved queries. `Monitoring` implements
 * it; `Monitoring.fromAttributes` imports the monitoring of an environment deployed elsewhere.
 */
export interface IMonitoring extends IConstruct {
  /** The environment name, the middle of every alarm name. */
  readonly environment: string;
  /** The key that may encrypt the environment's log groups (`/platform/<env>/*`, and `aws-waf-logs-platform-<env>-*` of web ACLs). */
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

/**
 * An environment's network as the constructs take it: the VPC and its subnets by kind. `Network` implements it;
 * `Network.fromVpc` and `Network.fromAttributes` import an existing VPC. Constructs take `network.vpc`.
 */
export interface INetwork extends IConstruct {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets with a route to the internet gateway (load balancers, NAT gateways). */
  readonly publicSubnets: readonly ec2.ISubnet[];
  /** Subnets with outbound access through NAT (servers, containers). */
  readonly privateSubnets: readonly ec2.ISubnet[];
  /** Subnets with no route out (databases, caches). */
  readonly isolatedSubnets: readonly ec2.ISubnet[];
}
