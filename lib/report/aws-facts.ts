import { parse as parseYaml } from 'yaml';
import { CHANGE_ACKNOWLEDGEMENT_KEY } from '../core/change-acknowledgement';
import { exportsOf, referencedIds } from '../review/aws-references';
import { compare, constructPathOf, isObject, resourcesOf, type JsonObject } from '../review/aws-template';
import type { SynthesizedStack } from '../review/outputs';
import {
  changeAcknowledgements,
  duration,
  object,
  objects,
  parseDescription,
  prometheusAlarm,
  scheduleWords,
  scriptUrl,
  stringRecord,
  text,
  type PrometheusRule,
} from './fact-text';
import type { Acknowledgement, AlarmFact, BackupFact, CheckFact, CloudFacts } from './model';

/** The template Metadata key where the AWS guardrails record the tier, the packs and stack-level acknowledgements. */
const POLICY_METADATA_KEY = 'PlatformConstructs';

/** The resource Metadata key of the wildcard grants accepted one by one (lib/aws acknowledgeWildcardGrant). */
const WILDCARD_GRANTS_KEY = 'platform:wildcard-grants';

const OPERATORS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** An SNS topic: its name and its subscriptions (`email a@b`). */
interface Topic {
  readonly name: string;
  readonly endpoints: string[];
}

/** One resource of one stack. */
interface Located {
  readonly stack: SynthesizedStack;
  readonly id: string;
  readonly type: string;
  readonly props: JsonObject;
  readonly metadata: JsonObject;
}

/** What the AWS facts are read with: every resource of the environment, its exports, topics and labels. */
class AwsOutput {
  public readonly resources: Located[] = [];
  private readonly exported = new Map<string, string>();
  private readonly byKey = new Map<string, Located>();
  private readonly topics = new Map<string, Topic>();
  private readonly topicsByName = new Map<string, Topic>();

  constructor(public readonly stacks: readonly SynthesizedStack[]) {
    for (const stack of stacks) {
      const template = stack.json as JsonObject;
      for (const [name, entry] of exportsOf(template)) {
        const [id] = referencedIds(entry.value);
        if (id !== undefined) this.exported.set(name, `${stack.stack}/${id}`);
      }
      for (const [id, resource] of Object.entries(resourcesOf(template))) {
        const located: Located = {
          stack,
          id,
          type: resource.Type,
          props: object(resource.Properties),
          metadata: object(resource.Metadata),
        };
        this.resources.push(located);
        this.byKey.set(`${stack.stack}/${id}`, located);
        if (resource.Type === 'AWS::SNS::Topic') {
          const topic: Topic = { name: text(located.props.TopicName ?? id), endpoints: [] };
          this.topics.set(`${stack.stack}/${id}`, topic);
          this.topicsByName.set(topic.name, topic);
        }
      }
    }
    for (const subscription of this.ofType('AWS::SNS::Subscription')) {
      const topic = this.topicOf(subscription.stack, subscription.props.TopicArn);
      topic?.endpoints.push(
        `${text(subscription.props.Protocol)} ${this.tokenText(subscription.stack, subscription.props.Endpoint)}`,
      );
    }
  }

  /** The resources of a type, in stack and logical ID order. */
  public ofType(type: string): Located[] {
    return this.resources.filter((r) => r.type === type);
  }

  /**
   * The resource a value points at: `Ref` / `Fn::GetAtt` in its own stack, or `Fn::ImportValue` followed to the
   * exporting stack's output.
   */
  public target(stack: SynthesizedStack, value: unknown): Located | undefined {
    if (isObject(value) && typeof value['Fn::ImportValue'] === 'string') {
      const key = this.exported.get(value['Fn::ImportValue']);
      return key === undefined ? undefined : this.byKey.get(key);
    }
    const [id] = referencedIds(value);
    return id === undefined ? undefined : this.byKey.get(`${stack.stack}/${id}`);
  }

  /** The topic a value points at: by reference, by import, or by a literal ARN's name. */
  public topicOf(stack: SynthesizedStack, value: unknown): Topic | undefined {
    const target = this.target(stack, value);
    if (target) return this.topics.get(`${target.stack.stack}/${target.id}`);
    const arn = this.tokenText(stack, value);
    return /^arn:[^:]*:sns:/.test(arn) ? this.topicsByName.get(arn.split(':').pop()!) : undefined;
  }

