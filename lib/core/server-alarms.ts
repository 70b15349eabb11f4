import type { AlarmBasics } from './alarm-registry';
import type { ServerCloud } from './clouds';

/**
 * The CloudWatch namespace a server definition's agent writes to (`Platform/<env>/server/<name>`): one per
 * definition, so its role may write there only, and dashboards find its instances by namespace, without
 * referencing them (the dashboard lives in another stack).
 */
export function serverMetricNamespace(environment: string, server: string): string {
  return `Platform/${environment}/server/${server}`;
}

/** The ids of a server's default alarms, `server/<name>/<kind>`. */
export function serverAlarmId(server: string, kind: ServerAlarmKind): string {
  return `server/${server}/${kind}`;
}

/** The kinds of default server alarm, and the clouds that have each. */
export const SERVER_ALARMS = {
  /** AWS: the host failed its system status check; the alarm's action recovers the instance onto new hardware. */
  recovery: ['aws'],
  /** AWS: the instance failed its instance status check (the OS is not responding). */
  'status-checks': ['aws'],
  /** Azure: the VM is not available (VmAvailabilityMetric below 1). */
  availability: ['azure'],
  cpu: ['aws', 'azure'],
  memory: ['aws', 'azure'],
  disk: ['aws', 'azure'],
  /**
   * A definition with `healthCheck`: a server's endpoint failed its probes, or the server sent none, for
   * {@link SERVER_HEALTH_ALARM}'s minutes.
   */
  health: ['aws', 'azure'],
} as const satisfies Record<string, readonly ServerCloud[]>;
/** A kind of default server alarm. */
export type ServerAlarmKind = keyof typeof SERVER_ALARMS;

/** The neutral half of the server alarms both clouds share: thresholds in percent, meaning and first response. */
export const SERVER_ALARM_BASICS: Readonly<Record<'cpu' | 'memory' | 'disk', AlarmBasics>> = {
  cpu: {
    threshold: 90,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A server's CPU was above ${threshold}% for ${evaluationPeriods * 5} minutes.`,
    firstResponse: 'Find the busy process (top, over a Session Manager or SSH session) before resizing the server.',
  },
  memory: {
    threshold: 90,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A server used more than ${threshold}% of its memory for ${evaluationPeriods * 5} minutes.`,
    firstResponse: 'Look for a leaking process (ps aux --sort=-rss) and the kernel log for OOM kills before resizing.',
  },
  disk: {
    threshold: 85,
    evaluationPeriods: 1,
    severity: 'warning',
    description: ({ threshold }) => `A server's root file system is more than ${threshold}% full.`,
    firstResponse:
      'Clear old logs and packages (journalctl --vacuum-time, apt/dnf clean), then raise diskGiB in the spec.',
  },
};

/**
 * The server health alarm, the same on both clouds: the probe runs every minute on each server and reports 1
 * (healthy) or 0; the alarm fires when a server reported no healthy probe, or nothing at all, for
 * `evaluationMinutes` consecutive minutes, which, with the clouds' delivery delay, is within 5 minutes of the failure.
 */
export const SERVER_HEALTH_ALARM = {
  /** Consecutive one-minute periods without a healthy probe before the alarm fires. */
  evaluationMinutes: 3,
  /** Critical: the server no longer does its job. */
  severity: 'critical',
  /** The unit of the measure on both clouds: the healthy share of a minute's probes, 0 to 1. */
  unit: 'healthy probes per probe (0-1)',
  description: (server: string, port: number, path: string, minutes = 3): string =>
    `A server of ${server} failed its health probe (http://127.0.0.1:${port}${path}) or reported none for ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  firstResponse:
    'Check the service behind the endpoint (systemctl status, journalctl -u <unit>) and the probe (journalctl -t platform-health) over a Session Manager or SSH session.',
} as const;
