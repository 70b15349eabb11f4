import { CHANGE_ACKNOWLEDGEMENT_KEY } from '../core/change-acknowledgement';
import { compare, isObject, type JsonObject } from '../review/aws-template';
import { referencedAddresses } from '../review/azure-paths';
import type { SynthesizedStack } from '../review/outputs';
import {
  changeAcknowledgements,
  duration,
  isoDuration,
  object,
  objects,
  parseDescription,
  prometheusAlarm,
  scheduleWords,
  scriptUrl,
  stringRecord,
  text,
} from './fact-text';
import type { Acknowledgement, AlarmFact, BackupFact, CheckFact, CloudFacts } from './model';

/** The key under a resource's (or provider's) `"//"` comment where lib/azure records guardrail acknowledgements. */
const ACKNOWLEDGEMENTS_KEY = 'acknowledged';

const OPERATORS: Readonly<Record<string, string>> = {
  GreaterThan: '>',
  GreaterThanOrEqual: '≥',
  LessThan: '<',
  LessThanOrEqual: '≤',
  Equals: '=',
  GreaterOrLessThan: 'outside the band',
};

/** Azure severities 0 to 4 in words, for an alert whose description carries no `[severity]`. */
const SEVERITY = ['critical', 'error', 'warning', 'informational', 'verbose'];

/** One resource of one Terraform stack. */
interface Located {
  readonly stack: SynthesizedStack;
  readonly type: string;
  readonly name: string;
  readonly body: JsonObject;
}

/** What the Azure facts are read with: every resource of the environment, by address. */
class AzureOutput {
  public readonly resources: Located[] = [];
  private readonly byAddress = new Map<string, Located>();

  constructor(public readonly stacks: readonly SynthesizedStack[]) {
    for (const stack of stacks) {
      for (const [type, entries] of Object.entries(object(stack.json.resource))) {
        for (const [name, body] of Object.entries(object(entries))) {
          if (!isObject(body)) continue;
          const located = { stack, type, name, body };
          this.resources.push(located);
          this.byAddress.set(`${stack.stack}/${type}.${name}`, located);
        }
      }
    }
  }