  /** A topic as text: its name and its endpoints. */
  public static topicText(topic: Topic): string {
    const endpoints = [...topic.endpoints].sort(compare);
    return endpoints.length > 0 ? `${topic.name} (${endpoints.join(', ')})` : topic.name;
  }

  /** A resource's name for people: its construct path inside its stack (`Services/api/LoadBalancer`), or its ID. */
  public label(stack: SynthesizedStack, id: string): string {
    const resource = this.byKey.get(`${stack.stack}/${id}`);
    const path = resource ? constructPathOf({ Metadata: resource.metadata }) : undefined;
    if (path === undefined) return id;
    return (
      path
        .split('/')
        .slice(2)
        .join('/')
        .replace(/\/(Resource|Default)$/, '') || id
    );
  }

  /**
   * A value as text with its deploy-time parts named: `Fn::Join` joined, `Ref` / `Fn::GetAtt` written as
   * `<Services/api/LoadBalancer.DNSName>`, pseudo parameters as `<AWS::Region>`.
   */
  public tokenText(stack: SynthesizedStack, value: unknown): string {
    if (!isObject(value))
      return Array.isArray(value) ? value.map((v) => this.tokenText(stack, v)).join(', ') : text(value);
    const [key] = Object.keys(value);
    const arg = key === undefined ? undefined : value[key];
    if (key === 'Ref' && typeof arg === 'string')
      return arg.startsWith('AWS::') ? `<${arg}>` : `<${this.label(stack, arg)}>`;
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg.map(text) : text(arg).split('.');
      return `<${this.label(stack, id ?? '?')}.${attribute ?? '?'}>`;
    }
    if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1]))
      return arg[1].map((part) => this.tokenText(stack, part)).join(text(arg[0]));
    if (key === 'Fn::Sub') return text(Array.isArray(arg) ? arg[0] : arg);
    if (key === 'Fn::ImportValue') {
      const target = this.target(stack, value);
      return target ? `<${this.label(target.stack, target.id)}>` : `<import ${text(arg)}>`;
    }
    return JSON.stringify(value);
  }
}

/**
 * The alarms, checks, backup plans and acknowledgements of one environment's CloudFormation templates, unsorted
 * (`factsOf` in facts.ts sorts them).
 */
export function awsFacts(stacks: readonly SynthesizedStack[]): CloudFacts {
  const output = new AwsOutput(stacks.filter((s) => s.cloud === 'aws'));
  return {
    alarms: [
      ...output.ofType('AWS::CloudWatch::Alarm').map((r) => metricAlarm(output, r)),
      ...output.ofType('AWS::CloudWatch::CompositeAlarm').map((r) => compositeAlarm(output, r)),
      ...output.ofType('AWS::APS::RuleGroupsNamespace').flatMap((r) => prometheusAlarms(output, r)),
    ],
    checks: output.ofType('AWS::Synthetics::Canary').map((r) => canary(output, r)),
    backup: output.ofType('AWS::Backup::BackupPlan').map((r) => backupPlan(output, r)),
    acknowledgements: acknowledgements(output),
  };
}

/** Where an alarm action leads: a topic with its endpoints, or what an EC2 action does to the instance. */
function route(output: AwsOutput, stack: SynthesizedStack, action: unknown): string {
  const topic = output.topicOf(stack, action);
  if (topic) return AwsOutput.topicText(topic);
  const arn = output.tokenText(stack, action);
  const ec2 = /:automate:[^:]*:ec2:(recover|stop|terminate|reboot)$/.exec(arn);
  if (ec2) return ec2[1] === 'recover' ? 'recovers the instance' : `${ec2[1]}s the instance`;
  return arn;
}

function described(props: JsonObject): Pick<AlarmFact, 'severity' | 'description' | 'firstResponse'> {
  const parsed = parseDescription(text(props.AlarmDescription ?? ''));
  return {
    severity: parsed.severity ?? 'unknown',
    description: parsed.text,
    ...(parsed.firstResponse ? { firstResponse: parsed.firstResponse } : {}),
  };
}

