import { AlarmRegistry, type AlarmBasics, type Tuned } from './alarm-registry';
import type { PrometheusRuleSpec, PrometheusSeverity } from './kubernetes';
import {
  KUBERNETES_ALARM_BASICS,
  KUBERNETES_ALARM_PERIOD_MINUTES,
  KUBERNETES_PROMETHEUS_ALARMS,
  kubernetesAlarmId,
} from './kubernetes-alarms';
import { formatPrometheusDuration } from './prometheus-duration';
import type { MonitoringSpec } from './spec/monitoring';

/**
 * One rule of the default Prometheus rule set (kubernetes-mixin, with the job labels both clouds scrape:
 * `kube-state-metrics` and `kubelet`), tuned or switched off under `prometheus.defaults.<id>`.
 */
export interface DefaultPrometheusRule {
  /** The id under `prometheus.defaults` (`target-down`). */
  readonly id: string;
  /** The alert's name. */
  readonly alert: string;
  /** The PromQL expression. */
  readonly expr: string;
  /** How long it must hold before the alert fires, unless the spec tunes it. */
  readonly for: string;
  /** Where the alert is routed. */
  readonly severity: PrometheusSeverity;
  /** One line saying what is wrong. */
  readonly summary: string;
  /** The alert's description (Prometheus templates such as `{{ $labels.job }}` are filled in when it fires). */
  readonly description: string;
}

/** The job labels the default rules read; the scrape configuration of both clouds uses these names. */
export const PROMETHEUS_JOBS = { kubeStateMetrics: 'kube-state-metrics', kubelet: 'kubelet' } as const;

const PVC_EXCLUSIONS =
  'unless on(namespace, persistentvolumeclaim) kube_persistentvolumeclaim_access_mode{access_mode="ReadOnlyMany"} == 1 ' +
  'unless on(namespace, persistentvolumeclaim) kube_persistentvolumeclaim_labels{label_excluded_from_alerts="true"} == 1';

/**
 * The default rules besides the Kubernetes alarms (which `monitoring.alarms` tunes): persistent volumes filling up
 * and scrape targets down.
 */
export const DEFAULT_PROMETHEUS_RULES: readonly DefaultPrometheusRule[] = [
  {
    id: 'pv-filling-up',
    alert: 'KubePersistentVolumeFillingUp',
    expr:
      '(kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"}) < 0.03 ' +
      `and kubelet_volume_stats_used_bytes{job="kubelet"} > 0 ${PVC_EXCLUSIONS}`,
    for: '1m',
    severity: 'critical',
    summary: 'PersistentVolume is filling up.',
    description:
      'The PersistentVolume claimed by {{ $labels.persistentvolumeclaim }} in namespace {{ $labels.namespace }} has {{ $value | humanizePercentage }} free.',
  },
  {
    id: 'target-down',
    alert: 'TargetDown',
    expr: '100 * (count(up == 0) BY (cluster, job, namespace, service) / count(up) BY (cluster, job, namespace, service)) > 10',
    for: '10m',
    severity: 'warning',
    summary: 'One or more targets are unreachable.',
    description:
      '{{ printf "%.4g" $value }}% of the {{ $labels.job }}/{{ $labels.service }} targets in namespace {{ $labels.namespace }} are down.',
  },
];

/** The ids of the default rules, for `prometheus.defaults`. */
export const DEFAULT_PROMETHEUS_RULE_IDS: readonly string[] = DEFAULT_PROMETHEUS_RULES.map((r) => r.id);

/** The Kubernetes alarms realised as Prometheus rules, after the spec's tuning; a kind left out is switched off. */
export interface KubernetesTunedAlarms {
  /**
   * `kubernetes/node-readiness`, tuned.
   * @default - switched off: no rule
   */
  readonly 'node-readiness'?: Tuned<AlarmBasics>;
  /**
   * `kubernetes/pod-restarts`, tuned.
   * @default - switched off: no rule
   */
  readonly 'pod-restarts'?: Tuned<AlarmBasics>;
}

/** The `for` of a tuned Kubernetes alarm's rule: its periods of {@link KUBERNETES_ALARM_PERIOD_MINUTES}. */
function forOf(tuned: Tuned<AlarmBasics>): string {
  return formatPrometheusDuration(tuned.evaluationPeriods * KUBERNETES_ALARM_PERIOD_MINUTES * 60);
}

/** A whole-number threshold as PromQL writes it (a tuned threshold is checked to be whole by the spec). */
function number(value: number): string {
  return String(value);
}

