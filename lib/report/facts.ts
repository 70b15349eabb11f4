import { CHANGE_ACKNOWLEDGEMENT_KEY } from '../core/change-acknowledgement';
import { exportsOf, referencedIds } from '../review/aws-references';
import { compare, isObject, resourcesOf, type JsonObject } from '../review/aws-template';
import { referencedAddresses } from '../review/azure-paths';
import type { SynthesizedStack } from '../review/outputs';
import type { Acknowledgement, AlarmFact, BackupFact, CheckFact } from './model';

/** What a report lists of one environment on one cloud, besides its diagram. */
export interface CloudFacts {
  /** Every alarm, by name. */
  readonly alarms: readonly AlarmFact[];
  /** Every synthetic check, by name. */
  readonly checks: readonly CheckFact[];
  /** Every backup plan or policy, by name. */
  readonly backup: readonly BackupFact[];
  /** Every acknowledgement in the output, with its reason, by resource. */
  readonly acknowledgements: readonly Acknowledgement[];
}

/**
 * The alarms, checks, backup plans and acknowledgements of one environment's stacks on one cloud, read from the
 * synthesized output alone: what is deployed, not what the spec meant.
 */
export function factsOf(stacks: readonly SynthesizedStack[], cloud: 'aws' | 'azure'): CloudFacts {
  const mine = stacks.filter((s) => s.cloud === cloud);
  const facts = cloud === 'aws' ? awsFacts(mine) : azureFacts(mine);
  return {
    alarms: [...facts.alarms].sort((a, b) => compare(a.id, b.id)),
    checks: [...facts.checks].sort((a, b) => compare(a.name, b.name)),
    backup: [...facts.backup].sort((a, b) => compare(a.plan, b.plan)),
    acknowledgements: [...facts.acknowledgements].sort(
      (a, b) => compare(a.resource, b.resource) || compare(a.rule, b.rule) || compare(a.reason, b.reason),
    ),
  };
}

/** `[critical] What it means. First response: what to do.` as the alarm registry writes descriptions. */
export function parseDescription(description: string): { severity?: string; text: string; firstResponse?: string } {
  const match = /^\[([a-z]+)\]\s*([\s\S]*?)(?:\s*First response:\s*([\s\S]*))?$/.exec(description.trim());
  if (!match) return { text: description.trim() };
  return {
    severity: match[1]!,
    text: match[2]!.trim(),
    ...(match[3] ? { firstResponse: match[3].trim() } : {}),
  };
}