function metricAlarm(output: AwsOutput, { stack, id, props }: Located): AlarmFact {
  let measures: string;
  let period = typeof props.Period === 'number' ? props.Period : undefined;
  const metricText = (metric: JsonObject, statistic: unknown): string =>
    `${text(metric.Namespace)} ${text(metric.MetricName)}${statistic === undefined ? '' : ` (${text(statistic)})`}`;
  if (typeof props.MetricName === 'string') {
    measures = metricText(props, props.Statistic ?? props.ExtendedStatistic);
  } else {
    const metrics = objects(props.Metrics);
    const returned = metrics.find((m) => m.ReturnData !== false) ?? metrics[0] ?? {};
    const stats = metrics.map((m) => object(m.MetricStat)).filter((s) => isObject(s.Metric));
    period ??= stats.map((s) => s.Period).find((p): p is number => typeof p === 'number');
    const sources = [...new Set(stats.map((s) => metricText(object(s.Metric), s.Stat)))].sort(compare);
    const head = text(returned.Label ?? returned.Expression ?? 'metric math');
    measures =
      sources.length > 0 && isObject(returned.MetricStat) === false ? `${head}, from ${sources.join(', ')}` : head;
  }
  const operator = OPERATORS[text(props.ComparisonOperator)] ?? text(props.ComparisonOperator);
  const evaluation = typeof props.EvaluationPeriods === 'number' ? props.EvaluationPeriods : 1;
  const datapoints = typeof props.DatapointsToAlarm === 'number' ? props.DatapointsToAlarm : evaluation;
  const periods =
    evaluation === 1 && datapoints === 1
      ? `in 1 period${period === undefined ? '' : ` of ${duration(period)}`}`
      : `in ${datapoints} of ${evaluation} periods${period === undefined ? '' : ` of ${duration(period)}`}`;
  const limit = props.Threshold === undefined ? text(props.ThresholdMetricId ?? '') : text(props.Threshold);
  return {
    id: text(props.AlarmName ?? id),
    measures,
    threshold: `${operator} ${limit} ${periods}`.replace(/\s+/g, ' ').trim(),
    ...described(props),
    routedTo: (Array.isArray(props.AlarmActions) ? props.AlarmActions : []).map((a) => route(output, stack, a)),
    resource: `${stack.stack}/${id}`,
  };
}

function compositeAlarm(output: AwsOutput, { stack, id, props }: Located): AlarmFact {
  return {
    id: text(props.AlarmName ?? id),
    measures: `composite: ${output.tokenText(stack, props.AlarmRule)}`,
    threshold: 'when the rule holds',
    ...described(props),
    routedTo: (Array.isArray(props.AlarmActions) ? props.AlarmActions : []).map((a) => route(output, stack, a)),
    resource: `${stack.stack}/${id}`,
  };
}

/** YAML text parsed, or nothing when it does not parse. */
function yamlOf(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return parseYaml(value) as unknown;
  } catch {
    return undefined;
  }
}

/** The receiver Alertmanager routes an alert with these labels to: the first matching child route, or the root's. */
function receiverOf(route: JsonObject, labels: Readonly<Record<string, string>>): string | undefined {
  for (const child of objects(route.routes)) {
    const matchers = Array.isArray(child.matchers) ? child.matchers.map(text) : [];
    const legacy = Object.entries(stringRecord(child.match)).map(([k, v]) => `${k}="${v}"`);
    const all = [...matchers, ...legacy];
    const matches = all.every((matcher) => {
      const m = /^\s*([\w]+)\s*(!?=)\s*"?([^"]*)"?\s*$/.exec(matcher);
      if (!m) return false;
      return m[2] === '=' ? labels[m[1]!] === m[3] : labels[m[1]!] !== m[3];
    });
    if (all.length > 0 && matches) return receiverOf(child, labels) ?? text(child.receiver);
  }
  return typeof route.receiver === 'string' ? route.receiver : undefined;
}

