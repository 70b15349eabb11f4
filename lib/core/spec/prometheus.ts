import { z } from 'zod';
import type { KubernetesSpec, PrometheusRuleSpec, PrometheusSpec } from '../kubernetes';
import { KUBERNETES_PROMETHEUS_ALARMS, kubernetesAlarmId } from '../kubernetes-alarms';
import { prometheusDurationProblem } from '../prometheus-duration';
import {
  DEFAULT_PROMETHEUS_RULE_IDS,
  defaultPrometheusRules,
  kubernetesAlarmRules,
  tuneKubernetesAlarms,
} from '../prometheus-rules';
import { promqlProblem } from '../promql';
import type { MonitoringSpec } from './monitoring';
import { defineSection } from './section';
import { textSchema } from './text';

/**
 * The limits of the `prometheus` section, the same on both clouds.
 * - `intervalSeconds`: Azure evaluates rule groups every 1 to 15 minutes (whole minutes); AMP accepts the same.
 * - `forSeconds`: how long an alert's expression must hold; neither cloud documents a limit, a day is plenty.
 * - `rules`: the environment's own rules (the defaults come on top).
 */
export const PROMETHEUS_LIMITS = {
  intervalSeconds: { min: 60, max: 900 },
  forSeconds: { min: 0, max: 86_400 },
  rules: { max: 100 },
  nameLength: { max: 128 },
  labels: { max: 20 },
  valueLength: { max: 1024 },
  annotationLength: { max: 4096 },
  reason: { min: 10, max: 500 },
} as const;

/** The severities a Prometheus alert rule routes by, like alarms. */
export const PROMETHEUS_SEVERITIES = ['critical', 'warning'] as const;

/** Alert names (label names in Prometheus) and label and annotation keys. */
const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Recorded series are metric names, which may carry colons (`namespace:container_cpu:sum`). */
const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Labels the platform sets itself on alerts. */
const RESERVED_LABELS: Readonly<Record<string, string>> = {
  severity: 'set severity on the rule instead, so that the alert is routed by it',
  alertname: 'Prometheus sets it to the alert name',
};

const DURATION_BOUNDS = { minSeconds: PROMETHEUS_LIMITS.forSeconds.min, maxSeconds: PROMETHEUS_LIMITS.forSeconds.max };
const INTERVAL_BOUNDS = {
  minSeconds: PROMETHEUS_LIMITS.intervalSeconds.min,
  maxSeconds: PROMETHEUS_LIMITS.intervalSeconds.max,
  wholeMinutes: true,
};

const forSchema = textSchema('a Prometheus duration such as 5m or 1h30m', (text) =>
  prometheusDurationProblem(text, DURATION_BOUNDS),
);

const severitySchema = z.enum(PROMETHEUS_SEVERITIES, {
  error: `one of ${PROMETHEUS_SEVERITIES.join(', ')} (the alert is routed like an alarm of that severity)`,
});

function nameSchema(pattern: RegExp, rule: string): z.ZodType<string, string> {
  return textSchema(rule, (text) =>
    text.length <= PROMETHEUS_LIMITS.nameLength.max && pattern.test(text) ? undefined : rule,
  );
}

const KEY_RULE = 'letters, digits and underscores, starting with a letter or underscore, not with __ (reserved)';
function keyProblem(key: string): string | undefined {
  return LABEL_NAME_PATTERN.test(key) && !key.startsWith('__') && key.length <= PROMETHEUS_LIMITS.nameLength.max
    ? undefined
    : `a key of ${KEY_RULE}`;
}

function mapSchema(what: string, maxLength: number, reserved: Readonly<Record<string, string>>) {
  return z
    .record(
      z.string(),
      z.string({ error: `a text ${what} value` }).max(maxLength, { error: `at most ${maxLength} characters` }),
    )
    .superRefine(
      (map, ctx) => {
        if (map === null || typeof map !== 'object') return;
        const keys = Object.keys(map);
        if (keys.length > PROMETHEUS_LIMITS.labels.max) {
          ctx.addIssue({ code: 'custom', input: keys, message: `at most ${PROMETHEUS_LIMITS.labels.max} ${what}s` });
        }
        for (const key of keys) {
          const problem = reserved[key] ?? keyProblem(key);
          if (problem) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              input: key,
              message: reserved[key] ? `a key the platform sets: ${problem}` : problem,
            });
          }
        }
      },
      { when: () => true },
    );
}