const AWS_OPERATORS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** `300` seconds → `5 min`. */
export function duration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** ISO 8601 `PT5M` → `5 min`. */
function isoDuration(value: unknown): string {
  if (typeof value !== 'string') return '?';
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match) return value;
  const [, d, h, m, s] = match.map((part) => Number(part ?? 0));
  return duration((d ?? 0) * 86400 + (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0));
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function awsFacts(stacks: readonly SynthesizedStack[]): CloudFacts {
  const alarms: AlarmFact[] = [];
  const checks: CheckFact[] = [];
  const backup: BackupFact[] = [];
  const acknowledgements: Acknowledgement[] = [];
  // Topics and their subscriptions, by stack/logical ID; exports resolved to stack/logical ID.
  const exported = new Map<string, string>();
  const topics = new Map<string, { name: string; endpoints: string[] }>();
  for (const stack of stacks) {
    const template = stack.json as JsonObject;
    const resources = resourcesOf(template);
    for (const [name, entry] of exportsOf(template)) {
      const [id] = referencedIds(entry.value);
      if (id !== undefined) exported.set(name, `${stack.stack}/${id}`);
    }
    for (const [id, resource] of Object.entries(resources)) {
      const props = isObject(resource.Properties) ? resource.Properties : {};
      if (resource.Type === 'AWS::SNS::Topic')
        topics.set(`${stack.stack}/${id}`, { name: text(props.TopicName ?? id), endpoints: [] });
    }
    for (const resource of Object.values(resources)) {
      const props = isObject(resource.Properties) ? resource.Properties : {};
      if (resource.Type !== 'AWS::SNS::Subscription') continue;
      const [topic] = referencedIds(props.TopicArn);
      const entry = topic === undefined ? undefined : topics.get(`${stack.stack}/${topic}`);
      entry?.endpoints.push(`${text(props.Protocol)} ${text(props.Endpoint)}`);
    }
  }
  const routeOf = (stack: string, action: unknown): string => {
    if (typeof action === 'string') {
      if (/:automate:[^:]*:ec2:recover$/.test(action)) return 'recovers the instance';
      if (/:automate:[^:]*:ec2:(stop|terminate|reboot)$/.test(action))
        return `${action.split(':').pop()}s the instance`;
      return action;
    }
    let key: string | undefined;
    if (isObject(action) && typeof action['Fn::ImportValue'] === 'string')
      key = exported.get(action['Fn::ImportValue']);
    else {
      const [id] = referencedIds(action);
      if (id !== undefined) key = `${stack}/${id}`;
    }
    const topic = key === undefined ? undefined : topics.get(key);
    if (!topic) return text(action);
    const endpoints = [...topic.endpoints].sort(compare);
    return endpoints.length > 0 ? `${topic.name} (${endpoints.join(', ')})` : topic.name;
  };

  for (const stack of stacks) {
    const template = stack.json as JsonObject;
    const resources = resourcesOf(template);
    const stackMeta = isObject(template.Metadata) ? template.Metadata : {};
    const platform = isObject(stackMeta.PlatformConstructs) ? stackMeta.PlatformConstructs : {};
    if (isObject(platform.Acknowledged)) {
      for (const [rule, reason] of Object.entries(platform.Acknowledged))
        acknowledgements.push({ kind: 'guardrail', rule, resource: stack.stack, reason: text(reason) });
    }
    for (const entry of changeAcknowledgements(stackMeta[CHANGE_ACKNOWLEDGEMENT_KEY]))
      acknowledgements.push({ kind: 'change', rule: entry.risk, resource: stack.stack, reason: entry.reason });
    for (const [id, resource] of Object.entries(resources)) {
      const props = isObject(resource.Properties) ? resource.Properties : {};
      const where = `${stack.stack}/${id}`;
      const meta = isObject(resource.Metadata) ? resource.Metadata : {};
      const nag =
        isObject(meta.cdk_nag) && Array.isArray(meta.cdk_nag.rules_to_suppress) ? meta.cdk_nag.rules_to_suppress : [];
      for (const rule of nag) {
        if (isObject(rule) && typeof rule.id === 'string')
          acknowledgements.push({ kind: 'guardrail', rule: rule.id, resource: where, reason: text(rule.reason ?? '') });
      }
      const grants = Array.isArray(meta['platform:wildcard-grants']) ? meta['platform:wildcard-grants'] : [];
      for (const grant of grants) {
        if (!isObject(grant)) continue;
        const actions = Array.isArray(grant.actions) ? grant.actions.map(text).join(', ') : '';
        acknowledgements.push({
          kind: 'guardrail',
          rule: `Platform-WildcardGrant (${actions})`,
          resource: where,
          reason: text(grant.reason ?? ''),
        });
      }
      for (const entry of changeAcknowledgements(meta[CHANGE_ACKNOWLEDGEMENT_KEY]))
        acknowledgements.push({ kind: 'change', rule: entry.risk, resource: where, reason: entry.reason });

      if (resource.Type === 'AWS::CloudWatch::Alarm') alarms.push(awsAlarm(stack.stack, id, props, routeOf));
      if (resource.Type === 'AWS::CloudWatch::CompositeAlarm') alarms.push(awsAlarm(stack.stack, id, props, routeOf));
      if (resource.Type === 'AWS::Synthetics::Canary') {
        const schedule = isObject(props.Schedule) ? text(props.Schedule.Expression) : '?';
        const code = isObject(props.Code) ? JSON.stringify(props.Code) : '';
        const url = /https?:\/\/[^\s"'\\]+/.exec(code)?.[0];
        checks.push({ name: text(props.Name ?? id), kind: 'canary', target: url ?? text(props.Name ?? id), schedule });
      }
      if (resource.Type === 'AWS::Backup::BackupPlan') backup.push(awsBackup(stack.stack, id, props, stacks));
    }
  }
  return { alarms, checks, backup, acknowledgements };
}

function awsAlarm(
  stack: string,
  id: string,
  props: JsonObject,
  routeOf: (stack: string, action: unknown) => string,
): AlarmFact {
  const parsed = parseDescription(text(props.AlarmDescription ?? ''));
  let measures: string;
  let period = typeof props.Period === 'number' ? props.Period : undefined;
  if (typeof props.MetricName === 'string') {
    const statistic = text(props.Statistic ?? props.ExtendedStatistic ?? '');
    measures = `${text(props.Namespace ?? '')} ${props.MetricName}${statistic ? ` (${statistic})` : ''}`.trim();
  } else if (Array.isArray(props.Metrics)) {
    const metrics = props.Metrics.filter(isObject);
    const returned = metrics.find((m) => m.ReturnData !== false) ?? metrics[0];
    const stat = metrics.map((m) => m.MetricStat).find(isObject);
    if (stat && typeof stat.Period === 'number') period ??= stat.Period;
    const metric = stat && isObject(stat.Metric) ? stat.Metric : undefined;
    measures = text(
      returned?.Label ??
        returned?.Expression ??
        (metric ? `${text(metric.Namespace)} ${text(metric.MetricName)} (${text(stat?.Stat)})` : 'metric math'),
    );
  } else measures = text(props.AlarmRule ?? 'composite');
  const operator = AWS_OPERATORS[text(props.ComparisonOperator)] ?? text(props.ComparisonOperator ?? '');
  const evaluation = typeof props.EvaluationPeriods === 'number' ? props.EvaluationPeriods : 1;
  const datapoints = typeof props.DatapointsToAlarm === 'number' ? props.DatapointsToAlarm : evaluation;
  const window = period === undefined ? '' : ` × ${duration(period)}`;
  const threshold =
    props.Threshold === undefined
      ? operator || 'see the rule'
      : `${operator} ${text(props.Threshold)} in ${datapoints} of ${evaluation}${window}`;
  const actions = Array.isArray(props.AlarmActions) ? props.AlarmActions : [];
  return {
    id: text(props.AlarmName ?? id),
    measures,
    threshold,
    severity: parsed.severity ?? 'unknown',
    routedTo: actions.map((action) => routeOf(stack, action)),
    description: parsed.text,
    ...(parsed.firstResponse ? { firstResponse: parsed.firstResponse } : {}),
    resource: `${stack}/${id}`,
  };
}

function awsBackup(stack: string, id: string, props: JsonObject, stacks: readonly SynthesizedStack[]): BackupFact {
  const plan = isObject(props.BackupPlan) ? props.BackupPlan : {};
  const rules = Array.isArray(plan.BackupPlanRule) ? plan.BackupPlanRule.filter(isObject) : [];
  const resources = resourcesOf(stacks.find((s) => s.stack === stack)?.json as JsonObject);
  const vaultId = rules.map((r) => referencedIds(r.TargetBackupVault)[0]).find((v) => v !== undefined);
  const vault = vaultId === undefined ? undefined : resources[vaultId];
  const vaultProps = vault && isObject(vault.Properties) ? vault.Properties : {};
  const lock = isObject(vaultProps.LockConfiguration) ? vaultProps.LockConfiguration : undefined;
  const selections = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Backup::BackupSelection')
    .map((r) => (isObject(r.Properties) ? r.Properties : {}))
    .filter((p) => referencedIds(p.BackupPlanId).includes(id))
    .map((p) => {
      const selection = isObject(p.BackupSelection) ? p.BackupSelection : {};
      const tags = Array.isArray(selection.ListOfTags) ? selection.ListOfTags.filter(isObject) : [];
      const list = Array.isArray(selection.Resources) ? selection.Resources.map(text) : [];
      return [...tags.map((t) => `resources tagged ${text(t.ConditionKey)}=${text(t.ConditionValue)}`), ...list].join(
        ', ',
      );
    });
  return {
    plan: text(plan.BackupPlanName ?? id),
    rules: rules.map((rule) => {
      const lifecycle = isObject(rule.Lifecycle) ? rule.Lifecycle : {};
      const copies = Array.isArray(rule.CopyActions) ? rule.CopyActions.filter(isObject) : [];
      const copyTo = copies
        .map((c) => {
          const arn = text(c.DestinationBackupVaultArn);
          const region = arn.split(':')[3];
          const keep =
            isObject(c.Lifecycle) && c.Lifecycle.DeleteAfterDays !== undefined
              ? `, kept ${text(c.Lifecycle.DeleteAfterDays)} days`
              : '';
          return `${arn.split(':').pop()}${region ? ` in ${region}` : ''}${keep}`;
        })
        .join('; ');
      return {
        name: text(rule.RuleName),
        schedule: text(rule.ScheduleExpression ?? ''),
        retention:
          lifecycle.DeleteAfterDays === undefined ? 'kept until deleted' : `${text(lifecycle.DeleteAfterDays)} days`,
        ...(lifecycle.MoveToColdStorageAfterDays === undefined
          ? {}
          : { coldAfter: `${text(lifecycle.MoveToColdStorageAfterDays)} days` }),
        ...(copyTo ? { copyTo } : {}),
      };
    }),
    vault: text(vaultProps.BackupVaultName ?? vaultId ?? '?'),
    ...(lock
      ? {
          lock: `vault lock: kept ${text(lock.MinRetentionDays ?? '?')} to ${text(lock.MaxRetentionDays ?? '?')} days${
            lock.ChangeableForDays === undefined
              ? ' (governance)'
              : ` (compliance after ${text(lock.ChangeableForDays)} days)`
          }`,
        }
      : {}),
    selection: selections.join('; ') || 'no selection',
  };
}

function changeAcknowledgements(value: unknown): { risk: string; reason: string }[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isObject)
    .filter((entry) => typeof entry.risk === 'string' && typeof entry.reason === 'string')
    .map((entry) => ({ risk: entry.risk as string, reason: entry.reason as string }));
}

