import type { Construct } from 'constructs';
import { SERVICE_ALARMS, SERVICE_USAGE_ALARM_BASICS, serviceAlarmId, type ServiceAlarmKind } from '../core';
import type { IMonitoring, WorkbookItem } from './interfaces';

// --- Azure half. ------------------------------------------------------------------------------------------------

/** The resource type of container apps, the namespace of their metrics. */
export const CONTAINER_APP_RESOURCE_TYPE = 'Microsoft.App/containerApps';

/**
 * How many 5xx responses in 5 minutes raise `service/<name>/5xx-rate` on Azure. Container Apps metrics give a
 * count per status class and no rate, and a static metric alert cannot divide one series by another, so the
 * Azure alarm counts (AWS alarms at 5 % of requests); a spec override's threshold is a count here.
 */
export const AZURE_SERVICE_5XX_COUNT = 10;

/** Nanocores in one vCPU (the unit of UsageNanoCores). */
const NANOCORES_PER_VCPU = 1_000_000_000;
/** Bytes in one GiB (the unit of WorkingSetBytes is bytes). */
const BYTES_PER_GIB = 1024 ** 3;

/** What the service alarms watch: one container app. */
export interface ServiceAlarmTarget {
  /** The service's name (`api`), the middle of every alarm id (`service/api/cpu`). */
  readonly name: string;
  /** The container app's resource ID. */
  readonly containerAppId: string;
  /** The container app's name, as the `Resource` column of AzureMetrics holds it (in capitals). */
  readonly containerAppName: string;
  /** The container's CPU limit, in vCPUs. */
  readonly cpu: number;
  /** The container's memory limit, in GiB. */
  readonly memoryGiB: number;
  /** The fewest replicas the app runs (`template.min_replicas`). */
  readonly minCount: number;
}

/** A limit in the metric's unit for a share of the container's limit: nanocores for CPU, bytes for memory; pure. */
export function usageThreshold(kind: 'cpu' | 'memory', percent: number, target: ServiceAlarmTarget): number {
  const limit = kind === 'cpu' ? target.cpu * NANOCORES_PER_VCPU : target.memoryGiB * BYTES_PER_GIB;
  return Math.round((limit * percent) / 100);
}

/**
 * A container service's default alerts on Azure, with the same ids as on AWS so one spec override tunes both:
 * - `service/<name>/5xx-count` (critical): {@link AZURE_SERVICE_5XX_COUNT} or more requests answered 5xx in
 *   5 minutes (metric `Requests`, total, dimension `statusCodeCategory` = `5xx`); AWS has `5xx-rate` instead;
 * - `service/<name>/unhealthy` (critical): a replica restarted (`RestartCount`, maximum, at least 1 in 5 minutes).
 *   Container Apps report each replica's restarts since it started, so the alert stays raised until no running
 *   replica has restarted (the next revision or scale-in replaces it); on AWS the id counts unhealthy targets;
 * - `service/<name>/cpu` and `service/<name>/memory` (warning): average `CpuPercentage` / `MemoryPercentage` above
 *   90 % of the container's limit for 3 windows of 5 minutes (the threshold in percent, as on AWS);
 * - `service/<name>/running-below-desired` (critical): the most replicas seen in 5 minutes (`Replicas`, maximum)
 *   below the service's minCount.
 *
 * `service/<name>/latency-p99` and `5xx-rate` are declared as kept elsewhere: Container Apps publish no response-time percentile
 * (and write no request logs to compute one), so only AWS has it. Adds a workbook section charting requests,
 * replicas, CPU and memory (from the AzureMetrics rows the app's diagnostic setting writes) and console log lines.
 */