  /** The resources of a type. */
  public ofType(type: string): Located[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The first resource a `${type.name...}` expression of this stack refers to. */
  public target(stack: SynthesizedStack, reference: unknown): Located | undefined {
    for (const address of typeof reference === 'string' ? referencedAddresses(reference) : []) {
      const found = this.byAddress.get(`${stack.stack}/${address}`);
      if (found) return found;
    }
    return undefined;
  }

  /** A resource's name for people: its literal `name`, or its address. */
  public static label(resource: Located): string {
    const name = resource.body.name;
    return typeof name === 'string' && !name.includes('${') ? name : `${resource.type}.${resource.name}`;
  }

  /** A string with its interpolations named: `https://${azurerm_container_app.web.ingress[0].fqdn}/` → `https://<ca-web.fqdn>/`. */
  public interpolated(stack: SynthesizedStack, value: unknown): string {
    return text(value).replace(/\$\{([^{}]*)\}/g, (whole, inner: string) => {
      const target = this.target(stack, whole);
      if (!target) return `<${inner}>`;
      const attribute = /([A-Za-z_]\w*)\W*$/.exec(inner.slice(`${target.type}.${target.name}`.length))?.[1];
      // An ID or name stands for the resource itself; any other attribute (`fqdn`) is a value it has.
      if (attribute === undefined || attribute === 'id' || attribute === 'name') return AzureOutput.label(target);
      return `<${AzureOutput.label(target)}.${attribute}>`;
    });
  }

  /** An action group as text: its name and its receivers (`email a@b`, `webhook https://...`). */
  public actionGroup(stack: SynthesizedStack, reference: unknown): string {
    const group = this.target(stack, reference);
    if (!group || group.type !== 'azurerm_monitor_action_group') return this.interpolated(stack, reference);
    const receivers = Object.entries(group.body)
      .filter(([key]) => key.endsWith('_receiver'))
      .flatMap(([key, entries]) =>
        objects(entries).map((r) => {
          const kind = key.replace(/_receiver$/, '').replace(/_/g, ' ');
          const where =
            r.email_address ??
            r.service_uri ??
            (r.phone_number === undefined ? undefined : `+${text(r.country_code)} ${text(r.phone_number)}`) ??
            r.callback_url ??
            r.http_trigger_url ??
            r.event_hub_name ??
            r.role_id ??
            r.name;
          return `${kind} ${this.interpolated(stack, where)}`;
        }),
      )
      .sort(compare);
    const name = AzureOutput.label(group);
    return receivers.length > 0 ? `${name} (${receivers.join(', ')})` : name;
  }
}

/**
 * The alerts, checks, backup policies and acknowledgements of one environment's Terraform JSON, unsorted
 * (`factsOf` in facts.ts sorts them).
 */
export function azureFacts(stacks: readonly SynthesizedStack[]): CloudFacts {
  const output = new AzureOutput(stacks.filter((s) => s.cloud === 'azure'));
  const alarms: AlarmFact[] = [];
  const checks: CheckFact[] = [];
  const backup: BackupFact[] = [];
  for (const resource of output.resources) {
    alarms.push(...alertsOf(output, resource));
    const check = checkOf(output, resource);
    if (check) checks.push(check);
    if (/^azurerm_backup_policy_(vm|vm_workload|file_share)$/.test(resource.type))
      backup.push(backupPolicy(output, resource));
  }
  return { alarms, checks, backup, acknowledgements: acknowledgements(output) };
}

function alertsOf(output: AzureOutput, resource: Located): AlarmFact[] {
  const { stack, type, name, body } = resource;
  const parsed = parseDescription(output.interpolated(stack, body.description ?? ''));
  const severity = (level: unknown): string =>
    parsed.severity ?? (typeof level === 'number' ? (SEVERITY[level] ?? String(level)) : 'unknown');
  const base = {
    id: text(body.name),
    description: parsed.text,
    ...(parsed.firstResponse ? { firstResponse: parsed.firstResponse } : {}),
    resource: `${stack.stack}/${type}.${name}`,
  };
  const groups = (references: readonly unknown[]): string[] => references.map((r) => output.actionGroup(stack, r));
  const every = `over ${isoDuration(body.window_size)}, checked every ${isoDuration(body.frequency)}`;
  switch (type) {
    case 'azurerm_monitor_metric_alert': {
      const criteria = [...objects(body.criteria), ...objects(body.dynamic_criteria)];
      const availability = objects(body.application_insights_web_test_location_availability_criteria);
      const measured = [
        ...criteria.map((c) => `${text(c.metric_name)} (${text(c.aggregation)})`),
        ...availability.map((a) => `availability of web test ${output.interpolated(stack, a.web_test_id)}`),
      ];
      const when = [
        ...criteria.map((c) =>
          c.threshold === undefined
            ? `${OPERATORS[text(c.operator)] ?? text(c.operator)} dynamic threshold (${text(c.alert_sensitivity)} sensitivity)`
            : `${OPERATORS[text(c.operator)] ?? text(c.operator)} ${text(c.threshold)}`,
        ),
        ...availability.map((a) => `${text(a.failed_location_count)} or more locations fail`),
      ];
      return [
        {
          ...base,
          measures: measured.join(' and ') || 'metric',
          threshold: `${when.join(' and ')} ${every}`.trim(),
          severity: severity(body.severity),
          routedTo: groups(objects(body.action).map((a) => a.action_group_id)),
        },
      ];
    }
    case 'azurerm_monitor_scheduled_query_rules_alert_v2': {
      const action = object(body.action);
      return [
        {
          ...base,
          measures:
            objects(body.criteria)
              .map((c) => `log query: ${text(c.query)}`)
              .join(' and ') || 'log query',
          threshold: objects(body.criteria)
            .map((c) => {
              const failing = object(c.failing_periods);
              const periods =
                failing.minimum_failing_periods_to_trigger_alert === undefined
                  ? ''
                  : ` in ${text(failing.minimum_failing_periods_to_trigger_alert)} of ${text(failing.number_of_evaluation_periods)} periods`;
              return `${text(c.time_aggregation_method)} ${OPERATORS[text(c.operator)] ?? text(c.operator)} ${text(c.threshold)}${periods} of ${isoDuration(body.window_duration)}`;
            })
            .join(' and '),
          severity: severity(body.severity),
          routedTo: groups(Array.isArray(action.action_groups) ? action.action_groups : []),
        },
      ];
    }
    case 'azurerm_monitor_activity_log_alert': {
      const criteria = object(body.criteria);
      const what = criteria.operation_name ?? criteria.category ?? '?';
      return [
        {
          ...base,
          measures: `activity log: ${text(what)}${criteria.level === undefined ? '' : ` (${text(criteria.level)})`}`,
          threshold: 'every occurrence',
          severity: severity(undefined),
          routedTo: groups(objects(body.action).map((a) => a.action_group_id)),
        },
      ];
    }
    case 'azurerm_monitor_smart_detector_alert_rule': {
      const severityLevel = /^Sev(\d)$/.exec(text(body.severity))?.[1];
      return [
        {
          ...base,
          measures: `smart detector ${text(body.detector_type)}`,
          threshold: `anomaly detected, checked every ${isoDuration(body.frequency)}`,
          severity: severity(severityLevel === undefined ? undefined : Number(severityLevel)),
          routedTo: groups(
            Array.isArray(object(body.action_group).ids) ? (object(body.action_group).ids as unknown[]) : [],
          ),
        },
      ];
    }
    case 'azurerm_monitor_alert_processing_rule_action_group': {
      const scopes = Array.isArray(body.scopes) ? body.scopes.map((s) => output.interpolated(stack, s)) : [];
      const services = objects(object(body.condition).monitor_service).flatMap((c) =>
        Array.isArray(c.values) ? c.values.map(text) : [],
      );
      return [
        {
          ...base,
          measures: `alerts ${services.length > 0 ? `of ${services.join(', ')} ` : ''}raised on ${scopes.join(', ')}`,
          threshold: 'every alert Azure raises there',
          severity: parsed.severity ?? 'as raised',
          routedTo: groups(Array.isArray(body.add_action_group_ids) ? body.add_action_group_ids : []),
        },
      ];
    }
    case 'azurerm_monitor_alert_prometheus_rule_group':
      return objects(body.rule)
        .filter((rule) => typeof rule.alert === 'string' && rule.enabled !== false)
        .map((rule) =>
          prometheusAlarm(
            text(body.name),
            {
              alert: text(rule.alert),
              expression: text(rule.expression),
              ...(rule.for === undefined ? {} : { for: text(rule.for) }),
              labels: stringRecord(rule.labels),
              annotations: stringRecord(rule.annotations),
            },
            groups(objects(rule.action).map((a) => a.action_group_id)),
            base.resource,
          ),
        );
    default:
      return [];
  }
}

function checkOf(output: AzureOutput, { stack, type, body }: Located): CheckFact | undefined {
  if (type === 'azurerm_application_insights_standard_web_test') {
    const locations = Array.isArray(body.geo_locations) ? body.geo_locations.length : 0;
    const tls = object(body.validation_rules).ssl_cert_remaining_lifetime;
    return {
      name: text(body.name),
      kind: tls === undefined ? 'web test' : `web test (TLS certificate ≥ ${text(tls)} days)`,
      target: output.interpolated(stack, object(body.request).url ?? '?'),
      schedule: `every ${typeof body.frequency === 'number' ? duration(body.frequency) : '?'}${locations > 0 ? ` from ${locations} locations` : ''}`,
    };
  }
  if (type === 'azurerm_application_insights_web_test') {
    return {
      name: text(body.name),
      kind: 'web test (classic)',
      target: /Url="([^"]*)"/.exec(text(body.configuration))?.[1] ?? '?',
      schedule: `every ${typeof body.frequency === 'number' ? duration(body.frequency) : '?'}`,
    };
  }
  if (type === 'azurerm_container_app_job') {
    const trigger = object(body.schedule_trigger_config);
    const script = objects(object(body.template).container)
      .flatMap((c) => [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])])
      .map(text)
      .join('\n');
    if (!/renderProbeScript/.test(script)) return undefined;
    return {
      name: text(body.name),
      kind: 'probe',
      target: output.interpolated(stack, scriptUrl(script) ?? '?'),
      schedule: scheduleWords(text(trigger.cron_expression ?? '?')),
    };
  }
  return undefined;
}