const AZURE_OPERATORS: Readonly<Record<string, string>> = {
  GreaterThan: '>',
  GreaterThanOrEqual: '≥',
  LessThan: '<',
  LessThanOrEqual: '≤',
  Equals: '=',
};

/** Azure severities 0 to 4, for an alert whose description carries no `[severity]`. */
const AZURE_SEVERITY = ['critical', 'error', 'warning', 'informational', 'verbose'];

function azureFacts(stacks: readonly SynthesizedStack[]): CloudFacts {
  const alarms: AlarmFact[] = [];
  const checks: CheckFact[] = [];
  const backup: BackupFact[] = [];
  const acknowledgements: Acknowledgement[] = [];
  for (const stack of stacks) {
    const byType = isObject(stack.json.resource) ? stack.json.resource : {};
    const body = (address: string): JsonObject | undefined => {
      const [type, name] = [address.slice(0, address.indexOf('.')), address.slice(address.indexOf('.') + 1)];
      const entries = byType[type];
      const found = isObject(entries) ? entries[name] : undefined;
      return isObject(found) ? found : undefined;
    };
    const groupOf = (reference: unknown): string => {
      const [address] = typeof reference === 'string' ? referencedAddresses(reference) : [];
      const group = address === undefined ? undefined : body(address);
      if (!group) return text(reference);
      const receivers = [
        ...(Array.isArray(group.email_receiver)
          ? group.email_receiver.filter(isObject).map((r) => `email ${text(r.email_address)}`)
          : []),
        ...(Array.isArray(group.webhook_receiver)
          ? group.webhook_receiver.filter(isObject).map((r) => `webhook ${text(r.service_uri)}`)
          : []),
        ...(Array.isArray(group.sms_receiver)
          ? group.sms_receiver.filter(isObject).map((r) => `sms ${text(r.phone_number)}`)
          : []),
      ].sort(compare);
      return receivers.length > 0 ? `${text(group.name)} (${receivers.join(', ')})` : text(group.name);
    };
    const stackMeta = isObject(stack.json['//']) ? stack.json['//'] : {};
    for (const entry of changeAcknowledgements(stackMeta[CHANGE_ACKNOWLEDGEMENT_KEY]))
      acknowledgements.push({ kind: 'change', rule: entry.risk, resource: stack.stack, reason: entry.reason });
    for (const [type, entries] of Object.entries(byType)) {
      if (!isObject(entries)) continue;
      for (const [name, resource] of Object.entries(entries)) {
        if (!isObject(resource)) continue;
        const where = `${stack.stack}/${type}.${name}`;
        const comment = isObject(resource['//']) ? resource['//'] : {};
        if (isObject(comment.acknowledged)) {
          for (const [rule, reason] of Object.entries(comment.acknowledged))
            acknowledgements.push({ kind: 'guardrail', rule, resource: where, reason: text(reason) });
        }
        for (const entry of changeAcknowledgements(comment[CHANGE_ACKNOWLEDGEMENT_KEY]))
          acknowledgements.push({ kind: 'change', rule: entry.risk, resource: where, reason: entry.reason });
        const alarm = azureAlarm(type, resource, groupOf);
        if (alarm) alarms.push({ ...alarm, resource: where });
        if (type === 'azurerm_application_insights_standard_web_test') {
          const request = isObject(resource.request) ? resource.request : {};
          checks.push({
            name: text(resource.name),
            kind: 'web test',
            target: text(request.url ?? '?'),
            schedule: typeof resource.frequency === 'number' ? `every ${duration(resource.frequency)}` : '?',
          });
        }
        if (type === 'azurerm_container_app_job' && /-check-/.test(text(resource.name))) {
          const trigger = isObject(resource.schedule_trigger_config) ? resource.schedule_trigger_config : {};
          checks.push({
            name: text(resource.name),
            kind: 'probe',
            target: text(resource.name)
              .replace(/^caj-[^-]+-check-/, '')
              .replace(/-[a-z]+$/, ''),
            schedule: `cron ${text(trigger.cron_expression ?? '?')}`,
          });
        }
        if (type === 'azurerm_backup_policy_vm') backup.push(azureBackup(stack.stack, name, resource, byType, body));
      }
    }
  }
  return { alarms, checks, backup, acknowledgements };
}

