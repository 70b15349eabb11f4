import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import {
  SERVICE_ALARMS,
  SERVICE_USAGE_ALARM_BASICS,
  serviceAlarmId,
  type AlarmBasics,
  type ServiceAlarmKind,
} from '../core';
import { containerClusterName } from './container-cluster';
import type { IMonitoring } from './interfaces';

/** The service alarm kinds AWS has (the catalogue is SERVICE_ALARMS in lib/core). */
const AWS_KINDS = ['5xx-rate', 'unhealthy', 'latency-p99', 'cpu', 'memory', 'running-below-desired'] as const;
type AwsServiceAlarmKind = (typeof AWS_KINDS)[number];

/** What a default service alarm says and does on both clouds, with the length of the period it evaluates. */
export interface ServiceAlarmBasics extends AlarmBasics {
  /** The length of one evaluated period, in minutes. */
  readonly periodMinutes: number;
}

/**
 * The cloud-neutral half of every default service alarm: threshold, periods, severity, meaning and first
 * response. Thresholds are in the unit the description names (percent, seconds, instances); `unhealthy`
 * counts instances failing their health checks (AWS: unhealthy targets; Azure: restarts after failed probes).
 */
export const AWS_SERVICE_ALARM_BASICS: Readonly<Record<AwsServiceAlarmKind, ServiceAlarmBasics>> = {
  '5xx-rate': {
    threshold: 5,
    evaluationPeriods: 1,
    periodMinutes: 5,
    severity: 'critical',
    description: ({ threshold, evaluationPeriods }) =>
      `${threshold}% or more of a service's requests failed with a server error (5xx) over ${evaluationPeriods * 5} minutes.`,
    firstResponse:
      "Read the service's logs for the failing requests; if the errors began with a deployment, roll it back.",
  },
  unhealthy: {
    threshold: 1,
    evaluationPeriods: 3,
    periodMinutes: 1,
    severity: 'critical',
    description: ({ threshold, evaluationPeriods }) =>
      `At least ${threshold} instance of a service failed its health checks for ${evaluationPeriods} minutes.`,
    firstResponse:
      'Find why instances stop or restart (stopped reasons, revision events) and what the health check path returns in the logs.',
  },
  'latency-p99': {
    threshold: 1,
    evaluationPeriods: 3,
    periodMinutes: 5,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `The slowest 1% of a service's requests took longer than ${threshold} s for ${evaluationPeriods * 5} minutes.`,
    firstResponse:
      'Look for slow requests in the logs (the slowest-requests query) and for a saturated dependency; check CPU and memory.',
  },
  cpu: { ...SERVICE_USAGE_ALARM_BASICS.cpu, periodMinutes: 5 },
  memory: { ...SERVICE_USAGE_ALARM_BASICS.memory, periodMinutes: 5 },
  'running-below-desired': {
    threshold: 0,
    evaluationPeriods: 5,
    periodMinutes: 1,
    severity: 'critical',
    description: ({ evaluationPeriods }) =>
      `A service ran fewer instances than it should for ${evaluationPeriods} minutes.`,
    firstResponse:
      'Read the service events for instances that fail to start (image pull, secrets, capacity) or keep stopping.',
  },
};

/** How each alarm compares its metric with the threshold on AWS. */
const COMPARISONS: Readonly<Record<AwsServiceAlarmKind, cloudwatch.ComparisonOperator>> = {
  '5xx-rate': cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  unhealthy: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  'latency-p99': cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  cpu: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  memory: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  'running-below-desired': cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
};