/**
 * The Prometheus alert rules of the Kubernetes alarms node readiness (KubeNodeNotReady) and pod restarts
 * (KubePodCrashLooping), with the tuned threshold in the PromQL and `for` = evaluation periods x
 * {@link KUBERNETES_ALARM_PERIOD_MINUTES} minutes, so that both clouds evaluate the same rules. Each fires per node
 * or per container:
 * - node readiness: a node whose Ready condition is not true, while at least `threshold` nodes are not ready;
 * - pod restarts: a container waiting in CrashLoopBackOff that restarted at least `threshold` times in the last hour.
 */
export function kubernetesAlarmRules(tuned: KubernetesTunedAlarms): PrometheusRuleSpec[] {
  const rules: PrometheusRuleSpec[] = [];
  const ksm = `job="${PROMETHEUS_JOBS.kubeStateMetrics}"`;
  const nodes = tuned['node-readiness'];
  if (nodes) {
    const notReady = `kube_node_status_condition{${ksm},condition="Ready",status="true"} == 0`;
    rules.push({
      kind: 'alert',
      name: 'KubeNodeNotReady',
      expr: `(${notReady}) and on() (count(${notReady}) >= ${number(nodes.threshold)})`,
      for: forOf(nodes),
      severity: nodes.severity,
      summary: 'Node is not ready.',
      labels: { alarm: kubernetesAlarmId('node-readiness') },
      annotations: {
        description: `{{ $labels.node }} is not ready. ${nodes.description} First response: ${nodes.firstResponse}`,
      },
    });
  }
  const pods = tuned['pod-restarts'];
  if (pods) {
    rules.push({
      kind: 'alert',
      name: 'KubePodCrashLooping',
      expr:
        `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", ${ksm}}[5m]) >= 1 ` +
        `and on(namespace, pod, container) increase(kube_pod_container_status_restarts_total{${ksm}}[1h]) >= ${number(pods.threshold)}`,
      for: forOf(pods),
      severity: pods.severity,
      summary: 'Pod is crash looping.',
      labels: { alarm: kubernetesAlarmId('pod-restarts') },
      annotations: {
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping. ${pods.description} First response: ${pods.firstResponse}`,
      },
    });
  }
  return rules;
}

/**
 * Tunes the Kubernetes alarms that are Prometheus rules with the spec's `monitoring.alarms`, exactly as each cloud's
 * `Monitoring` tunes them (the same {@link AlarmRegistry}); a kind switched off is left out.
 */
export function tuneKubernetesAlarms(
  environment: string,
  monitoring: Pick<MonitoringSpec, 'alarms' | 'routing'>,
): KubernetesTunedAlarms {
  const registry = new AlarmRegistry(environment, monitoring);
  const out: { -readonly [K in keyof KubernetesTunedAlarms]: KubernetesTunedAlarms[K] } = {};
  for (const kind of KUBERNETES_PROMETHEUS_ALARMS) {
    const tuned = registry.tune(kubernetesAlarmId(kind), KUBERNETES_ALARM_BASICS[kind]);
    if (tuned) out[kind] = tuned;
  }
  return out;
}

/** A change to one default rule under `prometheus.defaults.<id>`: switched off with a reason, or `for` tuned. */
export interface DefaultRuleOverride {
  /**
   * False switches the rule off.
   * @default - on
   */
  readonly enabled?: false;
  /**
   * Why nobody needs the rule (required with `enabled: false`, at least 10 characters).
   * @default - none
   */
  readonly reason?: string;
  /**
   * How long the expression must hold before the alert fires, as a Prometheus duration.
   * @default - the rule's own (`DEFAULT_PROMETHEUS_RULES`)
   */
  readonly for?: string;
}

/** The default rules as the spec tunes them, without those switched off (their reasons are returned apart). */
export function defaultPrometheusRules(overrides: Readonly<Record<string, DefaultRuleOverride>>): {
  readonly rules: PrometheusRuleSpec[];
  readonly disabled: Record<string, string>;
} {
  const rules: PrometheusRuleSpec[] = [];
  const disabled: Record<string, string> = {};
  for (const rule of DEFAULT_PROMETHEUS_RULES) {
    const override = overrides[rule.id];
    if (override?.enabled === false) {
      disabled[rule.id] = override.reason ?? '';
      continue;
    }
    rules.push({
      kind: 'alert',
      name: rule.alert,
      expr: rule.expr,
      for: override?.for ?? rule.for,
      severity: rule.severity,
      summary: rule.summary,
      labels: {},
      annotations: { description: rule.description },
    });
  }
  return { rules, disabled };
}