function azureAlarm(
  type: string,
  resource: JsonObject,
  groupOf: (reference: unknown) => string,
): Omit<AlarmFact, 'resource'> | undefined {
  const parsed = parseDescription(text(resource.description ?? ''));
  const severity = (level: unknown): string =>
    parsed.severity ?? (typeof level === 'number' ? (AZURE_SEVERITY[level] ?? String(level)) : 'unknown');
  const base = {
    id: text(resource.name),
    description: parsed.text,
    ...(parsed.firstResponse ? { firstResponse: parsed.firstResponse } : {}),
  };
  if (type === 'azurerm_monitor_metric_alert') {
    const criteria = Array.isArray(resource.criteria) ? resource.criteria.filter(isObject) : [];
    const dynamic = isObject(resource.dynamic_criteria) ? [resource.dynamic_criteria] : [];
    const all = [...criteria, ...dynamic];
    const actions = Array.isArray(resource.action) ? resource.action.filter(isObject) : [];
    return {
      ...base,
      measures: all.map((c) => `${text(c.metric_name)} (${text(c.aggregation)})`).join(' and ') || 'metric',
      threshold:
        all
          .map((c) =>
            c.threshold === undefined
              ? `dynamic (${text(c.alert_sensitivity ?? '')})`
              : `${AZURE_OPERATORS[text(c.operator)] ?? text(c.operator)} ${text(c.threshold)}`,
          )
          .join(' and ') + ` over ${isoDuration(resource.window_size)}, every ${isoDuration(resource.frequency)}`,
      severity: severity(resource.severity),
      routedTo: actions.map((a) => groupOf(a.action_group_id)),
    };
  }
  if (type === 'azurerm_monitor_scheduled_query_rules_alert_v2') {
    const criteria = Array.isArray(resource.criteria) ? resource.criteria.filter(isObject) : [];
    const action = isObject(resource.action) ? resource.action : {};
    const groups = Array.isArray(action.action_groups) ? action.action_groups : [];
    return {
      ...base,
      measures: criteria.map((c) => `log query: ${text(c.query)}`).join(' and ') || 'log query',
      threshold:
        criteria
          .map((c) => {
            const failing = isObject(c.failing_periods) ? c.failing_periods : {};
            const periods =
              failing.minimum_failing_periods_to_trigger_alert === undefined
                ? ''
                : ` in ${text(failing.minimum_failing_periods_to_trigger_alert)} of ${text(failing.number_of_evaluation_periods)}`;
            return `${AZURE_OPERATORS[text(c.operator)] ?? text(c.operator)} ${text(c.threshold)}${periods}`;
          })
          .join(' and ') + ` × ${isoDuration(resource.window_duration)}`,
      severity: severity(resource.severity),
      routedTo: groups.map(groupOf),
    };
  }
  if (type === 'azurerm_monitor_activity_log_alert') {
    const criteria = isObject(resource.criteria) ? resource.criteria : {};
    const actions = Array.isArray(resource.action) ? resource.action.filter(isObject) : [];
    return {
      ...base,
      measures: `activity log: ${text(criteria.operation_name ?? criteria.category ?? '?')}`,
      threshold: 'any occurrence',
      severity: severity(undefined),
      routedTo: actions.map((a) => groupOf(a.action_group_id)),
    };
  }
  return undefined;
}