/** What the alarms and the dashboard row need to know of one container service. */
export interface ServiceAlarmTarget {
  /** The environment name. */
  readonly environment: string;
  /** The service's name, also its ECS service name. */
  readonly name: string;
  /** The cluster it runs in. */
  readonly cluster: ecs.ICluster;
  /** The literal name of its load balancer, which the dashboard searches its metrics by. */
  readonly loadBalancerName: string;
  /** The target group its tasks are registered in. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
}

/**
 * The default alarms of a container service, ids `service/<name>/<kind>` as on Azure, and its dashboard row:
 * - `5xx-rate` (critical): target 5xx responses per request, in percent, over 5 minutes;
 * - `unhealthy` (critical): an unhealthy target for 3 minutes;
 * - `latency-p99` (warning): the p99 target response time above 1 s for 15 minutes;
 * - `cpu`, `memory` (warning): the service's average utilization above 90% for 15 minutes;
 * - `running-below-desired` (critical): fewer running tasks than desired for 5 minutes (Container Insights).
 *
 * The dashboard lives in the foundation stack, so its widgets name everything literally: the ECS metrics by
 * the cluster name `platform-<env>` and the service name, the load balancer metrics by a search on the load
 * balancer's name. They never reference a token of the service's stack.
 */
export function addServiceAlarms(scope: Construct, target: ServiceAlarmTarget, monitoring: IMonitoring): void {
  const period = (kind: AwsServiceAlarmKind): Duration =>
    Duration.minutes(AWS_SERVICE_ALARM_BASICS[kind].periodMinutes);
  const tg = target.targetGroup.metrics;
  const ecsMetric = (namespace: string, metricName: string, kind: AwsServiceAlarmKind): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { ClusterName: target.cluster.clusterName, ServiceName: target.name },
      statistic: cloudwatch.Stats.AVERAGE,
      period: period(kind),
    });
  const metrics: Record<AwsServiceAlarmKind, cloudwatch.IMetric> = {
    '5xx-rate': new cloudwatch.MathExpression({
      // The 5xx metric has no data point in a period without errors; a period without requests is no error.
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: {
        errors: tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          statistic: cloudwatch.Stats.SUM,
          period: period('5xx-rate'),
        }),
        requests: tg.requestCount({ statistic: cloudwatch.Stats.SUM, period: period('5xx-rate') }),
      },
      label: '5xx responses, % of requests',
      period: period('5xx-rate'),
    }),
    unhealthy: tg.unhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: period('unhealthy') }),
    'latency-p99': tg.targetResponseTime({ statistic: cloudwatch.Stats.p(99), period: period('latency-p99') }),
    cpu: ecsMetric('AWS/ECS', 'CPUUtilization', 'cpu'),
    memory: ecsMetric('AWS/ECS', 'MemoryUtilization', 'memory'),
    'running-below-desired': new cloudwatch.MathExpression({
      expression: 'desired - running',
      usingMetrics: {
        desired: ecsMetric('ECS/ContainerInsights', 'DesiredTaskCount', 'running-below-desired'),
        running: ecsMetric('ECS/ContainerInsights', 'RunningTaskCount', 'running-below-desired'),
      },
      label: 'Desired minus running tasks',
      period: period('running-below-desired'),
    }),
  };
  for (const kind of Object.keys(SERVICE_ALARMS) as ServiceAlarmKind[]) {
    if (!(AWS_KINDS as readonly string[]).includes(kind))
      monitoring.declareAlarmElsewhere(serviceAlarmId(target.name, kind));
  }
  for (const kind of AWS_KINDS) {
    const basics = AWS_SERVICE_ALARM_BASICS[kind];
    monitoring.addAlarm(scope, serviceAlarmId(target.name, kind), {
      ...basics,
      metric: metrics[kind],
      comparisonOperator: COMPARISONS[kind],
      evaluationPeriods: basics.evaluationPeriods ?? 1,
    });
  }
  monitoring.addWidgets(
    `Services: ${target.name}`,
    ...renderServiceWidgets(target.environment, target.name, target.loadBalancerName),
  );
}

/**
 * The dashboard row of one service, from literal names only (it is rendered in the foundation stack): ECS
 * metrics by cluster `platform-<env>` and service name, load balancer metrics found by a search on the load
 * balancer's name (its metric dimension, `app/<name>/<id>`, ends in an id known only after deployment).
 * A search matches names that continue with a hyphen too (`dev-web` also finds `dev-web-admin`); each line
 * is labelled with its load balancer.
 */
export function renderServiceWidgets(
  environment: string,
  name: string,
  loadBalancerName: string,
): cloudwatch.IWidget[] {
  const dimensions = { ClusterName: containerClusterName(environment), ServiceName: name };
  const ecsMetric = (namespace: string, metricName: string, label: string, period: Duration): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: dimensions,
      statistic: cloudwatch.Stats.AVERAGE,
      period,
      label,
    });
  const search = (metric: string, statistic: string, label: string): cloudwatch.MathExpression =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="${metric}" LoadBalancer=app/${loadBalancerName}', '${statistic}', 300)`,
      usingMetrics: {},
      label,
      period: Duration.minutes(5),
    });
  return [
    new cloudwatch.GraphWidget({
      title: 'Requests and target 5xx',
      left: [search('RequestCount', 'Sum', 'Requests')],
      right: [search('HTTPCode_Target_5XX_Count', 'Sum', '5xx')],
      width: 6,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Response time p99 (s)',
      left: [search('TargetResponseTime', 'p99', 'p99')],
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'CPU and memory %',
      left: [
        ecsMetric('AWS/ECS', 'CPUUtilization', 'CPU', Duration.minutes(5)),
        ecsMetric('AWS/ECS', 'MemoryUtilization', 'Memory', Duration.minutes(5)),
      ],
      leftYAxis: { min: 0, max: 100 },
      width: 6,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Tasks running and desired',
      left: [
        ecsMetric('ECS/ContainerInsights', 'RunningTaskCount', 'Running', Duration.minutes(1)),
        ecsMetric('ECS/ContainerInsights', 'DesiredTaskCount', 'Desired', Duration.minutes(1)),
      ],
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
  ];
}