const ruleSchema = z
  .strictObject({
    alert: nameSchema(
      LABEL_NAME_PATTERN,
      `an alert name of at most ${PROMETHEUS_LIMITS.nameLength.max} letters, digits and underscores, starting with a letter, such as QueueBacklogGrowing`,
    ).optional(),
    record: nameSchema(
      METRIC_NAME_PATTERN,
      `a metric name of at most ${PROMETHEUS_LIMITS.nameLength.max} letters, digits, underscores and colons, such as namespace:http_requests:rate5m`,
    ).optional(),
    expr: textSchema('a PromQL expression', promqlProblem),
    for: forSchema.optional(),
    severity: severitySchema.optional(),
    summary: z
      .string({ error: 'one line saying what is wrong' })
      .trim()
      .min(1, { error: 'one line saying what is wrong' })
      .max(PROMETHEUS_LIMITS.valueLength.max, {
        error: `one line of at most ${PROMETHEUS_LIMITS.valueLength.max} characters`,
      })
      .optional(),
    labels: mapSchema('label', PROMETHEUS_LIMITS.valueLength.max, RESERVED_LABELS).optional(),
    annotations: mapSchema('annotation', PROMETHEUS_LIMITS.annotationLength.max, {
      summary: 'set summary on the rule instead',
    }).optional(),
  })
  // Judged on the raw entry, so that a rule with a bad field also hears what else it lacks.
  .superRefine(
    (raw, ctx) => {
      if (raw === null || typeof raw !== 'object') return;
      const rule = raw as Record<string, unknown>;
      const has = (field: string): boolean => rule[field] !== undefined;
      if (has('alert') && has('record')) {
        ctx.addIssue({
          code: 'custom',
          path: ['record'],
          input: rule.record,
          message: 'either alert or record, not both: a rule raises an alert or records a series',
        });
      } else if (!has('alert') && !has('record')) {
        ctx.addIssue({
          code: 'custom',
          path: ['alert'],
          input: undefined,
          message: 'an alert name (an alert rule) or a record name (a recording rule)',
        });
      }
      if (has('alert') && !has('record')) {
        if (!has('severity')) {
          ctx.addIssue({
            code: 'custom',
            path: ['severity'],
            input: undefined,
            message: `required for an alert rule: one of ${PROMETHEUS_SEVERITIES.join(', ')}`,
          });
        }
        if (!has('summary')) {
          ctx.addIssue({
            code: 'custom',
            path: ['summary'],
            input: undefined,
            message: 'required for an alert rule: one line saying what is wrong',
          });
        }
      }
      if (has('record') && !has('alert')) {
        for (const field of ['for', 'severity', 'summary', 'annotations']) {
          if (has(field)) {
            ctx.addIssue({
              code: 'custom',
              path: [field],
              input: rule[field],
              message: `only alert rules take ${field}; a recording rule takes record, expr and labels`,
            });
          }
        }
      }
    },
    { when: () => true },
  );

const REASON_RULE = `a reason of ${PROMETHEUS_LIMITS.reason.min}-${PROMETHEUS_LIMITS.reason.max} characters saying why nobody needs it`;

const defaultOverrideSchema = z
  .strictObject({
    enabled: z
      .literal(false, { error: 'false to switch the rule off (with a reason); leave it out to keep the rule on' })
      .optional(),
    reason: z.string({ error: REASON_RULE }).optional(),
    for: forSchema.optional(),
  })
  .superRefine(
    (raw, ctx) => {
      if (raw === null || typeof raw !== 'object') return;
      const override = raw as Record<string, unknown>;
      if (override.enabled === false) {
        const reason = typeof override.reason === 'string' ? override.reason.trim() : '';
        if (reason.length < PROMETHEUS_LIMITS.reason.min || reason.length > PROMETHEUS_LIMITS.reason.max) {
          ctx.addIssue({ code: 'custom', path: ['reason'], input: override.reason, message: REASON_RULE });
        }
        if (override.for !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['for'],
            input: override.for,
            message: 'nothing else for a rule switched off (enabled: false)',
          });
        }
      } else if (override.reason !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['reason'],
          input: override.reason,
          message: 'only with enabled: false: the reason says why a rule is switched off',
        });
      }
    },
    { when: () => true },
  );

const KNOWN_DEFAULTS = `the default rules are ${DEFAULT_PROMETHEUS_RULE_IDS.join(', ')} (the alarms ${KUBERNETES_PROMETHEUS_ALARMS.map(kubernetesAlarmId).join(', ')} are tuned under monitoring.alarms)`;

/** The tier defaults of the `prometheus` section. */
export interface PrometheusDefaults {
  /** How often rules are evaluated, as a Prometheus duration. */
  readonly interval: string;
}

/**
 * Where each of the environment's own rules sits in the spec (the resolved list starts with the default rules), so
 * that a problem names the rule as the spec lists it.
 */