function azureBackup(
  stack: string,
  name: string,
  policy: JsonObject,
  byType: JsonObject,
  body: (address: string) => JsonObject | undefined,
): BackupFact {
  const schedule = isObject(policy.backup) ? policy.backup : {};
  const retention = (['daily', 'weekly', 'monthly', 'yearly'] as const)
    .map((period) => {
      const entry = policy[`retention_${period}`];
      return isObject(entry) && entry.count !== undefined ? `${text(entry.count)} ${period}` : '';
    })
    .filter(Boolean)
    .join(', ');
  const [vaultAddress] = referencedAddresses(text(policy.recovery_vault_name ?? ''));
  const vault = vaultAddress === undefined ? undefined : body(vaultAddress);
  const protectedItems = isObject(byType.azurerm_backup_protected_vm) ? byType.azurerm_backup_protected_vm : {};
  const vms = Object.values(protectedItems)
    .filter(isObject)
    .filter((item) =>
      referencedAddresses(text(item.backup_policy_id ?? '')).includes(`azurerm_backup_policy_vm.${name}`),
    )
    .map((item) => {
      const [vm] = referencedAddresses(text(item.source_vm_id ?? ''));
      const target = vm === undefined ? undefined : body(vm);
      return text(target?.name ?? vm ?? '?');
    })
    .sort(compare);
  void stack;
  return {
    plan: text(policy.name ?? name),
    rules: [
      {
        name: text(schedule.frequency ?? 'backup').toLowerCase(),
        schedule: `${text(schedule.frequency ?? '?')} at ${text(schedule.time ?? '?')} ${text(policy.timezone ?? 'UTC')}`,
        retention: retention || '?',
      },
    ],
    vault: text(vault?.name ?? vaultAddress ?? '?'),
    ...(vault?.immutability === undefined
      ? {}
      : { lock: `immutability ${text(vault.immutability)}, ${text(vault.storage_mode_type ?? '')} storage`.trim() }),
    selection: vms.length > 0 ? `VMs ${vms.join(', ')}` : 'no protected VM',
  };
}
