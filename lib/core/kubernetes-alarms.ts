import type { AlarmBasics } from './alarm-registry';
import type { ServerCloud } from './clouds';

/**
 * The kinds of default Kubernetes alarm, and the clouds that raise each, under one id (`kubernetes/<kind>`), tuned
 * or switched off under `monitoring.alarms` like every alarm. Node readiness and pod restarts are Prometheus alert
 * rules on both clouds ({@link kubernetesAlarmRules} renders them, so both evaluate the same PromQL); API server
 * errors are a CloudWatch alarm on the EKS control-plane metric `apiserver_request_total_5XX` (AWS), and declared
 * elsewhere on Azure, whose control-plane metrics are a preview.
 */
export const KUBERNETES_ALARMS = {
  /** A node's Ready condition was false or unknown (KubeNodeNotReady). */
  'node-readiness': ['aws', 'azure'],
  /** A container was crash looping (KubePodCrashLooping). */
  'pod-restarts': ['aws', 'azure'],
  /** The API server answered requests with a 5xx status. */
  'api-server-errors': ['aws'],
} as const satisfies Record<string, readonly ServerCloud[]>;

/** A kind of default Kubernetes alarm. */
export type KubernetesAlarmKind = keyof typeof KUBERNETES_ALARMS;

/** The kinds realised as Prometheus alert rules (the same PromQL on both clouds). */
export const KUBERNETES_PROMETHEUS_ALARMS = ['node-readiness', 'pod-restarts'] as const;

/** The id of a default Kubernetes alarm: `kubernetes/<kind>`. */
export function kubernetesAlarmId(kind: KubernetesAlarmKind): string {
  return `kubernetes/${kind}`;
}

/**
 * The length of one evaluation period of the Kubernetes alarms, in minutes: a Prometheus rule's `for` is
 * `evaluationPeriods` periods (3 periods: `15m`, the kubernetes-mixin's), and the API server alarm sums 5XX answers
 * per period. Five minutes, because `monitoring.alarms` takes at most 6 periods: 5 to 30 minutes, where one-minute
 * periods would cap `for` at 6 minutes.
 */
export const KUBERNETES_ALARM_PERIOD_MINUTES = 5;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The neutral half of each default Kubernetes alarm: threshold, periods, severity, meaning and first response. */
export const KUBERNETES_ALARM_BASICS: Readonly<Record<KubernetesAlarmKind, AlarmBasics>> = {
  'node-readiness': {
    threshold: 1,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `At least ${plural(threshold, 'node')} of the cluster ${threshold === 1 ? 'was' : 'were'} not ready for ${evaluationPeriods * KUBERNETES_ALARM_PERIOD_MINUTES} minutes.`,
    firstResponse:
      "Read the node's conditions and events (kubectl describe node) and the node group's or pool's health before draining it.",
  },
  'pod-restarts': {
    threshold: 1,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A container was crash looping (waiting in CrashLoopBackOff after at least ${plural(threshold, 'restart')} in the last hour) for ${evaluationPeriods * KUBERNETES_ALARM_PERIOD_MINUTES} minutes.`,
    firstResponse:
      "Read the container's last logs (kubectl logs --previous) and its pod's events (kubectl describe pod) before restarting anything.",
  },
  'api-server-errors': {
    threshold: 10,
    evaluationPeriods: 2,
    severity: 'critical',
    description: ({ threshold, evaluationPeriods }) =>
      `The Kubernetes API server answered at least ${plural(threshold, 'request')} with a 5xx status in each of ${plural(evaluationPeriods, 'period')} of ${KUBERNETES_ALARM_PERIOD_MINUTES} minutes.`,
    firstResponse:
      "Check the cluster's health in the console and the control-plane logs (kube-apiserver) for throttling or failing webhooks.",
  },
};