const RULE_POSITIONS = new WeakMap<PrometheusRuleSpec, number>();

/**
 * The `prometheus` section: managed Prometheus for the environment's cluster (Amazon Managed Service for
 * Prometheus, Azure Monitor managed service for Prometheus), on by default with a cluster, and the rules it
 * evaluates: the Kubernetes alarms' rules (tuned under `monitoring.alarms`), the default rules (tuned under
 * `defaults`) and the environment's own alert and recording rules, in PromQL checked before anything deploys.
 */
export const prometheusSection = defineSection({
  schema: z
    .strictObject({
      interval: textSchema('a Prometheus duration such as 1m', (text) =>
        prometheusDurationProblem(text, INTERVAL_BOUNDS),
      ).optional(),
      rules: z
        .array(ruleSchema, { error: 'a list of alert and recording rules' })
        .max(PROMETHEUS_LIMITS.rules.max, { error: `at most ${PROMETHEUS_LIMITS.rules.max} rules` })
        .optional(),
      defaults: z
        .record(z.string(), defaultOverrideSchema)
        .superRefine(
          (raw, ctx) => {
            if (raw === null || typeof raw !== 'object') return;
            for (const id of Object.keys(raw)) {
              if (!DEFAULT_PROMETHEUS_RULE_IDS.includes(id)) {
                ctx.addIssue({
                  code: 'custom',
                  path: [id],
                  input: id,
                  message: `no default rule has this id; ${KNOWN_DEFAULTS}`,
                });
              }
            }
          },
          { when: () => true },
        )
        .optional(),
    })
    .optional(),
  // The valid rules are checked even when another rule is invalid, so that one run reports every problem.
  partial: true,
  defaults: {
    development: { interval: '1m' },
    production: { interval: '1m' },
  } satisfies Record<string, PrometheusDefaults>,
  resolve: (input, { name, defaults, sections }): PrometheusSpec | undefined => {
    const kubernetes = sections.kubernetes as KubernetesSpec | undefined;
    // On by default with a cluster; without one, a prometheus section is resolved only to be reported.
    if (input === undefined && kubernetes === undefined) return undefined;
    const monitoring = sections.monitoring as MonitoringSpec | undefined;
    const alarms = kubernetesAlarmRules(
      tuneKubernetesAlarms(name, monitoring ?? { alarms: {}, routing: { critical: [], warning: [] } }),
    );
    const overrides = Object.fromEntries(
      Object.entries(input?.defaults ?? {}).filter(([id]) => DEFAULT_PROMETHEUS_RULE_IDS.includes(id)),
    );
    const builtIn = defaultPrometheusRules(overrides);
    const own: PrometheusRuleSpec[] = [];
    // A partly valid list has holes where its invalid entries were: forEach skips them.
    input?.rules?.forEach((rule, i) => {
      const resolved: PrometheusRuleSpec =
        rule.alert !== undefined
          ? {
              kind: 'alert',
              name: rule.alert,
              expr: rule.expr,
              for: rule.for ?? '0s',
              severity: rule.severity ?? 'warning',
              summary: rule.summary ?? '',
              labels: { ...rule.labels },
              annotations: { ...rule.annotations },
            }
          : { kind: 'record', name: rule.record ?? '', expr: rule.expr, labels: { ...rule.labels } };
      RULE_POSITIONS.set(resolved, i);
      own.push(resolved);
    });
    return {
      interval: input?.interval ?? defaults.interval,
      rules: [...alarms, ...builtIn.rules, ...own],
      disabledDefaults: builtIn.disabled,
    };
  },
  check: (spec, env, report) => {
    if (spec === undefined) return;
    // The kubernetes section is resolved to undefined when left out; it is missing when it did not parse.
    if ('kubernetes' in env.sections && env.sections.kubernetes === undefined) {
      report(
        'prometheus',
        '(a prometheus section)',
        'a kubernetes section too: managed Prometheus scrapes and alerts on the environment cluster; add kubernetes, or remove prometheus',
      );
    }
    const seen = new Map<string, string>();
    for (const rule of spec.rules) {
      const index = RULE_POSITIONS.get(rule);
      const where =
        index === undefined
          ? `the default rule ${rule.name}${rule.labels.alarm ? ` (alarm ${rule.labels.alarm}, under monitoring.alarms)` : ''}`
          : `prometheus.rules[${index}]`;
      const first = seen.get(rule.name);
      if (first === undefined) seen.set(rule.name, where);
      else if (index !== undefined) {
        report(
          `${where}.${rule.kind === 'alert' ? 'alert' : 'record'}`,
          rule.name,
          `a name no other rule has (${first} has it)`,
        );
      }
    }
  },
});