function prometheusAlarms(output: AwsOutput, { stack, id, props }: Located): AlarmFact[] {
  const workspace = output.target(stack, props.Workspace);
  const definition = object(yamlOf(workspace?.props.AlertManagerDefinition));
  const config = object(yamlOf(definition.alertmanager_config));
  const receivers = new Map(objects(config.receivers).map((r) => [text(r.name), r]));
  const routeOf = (labels: Readonly<Record<string, string>>): string[] => {
    const name = receiverOf(object(config.route), labels);
    const receiver = name === undefined ? undefined : receivers.get(name);
    if (!receiver) return name === undefined ? [] : [name];
    return objects(receiver.sns_configs).map((sns) => {
      const topic = output.topicOf(stack, sns.topic_arn);
      return topic ? AwsOutput.topicText(topic) : text(sns.topic_arn);
    });
  };
  return objects(object(yamlOf(props.Data)).groups).flatMap((group) =>
    objects(group.rules)
      .filter((rule) => typeof rule.alert === 'string')
      .map((rule) => {
        const parsed: PrometheusRule = {
          alert: text(rule.alert),
          expression: text(rule.expr),
          ...(rule.for === undefined ? {} : { for: text(rule.for) }),
          labels: stringRecord(rule.labels),
          annotations: stringRecord(rule.annotations),
        };
        return prometheusAlarm(text(group.name), parsed, routeOf(parsed.labels), `${stack.stack}/${id}`);
      }),
  );
}

