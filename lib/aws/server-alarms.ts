import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import {
  OPERATING_SYSTEM_IMAGES,
  SERVER_ALARM_BASICS,
  SERVER_HEALTH_ALARM,
  serverAlarmId,
  serverMetricNamespace,
  type OperatingSystem,
  type ServerHealthCheck,
} from '../core';
import type { IMonitoring } from './interfaces';

/** What the alarms need to know of one server definition. */
export interface ServerAlarmTarget {
  /** The environment name. */
  readonly environment: string;
  /** The server definition's name. */
  readonly name: string;
  /** Its operating system (the root file system type is a dimension of the disk metric). */
  readonly os: OperatingSystem;
  /** Its instances, in order; instance `i` is member `i + 1` of every alarm. */
  readonly instances: readonly ec2.IInstance[];
  /**
   * The health endpoint its servers probe and report ({@link AWS_SERVER_HEALTH_METRIC}).
   * @default - none: no health alarm and no health graph
   */
  readonly healthCheck?: ServerHealthCheck;
}

/**
 * The server health metric on AWS. Every minute the probe (lib/core/server-health.ts) sends
 * `health:<1|0>|g` to the CloudWatch agent's StatsD listener on the server (`127.0.0.1:8125`, UDP); the agent
 * aggregates a minute and writes the metric `health` into the definition's namespace
 * (`Platform/<env>/server/<name>`) with the dimensions `InstanceId` (appended to every agent metric) and
 * `metric_type` = `gauge` (which the agent adds to every StatsD metric). Its Average over a minute is the
 * healthy share of that minute's probes, 0 to 1, as on Azure.
 */
export const AWS_SERVER_HEALTH_METRIC = {
  /** The metric name, also the StatsD name the probe sends. */
  metricName: 'health',
  /** The address the agent's StatsD listener binds to: the loopback only, so nothing off the server can report. */
  statsdHost: '127.0.0.1',
  /** The StatsD listener's UDP port (the agent's default). */
  statsdPort: 8125,
  /** The `metric_type` dimension the agent gives a StatsD gauge. */
  metricType: 'gauge',
} as const;

/** The health metric of one instance, as the health alarm reads it: its Average over one minute. */
export function serverHealthMetric(environment: string, server: string, instanceId: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: serverMetricNamespace(environment, server),
    metricName: AWS_SERVER_HEALTH_METRIC.metricName,
    dimensionsMap: { InstanceId: instanceId, metric_type: AWS_SERVER_HEALTH_METRIC.metricType },
    statistic: cloudwatch.Stats.AVERAGE,
    period: Duration.minutes(1),
  });
}

/**
 * The default alarms of a server definition, one of each per instance (member `1`, `2`, ...), with the same
 * ids as on Azure where the clouds share them, so that one spec override tunes both:
 * - `recovery` (critical): the host failed its system status check; the alarm's EC2 recover action moves the
 *   instance to healthy hardware, keeping its ID, addresses and volumes;
 * - `status-checks` (critical): the instance failed its own status check (the OS stopped responding);
 * - `cpu`, `memory`, `disk` (warning): the shared thresholds of SERVER_ALARM_BASICS, memory and disk from the
 *   CloudWatch agent;
 * - `health` (critical), when the definition has a health check: the instance's {@link serverHealthMetric} was
 *   below 1 (a failed probe) or missing (no report: the server, its agent or its probe stopped) for
 *   SERVER_HEALTH_ALARM's `evaluationMinutes` consecutive minutes. Missing data breaches, so a new instance
 *   alarms until its first probes arrive (the configuration installs the agent and the probe within minutes of
 *   its start) and a stopped one alarms until it is started again; each sends an OK notification once healthy.
 * `availability` exists on Azure only and is declared as such.
 */
