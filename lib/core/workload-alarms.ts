import type { AlarmBasics } from './alarm-registry';
import type { ServerCloud } from './clouds';

/**
 * The kinds of default container service alarm, and the clouds that have each, under the same id
 * (`service/<name>/<kind>`) where the meaning is the same, so one spec override tunes both.
 */
export const SERVICE_ALARMS = {
  /** AWS: the share of the load balancer's requests answered with a 5xx status, in percent. */
  '5xx-rate': ['aws'],
  /**
   * Azure: requests answered with a 5xx status, counted (a static metric alert cannot divide two series): its own
   * id, so an override never means a count on one cloud and a percentage on the other.
   */
  '5xx-count': ['azure'],
  /** Instances failing their health: AWS unhealthy targets, Azure replica restarts after failed probes. */
  unhealthy: ['aws', 'azure'],
  /** AWS: the load balancer's p99 response time (Container Apps publish no response-time percentile). */
  'latency-p99': ['aws'],
  /** CPU used, in percent of the service's CPU. */
  cpu: ['aws', 'azure'],
  /** Memory used, in percent of the service's memory. */
  memory: ['aws', 'azure'],
  /** Fewer tasks or replicas running than the service should run. */
  'running-below-desired': ['aws', 'azure'],
} as const satisfies Record<string, readonly ServerCloud[]>;

/** A kind of default container service alarm. */
export type ServiceAlarmKind = keyof typeof SERVICE_ALARMS;

/** The kinds a cloud has, in catalogue order. */
export function serviceAlarmKindsOn(cloud: ServerCloud): ServiceAlarmKind[] {
  return (Object.keys(SERVICE_ALARMS) as ServiceAlarmKind[]).filter((k) =>
    (SERVICE_ALARMS[k] as readonly ServerCloud[]).includes(cloud),
  );
}

/** The id of a service's default alarm: `service/<name>/<kind>`. */
export function serviceAlarmId(service: string, kind: ServiceAlarmKind): string {
  return `service/${service}/${kind}`;
}

/** The id of a scheduled job's failure alarm on both clouds: `job/<name>/failed`. */
export function jobFailedAlarmId(job: string): string {
  return `job/${job}/failed`;
}

/** The neutral half of the CPU and memory alarms both clouds share: thresholds in percent of the service's limit. */
export const SERVICE_USAGE_ALARM_BASICS: Readonly<Record<'cpu' | 'memory', AlarmBasics>> = {
  cpu: {
    threshold: 90,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A service used more than ${threshold}% of its CPU for ${evaluationPeriods * 5} minutes.`,
    firstResponse:
      'Check whether autoscaling reached maxCount; raise maxCount or the cpu size, or find the hot code path.',
  },
  memory: {
    threshold: 90,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A service used more than ${threshold}% of its memory for ${evaluationPeriods * 5} minutes.`,
    firstResponse:
      'Look for a leak (memory growing until restarts) before raising memoryGiB; check whether autoscaling reached maxCount.',
  },
};