/** The protected item types and the attribute that names their policy and their source. */
const PROTECTED: Readonly<Record<string, { readonly what: string; readonly source: string }>> = {
  azurerm_backup_protected_vm: { what: 'VMs', source: 'source_vm_id' },
  azurerm_backup_protected_file_share: { what: 'file shares', source: 'source_file_share_name' },
};

function backupPolicy(output: AzureOutput, policy: Located): BackupFact {
  const { stack, name, body } = policy;
  const timezone = text(body.timezone ?? '') || 'UTC';
  const schedule = object(body.backup);
  const daily = object(body.retention_daily).count;
  const rules: BackupFact['rules'][number][] = [];
  const at = `at ${text(schedule.time ?? '?')} ${timezone}`;
  const frequency = text(schedule.frequency ?? '?');
  const vault = output.target(stack, body.recovery_vault_name);
  const geo = vault !== undefined && /Geo/.test(text(vault.body.storage_mode_type));
  const copyTo = geo
    ? `the paired region (geo-redundant${vault.body.cross_region_restore_enabled === true ? ', restorable there' : ''})`
    : undefined;
  const rule = (ruleName: string, when: string, retention: string): void => {
    rules.push({ name: ruleName, schedule: when, retention, ...(copyTo ? { copyTo } : {}) });
  };
  if (daily !== undefined || frequency === 'Daily')
    rule('daily', `daily ${at}`, daily === undefined ? '?' : `${text(daily)} days`);
  if (frequency === 'Hourly')
    rule(
      'hourly',
      `every ${text(schedule.hour_interval ?? '?')} h from ${text(schedule.hour_duration ?? '?')} h window ${at}`,
      daily === undefined ? '?' : `${text(daily)} days`,
    );
  if (frequency === 'Weekly' && daily === undefined)
    rule(
      'weekly',
      `weekly on ${Array.isArray(schedule.weekdays) ? schedule.weekdays.map(text).join(', ') : '?'} ${at}`,
      '?',
    );
  const weekly = object(body.retention_weekly);
  if (weekly.count !== undefined)
    rule(
      'weekly',
      `the ${Array.isArray(weekly.weekdays) ? weekly.weekdays.map(text).join(', ') : ''} backup`.replace(/\s+/g, ' '),
      `${text(weekly.count)} weeks`,
    );
  const monthly = object(body.retention_monthly);
  if (monthly.count !== undefined)
    rule(
      'monthly',
      `the backup of day ${Array.isArray(monthly.days) ? monthly.days.map(text).join(', ') : Array.isArray(monthly.weekdays) ? monthly.weekdays.map(text).join(', ') : '?'}`,
      `${text(monthly.count)} months`,
    );
  const yearly = object(body.retention_yearly);
  if (yearly.count !== undefined)
    rule(
      'yearly',
      `the backup of ${Array.isArray(yearly.months) ? yearly.months.map(text).join(', ') : '?'}`,
      `${text(yearly.count)} years`,
    );
  const protectedItems = Object.entries(PROTECTED).flatMap(([type, { what, source }]) => {
    const names = output
      .ofType(type)
      .filter(
        (item) =>
          item.stack === stack &&
          referencedAddresses(text(item.body.backup_policy_id)).includes(`${policy.type}.${name}`),
      )
      .map((item) => {
        const target = output.target(stack, item.body[source]);
        return target ? AzureOutput.label(target) : output.interpolated(stack, item.body[source]);
      })
      .sort(compare);
    return names.length > 0 ? [`${what} ${names.join(', ')}`] : [];
  });
  const instant = body.instant_restore_retention_days;
  const lock = vault
    ? [
        vault.body.immutability === undefined
          ? 'immutability off'
          : `immutability ${text(vault.body.immutability)}${vault.body.immutability === 'Locked' ? ' (cannot be turned off)' : ''}`,
        vault.body.soft_delete_enabled === false ? 'soft delete off' : 'soft delete on',
        `${text(vault.body.storage_mode_type ?? 'GeoRedundant')} storage`,
      ].join(', ')
    : undefined;
  return {
    plan: text(body.name ?? name),
    rules,
    vault: vault ? AzureOutput.label(vault) : output.interpolated(stack, body.recovery_vault_name),
    ...(lock ? { lock } : {}),
    selection:
      (protectedItems.join('; ') || 'nothing protected') +
      (instant === undefined ? '' : `; instant restore snapshots kept ${text(instant)} days`),
  };
}