export function addServerAlarms(scope: Construct, target: ServerAlarmTarget, monitoring: IMonitoring): void {
  const region = Stack.of(scope).region;
  const fsType = OPERATING_SYSTEM_IMAGES[target.os].rootFsType;
  monitoring.declareAlarmElsewhere(serverAlarmId(target.name, 'availability'));
  const namespace = serverMetricNamespace(target.environment, target.name);
  target.instances.forEach((instance, i) => {
    const member = String(i + 1);
    const ec2Metric = (metricName: string, statistic: string, period: Duration): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/EC2',
        metricName,
        dimensionsMap: { InstanceId: instance.instanceId },
        statistic,
        period,
      });
    const agentMetric = (metricName: string, extra: Record<string, string> = {}): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { InstanceId: instance.instanceId, ...extra },
        statistic: cloudwatch.Stats.AVERAGE,
        period: Duration.minutes(5),
      });
    monitoring.addAlarm(
      scope,
      serverAlarmId(target.name, 'recovery'),
      {
        metric: ec2Metric('StatusCheckFailed_System', cloudwatch.Stats.MAXIMUM, Duration.minutes(1)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
        severity: 'critical',
        description: ({ evaluationPeriods }) =>
          `The host of a server failed its system status check for ${evaluationPeriods} minutes; the alarm recovers the instance onto new hardware.`,
        firstResponse:
          'Check that the instance came back (same ID and volumes) and the AWS Health Dashboard; if recovery failed, stop and start it.',
        extraActions: [new actions.Ec2Action(actions.Ec2InstanceAction.RECOVER)],
      },
      { member },
    );
    monitoring.addAlarm(
      scope,
      serverAlarmId(target.name, 'status-checks'),
      {
        metric: ec2Metric('StatusCheckFailed_Instance', cloudwatch.Stats.MAXIMUM, Duration.minutes(1)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        severity: 'critical',
        description: ({ evaluationPeriods }) =>
          `A server failed its instance status check for ${evaluationPeriods} minutes: its operating system is not responding.`,
        firstResponse: `Read the console output (aws ec2 get-console-output --region ${region}), then reboot the instance.`,
      },
      { member },
    );
    const metrics = {
      cpu: ec2Metric('CPUUtilization', cloudwatch.Stats.AVERAGE, Duration.minutes(5)),
      memory: agentMetric('mem_used_percent'),
      disk: agentMetric('disk_used_percent', { path: '/', fstype: fsType }),
    };
    for (const kind of ['cpu', 'memory', 'disk'] as const) {
      const basics = SERVER_ALARM_BASICS[kind];
      monitoring.addAlarm(
        scope,
        serverAlarmId(target.name, kind),
        {
          ...basics,
          metric: metrics[kind],
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: basics.evaluationPeriods ?? 1,
        },
        { member },
      );
    }
    if (target.healthCheck) {
      const { port, path } = target.healthCheck;
      monitoring.addAlarm(
        scope,
        serverAlarmId(target.name, 'health'),
        {
          metric: serverHealthMetric(target.environment, target.name, instance.instanceId),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: SERVER_HEALTH_ALARM.evaluationMinutes,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          severity: SERVER_HEALTH_ALARM.severity,
          description: ({ evaluationPeriods }) =>
            SERVER_HEALTH_ALARM.description(target.name, port, path, evaluationPeriods),
          firstResponse: SERVER_HEALTH_ALARM.firstResponse,
        },
        { member },
      );
    }
  });
  // The dashboard lives in the foundation stack: it finds the instances by the definition's namespace (a
  // search), so it never references this stack.
  const graph = (title: string, search: string, max = 100, period = Duration.minutes(5)): cloudwatch.GraphWidget =>
    new cloudwatch.GraphWidget({
      title,
      left: [new cloudwatch.MathExpression({ expression: search, usingMetrics: {}, period })],
      leftYAxis: { min: 0, max },
      width: 8,
      height: 6,
    });
  const search = (dimensions: string, metric: string, seconds = 300): string =>
    `SEARCH('{${namespace},${dimensions}} MetricName="${metric}"', 'Average', ${seconds})`;
  monitoring.addWidgets(
    `Servers: ${target.name}`,
    graph('CPU %', search('InstanceId,cpu', 'cpu_usage_active')),
    graph('Memory used %', search('InstanceId', 'mem_used_percent')),
    graph('Root disk used %', search('InstanceId,fstype,path', 'disk_used_percent')),
    ...(target.healthCheck
      ? [
          graph(
            'Healthy share of probes (0-1)',
            search('InstanceId,metric_type', AWS_SERVER_HEALTH_METRIC.metricName, 60),
            1,
            Duration.minutes(1),
          ),
        ]
      : []),
  );
}