export function addServiceAlarms(scope: Construct, target: ServiceAlarmTarget, monitoring: IMonitoring): void {
  const id = (kind: ServiceAlarmKind): string => serviceAlarmId(target.name, kind);
  const metric = { scopes: [target.containerAppId], metricNamespace: CONTAINER_APP_RESOURCE_TYPE, windowMinutes: 5 };

  monitoring.addMetricAlert(scope, id('5xx-count'), {
    ...metric,
    metricName: 'Requests',
    aggregation: 'Total',
    operator: 'GreaterThanOrEqual',
    dimensions: [{ name: 'statusCodeCategory', values: ['5xx'] }],
    threshold: AZURE_SERVICE_5XX_COUNT,
    severity: 'critical',
    description: ({ threshold, evaluationPeriods }) =>
      `${threshold} or more requests to ${target.name} were answered with a 5xx status within ${evaluationPeriods * 5} minutes.`,
    firstResponse:
      'Read the console logs of the latest revision (ContainerAppConsoleLogs) and roll back to the previous revision if it started with a deployment.',
  });
  monitoring.addMetricAlert(scope, id('unhealthy'), {
    ...metric,
    metricName: 'RestartCount',
    aggregation: 'Maximum',
    operator: 'GreaterThanOrEqual',
    threshold: 1,
    severity: 'critical',
    description: `A replica of ${target.name} restarted: its liveness probe failed or its container exited (the alert clears when no running replica has restarted).`,
    firstResponse:
      'Read ContainerAppSystemLogs for probe failures and exit codes (OOMKilled means raise memoryGiB), then the console logs before the restart.',
  });
  for (const kind of ['cpu', 'memory'] as const) {
    // The percentage metrics take the threshold in percent of the container's limit, as on AWS, so one spec
    // override means the same on both clouds.
    monitoring.addMetricAlert(scope, id(kind), {
      ...SERVICE_USAGE_ALARM_BASICS[kind],
      ...metric,
      metricName: kind === 'cpu' ? 'CpuPercentage' : 'MemoryPercentage',
      aggregation: 'Average',
      operator: 'GreaterThan',
    });
  }
  monitoring.addMetricAlert(scope, id('running-below-desired'), {
    ...metric,
    metricName: 'Replicas',
    aggregation: 'Maximum',
    operator: 'LessThan',
    threshold: target.minCount,
    severity: 'critical',
    description: ({ threshold }) =>
      `${target.name} ran fewer than its minimum of ${threshold} replica${threshold === 1 ? '' : 's'} for 5 minutes.`,
    firstResponse:
      'Check the revision status and ContainerAppSystemLogs for failed probes, image pulls or secret references that keep replicas from starting.',
  });
  for (const kind of Object.keys(SERVICE_ALARMS) as ServiceAlarmKind[]) {
    if (!(SERVICE_ALARMS[kind] as readonly string[]).includes('azure')) monitoring.declareAlarmElsewhere(id(kind));
  }

  monitoring.addWorkbookItems(`Services: ${target.name}`, ...renderServiceWorkbookItems(target));
}

/** A KQL filter over AzureMetrics for one metric of a container app (its name as a KQL string literal); pure. */
export function renderServiceMetricQuery(containerAppName: string, metricName: string): string {
  return `AzureMetrics | where ResourceProvider == "MICROSOFT.APP" and Resource =~ ${JSON.stringify(containerAppName)} and MetricName == ${JSON.stringify(metricName)}`;
}

/**
 * The workbook charts of a service, per 5 minutes: requests, replicas, CPU and memory in percent of the limit
 * (from the AzureMetrics rows of the app's diagnostic setting) and console log lines; pure.
 */
export function renderServiceWorkbookItems(target: ServiceAlarmTarget): WorkbookItem[] {
  const bin = 'bin(TimeGenerated, 5m)';
  const percentOf = (metricName: string, limit: number): string =>
    `${renderServiceMetricQuery(target.containerAppName, metricName)} | summarize used = round(100.0 * avg(Average) / ${limit}, 1) by ${bin}`;
  return [
    {
      type: 'query',
      title: 'Requests',
      query: `${renderServiceMetricQuery(target.containerAppName, 'Requests')} | summarize requests = sum(Total) by ${bin}`,
      visualization: 'timechart',
    },
    {
      type: 'query',
      title: 'Replicas',
      query: `${renderServiceMetricQuery(target.containerAppName, 'Replicas')} | summarize replicas = max(Maximum) by ${bin}`,
      visualization: 'timechart',
    },
    {
      type: 'query',
      title: 'CPU used (% of limit)',
      query: percentOf('UsageNanoCores', target.cpu * NANOCORES_PER_VCPU),
      visualization: 'timechart',
    },
    {
      type: 'query',
      title: 'Memory used (% of limit)',
      query: percentOf('WorkingSetBytes', target.memoryGiB * BYTES_PER_GIB),
      visualization: 'timechart',
    },
    {
      type: 'query',
      title: 'Console log lines',
      query: `ContainerAppConsoleLogs | where ContainerAppName == ${JSON.stringify(target.containerAppName)} | summarize lines = count() by ${bin}`,
      visualization: 'timechart',
    },
  ];
}