function canary(output: AwsOutput, { stack, id, props }: Located): CheckFact {
  const code = object(props.Code);
  const script = output.tokenText(stack, code.Script ?? '');
  const variables = Object.values(object(object(props.RunConfig).EnvironmentVariables)).map((v) =>
    output.tokenText(stack, v),
  );
  const target = scriptUrl(script) ?? variables.find((v) => /^https?:\/\//.test(v)) ?? '?';
  return {
    name: text(props.Name ?? id),
    kind: 'canary',
    target,
    schedule: scheduleWords(text(object(props.Schedule).Expression ?? '?')),
  };
}

/** `arn:aws:backup:eu-central-1:1111:backup-vault:name` → `name in eu-central-1`. */
function vaultArnText(arn: string): string {
  const parts = arn.split(':');
  return parts.length >= 7 && parts[2] === 'backup' ? `${parts[6]} in ${parts[3]}` : arn;
}

/** Tag conditions of a backup or restore-test selection, in words. */
function conditionsText(conditions: unknown, keyField: string, valueField: string): string[] {
  return Object.entries(object(conditions)).flatMap(([operator, entries]) =>
    objects(entries).map((c) => {
      const key = text(c[keyField]).replace(/^aws:ResourceTag\//, '');
      const verb = operator === 'StringEquals' ? '=' : operator === 'StringNotEquals' ? '≠' : ` ${operator} `;
      return `resources tagged ${key}${verb}${text(c[valueField])}`;
    }),
  );
}

function backupPlan(output: AwsOutput, { stack, id, props }: Located): BackupFact {
  const plan = object(props.BackupPlan);
  const rules = objects(plan.BackupPlanRule);
  const vaults = rules.map((rule) => {
    const target = output.target(stack, rule.TargetBackupVault);
    if (target) return target;
    const name = output.tokenText(stack, rule.TargetBackupVault);
    return output.ofType('AWS::Backup::BackupVault').find((v) => text(v.props.BackupVaultName) === name);
  });
  const vault = vaults.find((v) => v !== undefined);
  const lock = vault ? object(vault.props.LockConfiguration) : {};
  const selections = output
    .ofType('AWS::Backup::BackupSelection')
    .filter((s) => output.target(s.stack, s.props.BackupPlanId) === output.target(stack, { Ref: id }))
    .map((s) => {
      const selection = object(s.props.BackupSelection);
      return [
        ...objects(selection.ListOfTags).map(
          (t) => `resources tagged ${text(t.ConditionKey)}=${text(t.ConditionValue)}`,
        ),
        ...conditionsText(selection.Conditions, 'ConditionKey', 'ConditionValue'),
        ...(Array.isArray(selection.Resources) ? selection.Resources.map((r) => output.tokenText(s.stack, r)) : []),
        ...(Array.isArray(selection.NotResources)
          ? selection.NotResources.map((r) => `except ${output.tokenText(s.stack, r)}`)
          : []),
      ].join(', ');
    });
  const restoreTests = vault
    ? output
        .ofType('AWS::Backup::RestoreTestingPlan')
        .filter((p) => {
          const include = object(p.props.RecoveryPointSelection).IncludeVaults;
          return Array.isArray(include) && include.some((v) => output.target(p.stack, v) === vault);
        })
        .map((p) => {
          const what = output
            .ofType('AWS::Backup::RestoreTestingSelection')
            .filter((s) => output.target(s.stack, s.props.RestoreTestingPlanName) === p)
            .map((s) =>
              [
                text(s.props.ProtectedResourceType),
                ...conditionsText(s.props.ProtectedResourceConditions, 'Key', 'Value'),
              ].join(' '),
            );
          const window = object(p.props.RecoveryPointSelection).SelectionWindowDays;
          return `${scheduleWords(text(p.props.ScheduleExpression), text(p.props.ScheduleExpressionTimezone ?? '') || 'UTC')}: restores ${what.join('; ') || 'its selection'}${window === undefined ? '' : ` from the last ${text(window)} days`}`;
        })
    : [];
  return {
    plan: text(plan.BackupPlanName ?? id),
    rules: rules.map((rule) => {
      const lifecycle = object(rule.Lifecycle);
      const copyTo = objects(rule.CopyActions)
        .map((c) => {
          const keep = object(c.Lifecycle).DeleteAfterDays;
          return `${vaultArnText(output.tokenText(stack, c.DestinationBackupVaultArn))}${keep === undefined ? '' : `, kept ${text(keep)} days`}`;
        })
        .join('; ');
      return {
        name: text(rule.RuleName),
        schedule: scheduleWords(
          text(rule.ScheduleExpression ?? '?'),
          text(rule.ScheduleExpressionTimezone ?? '') || 'UTC',
        ),
        retention:
          lifecycle.DeleteAfterDays === undefined ? 'kept until deleted' : `${text(lifecycle.DeleteAfterDays)} days`,
        ...(lifecycle.MoveToColdStorageAfterDays === undefined
          ? {}
          : { coldAfter: `${text(lifecycle.MoveToColdStorageAfterDays)} days` }),
        ...(copyTo ? { copyTo } : {}),
      };
    }),
    vault: vault ? text(vault.props.BackupVaultName ?? vault.id) : output.tokenText(stack, rules[0]?.TargetBackupVault),
    ...(vault && isObject(vault.props.LockConfiguration)
      ? {
          lock: `vault lock: recovery points kept ${text(lock.MinRetentionDays ?? 0)} to ${text(lock.MaxRetentionDays ?? '∞')} days, ${
            lock.ChangeableForDays === undefined
              ? 'governance mode (removable with permission)'
              : `compliance mode (immutable ${text(lock.ChangeableForDays)} days after creation)`
          }`,
        }
      : {}),
    selection: selections.join('; ') || 'nothing selected',
    ...(restoreTests.length > 0 ? { restoreTest: restoreTests.join('; ') } : {}),
  };
}

function acknowledgements(output: AwsOutput): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const stack of output.stacks) {
    const metadata = object(stack.json.Metadata);
    for (const [rule, reason] of Object.entries(object(object(metadata[POLICY_METADATA_KEY]).Acknowledged)))
      found.push({ kind: 'guardrail', rule, resource: stack.stack, reason: text(reason) });
    for (const entry of changeAcknowledgements(metadata[CHANGE_ACKNOWLEDGEMENT_KEY])) {
      const resource = entry.resource === undefined ? stack.stack : `${stack.stack}/${entry.resource} (removed)`;
      found.push({ kind: 'change', rule: entry.risk, resource, reason: entry.reason });
    }
  }
  for (const { stack, id, metadata } of output.resources) {
    const resource = `${stack.stack}/${id}`;
    for (const rule of objects(object(metadata.cdk_nag).rules_to_suppress)) {
      if (typeof rule.id !== 'string') continue;
      const appliesTo = Array.isArray(rule.applies_to) ? ` (${rule.applies_to.map(text).join(', ')})` : '';
      found.push({ kind: 'guardrail', rule: `${rule.id}${appliesTo}`, resource, reason: text(rule.reason) });
    }
    for (const grant of objects(metadata[WILDCARD_GRANTS_KEY])) {
      const actions = Array.isArray(grant.actions) ? grant.actions.map(text).join(', ') : '';
      found.push({
        kind: 'guardrail',
        rule: `Platform-WildcardGrant (${actions})`,
        resource,
        reason: text(grant.reason),
      });
    }
    for (const entry of changeAcknowledgements(metadata[CHANGE_ACKNOWLEDGEMENT_KEY]))
      found.push({ kind: 'change', rule: entry.risk, resource, reason: entry.reason });
  }
  return found;
}
