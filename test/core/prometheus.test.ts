import {
  AlarmRegistry,
  DEFAULT_PROMETHEUS_RULE_IDS,
  defineEnvironment,
  KUBERNETES_ALARM_BASICS,
  kubernetesAlarmRules,
  promqlProblems,
  SpecError,
  tuneKubernetesAlarms,
  type EnvironmentInput,
  type PrometheusRuleSpec,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type PrometheusInput = NonNullable<EnvironmentInput['prometheus']>;

/** An environment input with a default cluster and this prometheus section (valid or not). */
function withPrometheus(prometheus: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return { ...base, kubernetes: {}, prometheus: prometheus as PrometheusInput };
}

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

const ALERT = {
  alert: 'QueueBacklogGrowing',
  expr: 'sum(queue_depth) > 100',
  severity: 'warning',
  summary: 'Backlog.',
};

function names(rules: readonly PrometheusRuleSpec[]): string[] {
  return rules.map((r) => `${r.kind}:${r.name}`);
}

describe('prometheus section: defaults', () => {
  test('on by default with a cluster: the alarm rules first, then the default rules, evaluated every minute', () => {
    const prometheus = defineEnvironment({ ...devInput(), kubernetes: {} }).prometheus;
    expect(prometheus?.interval).toBe('1m');
    expect(names(prometheus?.rules ?? [])).toEqual([
      'alert:KubeNodeNotReady',
      'alert:KubePodCrashLooping',
      'alert:KubePersistentVolumeFillingUp',
      'alert:TargetDown',
    ]);
    expect(prometheus?.disabledDefaults).toEqual({});
    expect(prometheus?.rules.map((r) => (r.kind === 'alert' ? [r.name, r.for, r.severity] : []))).toEqual([
      ['KubeNodeNotReady', '15m', 'warning'],
      ['KubePodCrashLooping', '15m', 'warning'],
      ['KubePersistentVolumeFillingUp', '1m', 'critical'],
      ['TargetDown', '10m', 'warning'],
    ]);
  });

  test("the environment's own rules come last, resolved", () => {
    const prometheus = defineEnvironment(
      withPrometheus(
        {
          interval: '5m',
          rules: [
            { ...ALERT, for: '10m', labels: { team: 'payments' }, annotations: { runbook_url: 'https://x.example' } },
            { record: 'namespace:http_requests:rate5m', expr: 'sum by (namespace) (rate(http_requests_total[5m]))' },
          ],
        },
        prodInput(),
      ),
    ).prometheus;
    expect(prometheus?.interval).toBe('5m');
    expect(prometheus?.rules.slice(4)).toEqual([
      {
        kind: 'alert',
        name: 'QueueBacklogGrowing',
        expr: 'sum(queue_depth) > 100',
        for: '10m',
        severity: 'warning',
        summary: 'Backlog.',
        labels: { team: 'payments' },
        annotations: { runbook_url: 'https://x.example' },
      },
      {
        kind: 'record',
        name: 'namespace:http_requests:rate5m',
        expr: 'sum by (namespace) (rate(http_requests_total[5m]))',
        labels: {},
      },
    ]);
  });

  test('a default rule tuned, another switched off with its reason', () => {
    const prometheus = defineEnvironment(
      withPrometheus({
        defaults: {
          'pv-filling-up': { for: '5m' },
          'target-down': { enabled: false, reason: 'the scrape health is watched by the SRE dashboard' },
        },
      }),
    ).prometheus;
    expect(names(prometheus?.rules ?? [])).toEqual([
      'alert:KubeNodeNotReady',
      'alert:KubePodCrashLooping',
      'alert:KubePersistentVolumeFillingUp',
    ]);
    expect(prometheus?.rules[2]?.kind === 'alert' && prometheus.rules[2].for).toBe('5m');
    expect(prometheus?.disabledDefaults).toEqual({
      'target-down': 'the scrape health is watched by the SRE dashboard',
    });
  });

  test("the alarms' rules follow monitoring.alarms: threshold in the PromQL, for = periods x 5 minutes, severity", () => {
    const prometheus = defineEnvironment({
      ...withPrometheus({}),
      monitoring: {
        alarms: {
          'kubernetes/node-readiness': { threshold: 2, evaluationPeriods: 6, severity: 'critical' },
          'kubernetes/pod-restarts': { enabled: false, reason: 'batch jobs restart on purpose here' },
        },
      },
    }).prometheus;
    expect(names(prometheus?.rules ?? []).slice(0, 2)).toEqual([
      'alert:KubeNodeNotReady',
      'alert:KubePersistentVolumeFillingUp',
    ]);
    expect(prometheus?.rules[0]).toEqual({
      kind: 'alert',
      name: 'KubeNodeNotReady',
      expr: '(kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0) and on() (count(kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0) >= 2)',
      for: '30m',
      severity: 'critical',
      summary: 'Node is not ready.',
      labels: { alarm: 'kubernetes/node-readiness' },
      annotations: {
        description:
          "{{ $labels.node }} is not ready. At least 2 nodes of the cluster were not ready for 30 minutes. First response: Read the node's conditions and events (kubectl describe node) and the node group's or pool's health before draining it.",
      },
    });
  });

  test('kubernetesAlarmRules renders what the registry tunes, so both clouds evaluate the same rules', () => {
    const monitoring = {
      alarms: { 'kubernetes/pod-restarts': { threshold: 3, evaluationPeriods: 2 } },
      routing: { critical: [], warning: [] },
    };
    const registry = new AlarmRegistry('dev', monitoring);
    const pods = registry.tune('kubernetes/pod-restarts', KUBERNETES_ALARM_BASICS['pod-restarts']);
    const [rule] = kubernetesAlarmRules({ 'pod-restarts': pods });
    expect(rule).toEqual({
      kind: 'alert',
      name: 'KubePodCrashLooping',
      expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", job="kube-state-metrics"}[5m]) >= 1 and on(namespace, pod, container) increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[1h]) >= 3',
      for: '10m',
      severity: 'warning',
      summary: 'Pod is crash looping.',
      labels: { alarm: 'kubernetes/pod-restarts' },
      annotations: {
        description:
          "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping. A container was crash looping (waiting in CrashLoopBackOff after at least 3 restarts in the last hour) for 10 minutes. First response: Read the container's last logs (kubectl logs --previous) and its pod's events (kubectl describe pod) before restarting anything.",
      },
    });
    expect(promqlProblems(rule?.expr ?? '')).toEqual([]);
    expect(kubernetesAlarmRules(tuneKubernetesAlarms('dev', monitoring))[1]).toEqual(rule);
    expect(kubernetesAlarmRules({})).toEqual([]);
  });
});

describe('prometheus section: each bad input is named by its path', () => {
  test('invalid PromQL, with its position', () => {
    expect(
      problems(
        withPrometheus(
          {
            rules: [ALERT, { ...ALERT, alert: 'B' }, { ...ALERT, alert: 'C', expr: 'sum(rate(foo[5m])) by (x' }],
          },
          prodInput(),
        ),
      ),
    ).toEqual([
      'prod.prometheus.rules[2].expr: "sum(rate(foo[5m])) by (x" - invalid PromQL at character 24 (line 1, column 25): the expression ends too early: "sum(rate(foo[5m])) by (x⟨here⟩"',
    ]);
  });

  test('a range function without a range vector', () => {
    expect(problems(withPrometheus({ rules: [{ record: 'job:foo:rate', expr: 'rate(foo)' }] }))).toEqual([
      'dev.prometheus.rules[0].expr: "rate(foo)" - invalid PromQL at character 5 (line 1, column 6): rate() takes a range vector, such as rate(http_requests_total[5m]): "rate(⟨here⟩foo)"',
    ]);
  });

  test('an unknown severity', () => {
    expect(problems(withPrometheus({ rules: [{ ...ALERT, severity: 'info' }] }))).toEqual([
      'dev.prometheus.rules[0].severity: "info" - one of critical, warning (the alert is routed like an alarm of that severity)',
    ]);
  });

  test('a for that is not a Prometheus duration, or too long', () => {
    expect(
      problems(
        withPrometheus({
          rules: [
            { ...ALERT, for: '5x' },
            { ...ALERT, alert: 'B', for: '1h1d' },
            { ...ALERT, alert: 'C', for: '500ms' },
            { ...ALERT, alert: 'D', for: '2d' },
          ],
        }),
      ),
    ).toEqual([
      'dev.prometheus.rules[0].for: "5x" - not a Prometheus duration such as 5m or 1h30m (units y, w, d, h, m, s in that order, each once)',
      'dev.prometheus.rules[1].for: "1h1d" - not a Prometheus duration such as 5m or 1h30m (units y, w, d, h, m, s in that order, each once)',
      'dev.prometheus.rules[2].for: "500ms" - whole seconds, from 0s to 1d (Azure takes no milliseconds)',
      'dev.prometheus.rules[3].for: "2d" - from 0s to 1d',
    ]);
  });

  test('an alert rule needs severity and summary; a rule is an alert or a record; names are Prometheus names', () => {
    expect(
      problems(
        withPrometheus({
          rules: [
            { alert: 'NoSeverity', expr: 'up == 0' },
            { alert: 'Both', record: 'both', expr: 'up', severity: 'warning', summary: 'x' },
            { expr: 'up' },
            { record: 'rec', expr: 'up', for: '5m', severity: 'warning' },
            { ...ALERT, alert: 'has-hyphen' },
            { record: '1abc', expr: 'up' },
          ],
        }),
      ),
    ).toEqual([
      'dev.prometheus.rules[0].severity: undefined - required for an alert rule: one of critical, warning',
      'dev.prometheus.rules[0].summary: undefined - required for an alert rule: one line saying what is wrong',
      'dev.prometheus.rules[1].record: "both" - either alert or record, not both: a rule raises an alert or records a series',
      'dev.prometheus.rules[2].alert: undefined - an alert name (an alert rule) or a record name (a recording rule)',
      'dev.prometheus.rules[3].for: "5m" - only alert rules take for; a recording rule takes record, expr and labels',
      'dev.prometheus.rules[3].severity: "warning" - only alert rules take severity; a recording rule takes record, expr and labels',
      'dev.prometheus.rules[4].alert: "has-hyphen" - an alert name of at most 128 letters, digits and underscores, starting with a letter, such as QueueBacklogGrowing',
      'dev.prometheus.rules[5].record: "1abc" - a metric name of at most 128 letters, digits, underscores and colons, such as namespace:http_requests:rate5m',
    ]);
  });

  test('labels and annotations: Prometheus names, and not the ones the platform sets', () => {
    expect(
      problems(
        withPrometheus({
          rules: [
            { ...ALERT, labels: { severity: 'page', 'bad-key': 'x', __name__: 'y' }, annotations: { summary: 'z' } },
          ],
        }),
      ),
    ).toEqual([
      'dev.prometheus.rules[0].labels.severity: "page" - a key the platform sets: set severity on the rule instead, so that the alert is routed by it',
      'dev.prometheus.rules[0].labels.bad-key: "x" - a key of letters, digits and underscores, starting with a letter or underscore, not with __ (reserved)',
      'dev.prometheus.rules[0].labels.__name__: "y" - a key of letters, digits and underscores, starting with a letter or underscore, not with __ (reserved)',
      'dev.prometheus.rules[0].annotations.summary: "z" - a key the platform sets: set summary on the rule instead',
    ]);
  });

  test('names are unique, also against the default rules', () => {
    expect(
      problems(
        withPrometheus({
          rules: [ALERT, ALERT, { ...ALERT, alert: 'TargetDown' }, { ...ALERT, alert: 'KubeNodeNotReady' }],
        }),
      ),
    ).toEqual([
      'dev.prometheus.rules[1].alert: "QueueBacklogGrowing" - a name no other rule has (prometheus.rules[0] has it)',
      'dev.prometheus.rules[2].alert: "TargetDown" - a name no other rule has (the default rule TargetDown has it)',
      'dev.prometheus.rules[3].alert: "KubeNodeNotReady" - a name no other rule has (the default rule KubeNodeNotReady (alarm kubernetes/node-readiness, under monitoring.alarms) has it)',
    ]);
  });

  test('defaults: an unknown id lists the known ones; switching one off needs a reason', () => {
    expect(DEFAULT_PROMETHEUS_RULE_IDS).toEqual(['pv-filling-up', 'target-down']);
    expect(
      problems(
        withPrometheus({
          defaults: {
            'node-not-ready': { for: '5m' },
            'target-down': { enabled: false },
            'pv-filling-up': { enabled: false, reason: 'short', for: '5m' },
          },
        }),
      ),
    ).toEqual([
      'dev.prometheus.defaults.target-down.reason: undefined - a reason of 10-500 characters saying why nobody needs it',
      'dev.prometheus.defaults.pv-filling-up.reason: "short" - a reason of 10-500 characters saying why nobody needs it',
      'dev.prometheus.defaults.pv-filling-up.for: "5m" - nothing else for a rule switched off (enabled: false)',
      'dev.prometheus.defaults.node-not-ready: {"for":"5m"} - no default rule has this id; the default rules are pv-filling-up, target-down (the alarms kubernetes/node-readiness, kubernetes/pod-restarts are tuned under monitoring.alarms)',
    ]);
  });

  test('the interval: whole minutes from 1m to 15m', () => {
    expect(problems(withPrometheus({ interval: '30s' }))).toEqual([
      'dev.prometheus.interval: "30s" - whole minutes, from 1m to 15m',
    ]);
    expect(problems(withPrometheus({ interval: '1h' }))).toEqual(['dev.prometheus.interval: "1h" - from 1m to 15m']);
  });

  test('prometheus without kubernetes', () => {
    expect(problems({ ...devInput(), prometheus: {} })).toEqual([
      'dev.prometheus: "(a prometheus section)" - a kubernetes section too: managed Prometheus scrapes and alerts on the environment cluster; add kubernetes, or remove prometheus',
    ]);
  });

  test('every problem at once, across rules, defaults and the cluster', () => {
    expect(
      problems({
        ...withPrometheus(
          {
            interval: '30s',
            rules: [{ ...ALERT, severity: 'info', for: '5x' }, { ...ALERT, expr: 'rate(foo)' }, ALERT],
            defaults: { nope: { for: '5m' } },
          },
          prodInput(),
        ),
        kubernetes: { version: '1.31' } as unknown as EnvironmentInput['kubernetes'],
      }),
    ).toEqual([
      'prod.kubernetes.version: "1.31" - a Kubernetes version both clouds offer: 1.34, 1.35, 1.36',
      'prod.prometheus.interval: "30s" - whole minutes, from 1m to 15m',
      'prod.prometheus.rules[0].for: "5x" - not a Prometheus duration such as 5m or 1h30m (units y, w, d, h, m, s in that order, each once)',
      'prod.prometheus.rules[0].severity: "info" - one of critical, warning (the alert is routed like an alarm of that severity)',
      'prod.prometheus.rules[1].expr: "rate(foo)" - invalid PromQL at character 5 (line 1, column 6): rate() takes a range vector, such as rate(http_requests_total[5m]): "rate(⟨here⟩foo)"',
      'prod.prometheus.defaults.nope: {"for":"5m"} - no default rule has this id; the default rules are pv-filling-up, target-down (the alarms kubernetes/node-readiness, kubernetes/pod-restarts are tuned under monitoring.alarms)',
    ]);
  });
});