function acknowledgements(output: AzureOutput): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  const guardrails = (comment: unknown, resource: string): void => {
    for (const [rule, reason] of Object.entries(object(object(comment)[ACKNOWLEDGEMENTS_KEY])))
      found.push({ kind: 'guardrail', rule, resource, reason: text(reason) });
  };
  for (const stack of output.stacks) {
    for (const entry of changeAcknowledgements(object(stack.json['//'])[CHANGE_ACKNOWLEDGEMENT_KEY])) {
      const resource = entry.resource === undefined ? stack.stack : `${stack.stack}/${entry.resource} (removed)`;
      found.push({ kind: 'change', rule: entry.risk, resource, reason: entry.reason });
    }
    for (const [provider, configs] of Object.entries(object(stack.json.provider))) {
      objects(configs).forEach((config, index) => {
        const alias =
          typeof config.alias === 'string' ? `.${config.alias}` : objects(configs).length > 1 ? `[${index}]` : '';
        guardrails(config['//'], `${stack.stack}/provider.${provider}${alias}`);
      });
    }
  }
  for (const { stack, type, name, body } of output.resources) {
    const resource = `${stack.stack}/${type}.${name}`;
    guardrails(body['//'], resource);
    for (const entry of changeAcknowledgements(object(body['//'])[CHANGE_ACKNOWLEDGEMENT_KEY]))
      found.push({ kind: 'change', rule: entry.risk, resource, reason: entry.reason });
  }
  return found;
}
