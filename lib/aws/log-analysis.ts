import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  checkProps,
  describeLogPatternAlarm,
  type LogPattern,
  PLATFORM_PREFIX,
  renderCloudWatchPattern,
  renderInsightsQueries,
} from '../core';
import type { IMonitoring } from './interfaces';
import { RetainStatefulResources } from './protection';

/** Props of {@link LogAnalysis}. */
export interface LogAnalysisProps {
  /** The environment name. */
  readonly name: string;
  /** The log patterns to count and alert on. */
  readonly patterns: readonly LogPattern[];
  /** How long the application log group keeps records. */
  readonly retention: logs.RetentionDays;
  /**
   * The key encrypting the application log group. The group is retained when it leaves the stack or is replaced;
   * `RetainStatefulResources` lets a development stack delete it.
   */
  readonly encryptionKey: kms.IKey;
  /** Where the pattern alarms and the dashboard row go. */
  readonly monitoring: IMonitoring;
}

/** The CloudWatch namespace of the environment's log pattern metrics. */
export function logMetricNamespace(environment: string): string {
  return `Platform/${environment}`;
}

/**
 * Counts every log pattern in a log group: a metric filter per pattern (`Pattern-<name>`, a child of the group),
 * adding 1 to the metric `log-<name>` of the namespace `Platform/<env>` for each matching line.
 */
export function addLogPatternFilters(
  logGroup: logs.ILogGroup,
  environment: string,
  patterns: readonly LogPattern[],
): void {
  for (const pattern of patterns) {
    logGroup.addMetricFilter(`Pattern-${pattern.name}`, {
      filterPattern: logs.FilterPattern.literal(renderCloudWatchPattern(pattern.match)),
      metricNamespace: logMetricNamespace(environment),
      metricName: `log-${pattern.name}`,
      metricValue: '1',
    });
  }
}

/**
 * Saves a CloudWatch Logs Insights query `platform/<env>/<name>` in `scope` (`Query-<name>`) over the log groups
 * named (names, or a lazy list of them).
 */
export function addSavedQuery(
  scope: Construct,
  environment: string,
  name: string,
  query: string,
  logGroupNames: string[],
): logs.CfnQueryDefinition {
  return new logs.CfnQueryDefinition(scope, `Query-${name}`, {
    name: `${PLATFORM_PREFIX}/${environment}/${name}`,
    queryString: query,
    logGroupNames,
  });
}

/**
 * Log analysis on AWS: the environment's application log group, a metric per log pattern counted over every
 * watched log group, one alarm per pattern, and saved CloudWatch Logs Insights queries (lines per pattern
 * by source, slowest requests, top clients) under `platform/<env>/`.
 */
export class LogAnalysis extends Construct {
  /** `/platform/<env>/application`: where workloads log when they have no group of their own. */
  public readonly applicationLogGroup: logs.LogGroup;
  /** One metric per pattern, by pattern name: the number of matching lines per window. */
  public readonly patternMetrics: ReadonlyMap<string, cloudwatch.Metric>;
  private readonly props: LogAnalysisProps;
  private readonly watched: logs.ILogGroup[] = [];
  private readonly watchedNames: string[] = [];

  constructor(scope: Construct, id: string, props: LogAnalysisProps) {
    super(scope, id);
    checkProps('LogAnalysis', this.node.path, props, {
      name: { kind: 'string', allowed: 'the environment name' },
      patterns: { kind: 'array', allowed: 'the log patterns ([] for none)' },
      retention: { kind: 'number', allowed: 'a logs.RetentionDays' },
      encryptionKey: { kind: 'object', allowed: 'the KMS key of the log group (kms.IKey)' },
      monitoring: { kind: 'object', allowed: "the environment's monitoring" },
    });
    this.props = props;
    this.applicationLogGroup = new logs.LogGroup(this, 'ApplicationLogGroup', {
      logGroupName: `/${PLATFORM_PREFIX}/${props.name}/application`,
      retention: props.retention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
    });

    const metrics = new Map<string, cloudwatch.Metric>();
    for (const pattern of props.patterns) {
      const metric = new cloudwatch.Metric({
        namespace: logMetricNamespace(props.name),
        metricName: `log-${pattern.name}`,
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(pattern.windowMinutes),
      });
      metrics.set(pattern.name, metric);
      props.monitoring.addAlarm(this, `logs/${pattern.name}`, {
        metric,
        threshold: pattern.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        severity: pattern.severity,
        description: ({ threshold }) => describeLogPatternAlarm(pattern, threshold),
        firstResponse: `Run the saved query ${PLATFORM_PREFIX}/${props.name}/${pattern.name}-by-source in Logs Insights to see which source logs them.`,
      });
    }
    this.patternMetrics = metrics;

    for (const { name, query } of renderInsightsQueries(props.patterns)) {
      addSavedQuery(this, props.name, name, query, Lazy.list({ produce: () => [...this.watchedNames] }));
    }
    if (metrics.size > 0) {
      props.monitoring.addWidgets(
        'Logs',
        new cloudwatch.GraphWidget({
          title: 'Matching log lines per pattern',
          left: [...metrics.values()],
          width: 24,
        }),
      );
    }
    this.watch(this.applicationLogGroup);
  }

  /** Counts every pattern in `logGroup` (a metric filter per pattern) and adds it to the saved queries. */
  public watch(logGroup: logs.ILogGroup): void {
    if (this.watched.includes(logGroup)) return;
    const name = this.nameOf(logGroup);
    this.watched.push(logGroup);
    this.watchedNames.push(name);
    addLogPatternFilters(logGroup, this.props.name, this.props.patterns);
  }

  /** Saves a Logs Insights query `platform/<env>/<name>` over the given log groups. */
  public addQuery(name: string, query: string, logGroups: readonly logs.ILogGroup[]): void {
    addSavedQuery(
      this,
      this.props.name,
      name,
      query,
      logGroups.map((g) => this.nameOf(g)),
    );
  }

  /**
   * A log group's name as the saved queries refer to it: a reference within this stack, the literal name
   * for a group in another stack (a reference would make this stack depend on that one, which already
   * depends on this one).
   */
  private nameOf(group: logs.ILogGroup): string {
    if (Stack.of(group) === Stack.of(this)) return group.logGroupName;
    const cfn = group.node.defaultChild;
    const literal = cfn instanceof logs.CfnLogGroup ? cfn.logGroupName : group.logGroupName;
    if (literal !== undefined && !Token.isUnresolved(literal)) return literal;
    throw new Error(
      `Monitoring ${this.props.name}: log group ${group.node.path} is in another stack and has no explicit logGroupName; give it one, so the saved queries can name it without a reference between the stacks`,
    );
  }
}
