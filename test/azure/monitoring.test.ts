import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicUuid, isoMinutes, Monitoring, Network, SendDiagnostics, type IMonitoring } from '../../lib/azure';
import { defineEnvironment, type Environment, type EnvironmentInput } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';

function envWith(base: EnvironmentInput, monitoring: EnvironmentInput['monitoring'] = {}): Environment {
  return defineEnvironment({ ...base, monitoring: { ...base.monitoring, ...monitoring } });
}

const prodSpec = (): EnvironmentInput => ({
  ...prodInput(),
  monitoring: { ...prodInput().monitoring, webhookUrls: ['https://hooks.example.com/oncall'] },
});

/** Synthesizes a stack with the environment's monitoring (aspects and validations run, as in cdktf synth). */
function synth(env: Environment, extra?: (stack: TerraformStack, monitoring: Monitoring) => void): TfStackJson {
  const outdir = mkdtempSync(join(tmpdir(), 'azure-monitoring-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    new ResourceGroup(stack, 'rg', { name: `rg-${env.name}`, location: 'westeurope' });
    const monitoring = new Monitoring(stack, 'monitoring', {
      spec: env.monitoring,
      name: env.name,
      resourceGroup: { name: `rg-${env.name}`, location: 'westeurope' },
    });
    extra?.(stack, monitoring);
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface Receiver {
  readonly name: string;
  readonly email_address?: string;
  readonly service_uri?: string;
  readonly use_common_alert_schema: boolean;
}

/** The attributes these tests read, by resource type, as cdktf writes them. */
interface Synthesized {
  azurerm_monitor_action_group: {
    readonly name: string;
    readonly short_name: string;
    readonly location: string;
    readonly email_receiver?: Receiver[];
    readonly webhook_receiver?: Receiver[];
  };
  azurerm_log_analytics_workspace: { readonly name: string; readonly retention_in_days: number };
  azurerm_monitor_scheduled_query_rules_alert_v2: {
    readonly name: string;
    readonly severity: number;
    readonly window_duration: string;
    readonly description: string;
    readonly skip_query_validation: boolean;
    readonly criteria: readonly [{ readonly query: string; readonly threshold: number }];
    readonly action: { readonly action_groups: string[] };
  };
  azurerm_log_analytics_saved_search: { readonly name: string; readonly category: string };
  azurerm_application_insights_workbook: {
    readonly name: string;
    readonly source_id: string;
    readonly data_json: string;
  };
  azurerm_monitor_diagnostic_setting: {
    readonly name: string;
    readonly target_resource_id: string;
    readonly enabled_log?: unknown[];
    readonly enabled_metric?: unknown[];
  };
  azurerm_monitor_metric_alert: {
    readonly name: string;
    readonly severity: number;
    readonly window_size: string;
    readonly frequency: string;
    readonly description: string;
    readonly criteria: readonly [
      {
        readonly metric_name: string;
        readonly threshold: number;
        readonly dimension?: { readonly name: string; readonly operator: string; readonly values: string[] }[];
      },
    ];
    readonly action: readonly [{ readonly action_group_id: string }];
  };
  azurerm_subnet: { readonly name: string };
}

/** The workbook's items, as the workbook JSON holds them. */
interface WorkbookData {
  readonly items: { readonly content: { readonly title?: string; readonly json?: string } }[];
}

function all<K extends keyof Synthesized>(tf: TfStackJson, type: K): Synthesized[K][] {
  return Object.values(tf.resource[type] ?? {}) as unknown as Synthesized[K][];
}

/** The one resource of a type; fails the test when there is not exactly one. */
function only<K extends keyof Synthesized>(tf: TfStackJson, type: K): Synthesized[K] {
  const found = all(tf, type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** A capability that is not part of the library: it registers one alert through the mechanism. */
class QueueWatcher extends Construct {
  constructor(scope: Construct, id: string, monitoring: IMonitoring) {
    super(scope, id);
    monitoring.addMetricAlert(this, 'queue/orders/backlog', {
      scopes: ['/subscriptions/0/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/orders'],
      metricNamespace: 'Microsoft.ServiceBus/namespaces',
      metricName: 'ActiveMessages',
      aggregation: 'Average',
      operator: 'GreaterThan',
      threshold: 1000,
      windowMinutes: 5,
      severity: 'critical',
      description: 'More than 1000 orders wait to be processed.',
      firstResponse: 'Check that the order workers are running and scale them out.',
    });
  }
}

describe('Monitoring (Azure)', () => {
  test('an action group per severity: production sends critical alerts to email and webhooks, warnings to email', () => {
    const groups = all(synth(envWith(prodSpec())), 'azurerm_monitor_action_group');
    expect(groups.map((g) => [g.name, g.short_name, g.location, g.email_receiver, g.webhook_receiver])).toEqual([
      [
        'ag-platform-prod-critical',
        'prod-crit',
        'global',
        [{ name: 'email-1', email_address: 'oncall@example.com', use_common_alert_schema: true }],
        [{ name: 'webhook-1', service_uri: 'https://hooks.example.com/oncall', use_common_alert_schema: true }],
      ],
      [
        'ag-platform-prod-warning',
        'prod-warn',
        'global',
        [{ name: 'email-1', email_address: 'oncall@example.com', use_common_alert_schema: true }],
        undefined,
      ],
    ]);
  });

  test('a Log Analytics workspace with the spec retention and Entra ID access only', () => {
    const workspace = only(synth(envWith(prodSpec())), 'azurerm_log_analytics_workspace');
    expect(workspace).toMatchObject({
      name: 'log-platform-prod-weu',
      sku: 'PerGB2018',
      retention_in_days: 365,
      local_authentication_enabled: false,
    });
  });

  test('a scheduled query rule per log pattern, counting matching lines, routed by severity', () => {
    const tf = synth(envWith(prodSpec()));
    const rules = all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2');
    expect(rules.map((r) => [r.name, r.severity, r.window_duration, r.criteria[0].threshold])).toEqual([
      ['platform-prod-logs.errors', 2, 'PT5M', 5],
      ['platform-prod-logs.http-5xx', 1, 'PT5M', 10],
    ]);
    const http = rules[1]!;
    expect(http.criteria[0]).toMatchObject({ time_aggregation_method: 'Count', operator: 'GreaterThanOrEqual' });
    expect(http.criteria[0].query).toMatch(/\| where toint\(parse_json\(Message\)\.status\) between \(500 \.\. 599\)$/);
    expect(http.action.action_groups).toEqual([
      expect.stringMatching(/^\$\{azurerm_monitor_action_group\.monitoring_action-group-critical_[0-9A-F]+\.id\}$/),
    ]);
    expect(http.description).toBe(
      '[critical] 10 or more log lines matched status between 500 and 599 within 5 minutes. First response: Run the saved search http-5xx-by-source in the workspace log-platform-prod-weu to see which source logs them.',
    );
    expect(http.skip_query_validation).toBe(true);
  });

  test('saved searches for each pattern by source, slowest requests and top clients', () => {
    const searches = all(synth(envWith(devInput())), 'azurerm_log_analytics_saved_search');
    expect(searches.map((s) => [s.name, s.category])).toEqual([
      ['platform-errors-by-source', 'platform'],
      ['platform-http-5xx-by-source', 'platform'],
      ['platform-slowest-requests', 'platform'],
      ['platform-top-clients', 'platform'],
    ]);
  });

  test('a workbook with a stable UUID name over the workspace, listing the saved queries', () => {
    const book = only(synth(envWith(devInput())), 'azurerm_application_insights_workbook');
    expect(book.name).toBe(deterministicUuid('platform-dev-workbook'));
    expect(book.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(book.source_id).toMatch(/^\$\{lower\(azurerm_log_analytics_workspace\./);
    const data = JSON.parse(book!.data_json) as WorkbookData;
    expect(data.items.map((i) => i.content.title ?? i.content.json?.split('\n')[0])).toEqual([
      '# Platform dev',
      '## Logs',
      'errors-by-source',
      'http-5xx-by-source',
      'slowest-requests',
      'top-clients',
    ]);
  });

  test('SendDiagnostics adds one setting per diagnosable resource, with the logs and metrics it supports', () => {
    const env = envWith(devInput());
    const tf = synth(env, (stack, monitoring) => {
      new Network(stack, 'network', {
        spec: env.network,
        name: env.name,
        resourceGroup: { name: 'rg-dev', location: 'westeurope' },
      });
      SendDiagnostics.applyTo(stack, monitoring.workspaceId);
    });
    const settings = all(tf, 'azurerm_monitor_diagnostic_setting');
    const byTarget = Object.fromEntries(
      settings.map((s) => [
        String(s.target_resource_id).split('.')[0]!.slice(2),
        [s.enabled_log?.length ?? 0, s.enabled_metric?.length ?? 0],
      ]),
    );
    expect(settings.map((s) => s.name)).toEqual(Array(6).fill('platform-diagnostics'));
    expect(byTarget).toMatchObject({
      azurerm_virtual_network: [1, 1],
      azurerm_network_security_group: [1, 0],
      azurerm_public_ip: [1, 1],
      azurerm_log_analytics_workspace: [1, 1],
    });
    // NAT gateway metrics cannot be exported through a diagnostic setting; subnets have none.
    expect(byTarget.azurerm_nat_gateway).toBeUndefined();
    expect(byTarget.azurerm_subnet).toBeUndefined();
  });
});

describe('registering alerts through IMonitoring (Azure)', () => {
  test('a construct outside the library gets a named metric alert that notifies its severity group', () => {
    const tf = synth(envWith(devInput()), (stack, m) => new QueueWatcher(stack, 'orders', m));
    const alert = only(tf, 'azurerm_monitor_metric_alert');
    expect(alert).toMatchObject({
      name: 'platform-dev-queue.orders.backlog',
      severity: 1,
      window_size: 'PT5M',
      frequency: 'PT5M',
      criteria: [{ metric_name: 'ActiveMessages', aggregation: 'Average', operator: 'GreaterThan', threshold: 1000 }],
      description:
        '[critical] More than 1000 orders wait to be processed. First response: Check that the order workers are running and scale them out.',
    });
    expect(alert.action[0].action_group_id).toMatch(/action-group-critical/);
  });

  test('the spec tunes one alert explicitly, the same way as on AWS', () => {
    const env = envWith(devInput(), {
      alarms: { 'queue/orders/backlog': { threshold: 5000, evaluationPeriods: 3, severity: 'warning' } },
    });
    const alert = only(
      synth(env, (stack, m) => new QueueWatcher(stack, 'orders', m)),
      'azurerm_monitor_metric_alert',
    );
    expect([alert.criteria[0].threshold, alert.window_size, alert.severity]).toEqual([5000, 'PT15M', 2]);
  });

  test('periods of a summed metric become a longer window with a proportional threshold', () => {
    const env = envWith(prodSpec(), {
      alarms: { 'network/nat/packets-dropped': { threshold: 200, evaluationPeriods: 2 } },
    });
    const tf = synth(env, (stack, monitoring) => {
      new Network(stack, 'network', {
        spec: env.network,
        name: env.name,
        resourceGroup: { name: 'rg-prod', location: 'westeurope' },
        monitoring,
      });
    });
    const alert = all(tf, 'azurerm_monitor_metric_alert').find(
      (a) => a.name === 'platform-prod-network.nat.packets-dropped',
    )!;
    expect([alert.window_size, alert.frequency, alert.criteria[0].threshold]).toEqual(['PT30M', 'PT15M', 400]);
    expect(alert.description).toMatch(/^\[warning\] The NAT gateway dropped 200 or more packets in 15 minutes\./);
  });

  test('the spec switches one alert off with a reason, which the workbook shows', () => {
    const env = envWith(devInput(), {
      alarms: { 'logs/errors': { enabled: false, reason: 'The legacy app logs ERROR for client mistakes' } },
    });
    const tf = synth(env);
    expect(all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').map((r) => r.name)).toEqual([
      'platform-dev-logs.http-5xx',
    ]);
    const book = only(tf, 'azurerm_application_insights_workbook');
    expect(book.data_json).toContain(
      'Switched off in the spec: `logs/errors` (The legacy app logs ERROR for client mistakes).',
    );
  });

  test('an override that names no alert fails synthesis instead of being ignored', () => {
    const env = envWith(devInput(), { alarms: { 'logs/eror': { threshold: 3 } } });
    expect(errorOf(() => synth(env)).message).toContain(
      'monitoring.alarms.logs/eror: no alarm has this id, so the override would be ignored; the alarms are logs/errors, logs/http-5xx',
    );
  });

  test('a window the metric alert cannot take is refused with the allowed values', () => {
    const env = envWith(devInput(), { alarms: { 'queue/orders/backlog': { evaluationPeriods: 2 } } });
    expect(() => synth(env, (stack, m) => new QueueWatcher(stack, 'orders', m))).toThrow(
      'queue/orders/backlog.windowMinutes: 10 - windowMinutes x evaluationPeriods is one of 1, 5, 15, 30, 60, 360, 720, 1440',
    );
  });

  test('ISO durations for Azure Monitor', () => {
    expect([isoMinutes(5), isoMinutes(60), isoMinutes(360), isoMinutes(1440)]).toEqual(['PT5M', 'PT1H', 'PT6H', 'P1D']);
  });
});

describe('Network alerts (Azure)', () => {
  test('the NAT gateway alerts use the same ids as on AWS', () => {
    const env = envWith(prodSpec());
    const tf = synth(env, (stack, monitoring) => {
      new Network(stack, 'network', {
        spec: env.network,
        name: env.name,
        resourceGroup: { name: 'rg-prod', location: 'westeurope' },
        monitoring,
      });
    });
    const alerts = all(tf, 'azurerm_monitor_metric_alert');
    expect(alerts.map((a) => [a.name, a.criteria[0].metric_name, a.criteria[0].dimension])).toEqual([
      ['platform-prod-network.nat.packets-dropped', 'PacketDropCount', undefined],
      [
        'platform-prod-network.nat.port-allocation-errors',
        'SNATConnectionCount',
        [{ name: 'ConnectionState', operator: 'Include', values: ['Failed'] }],
      ],
    ]);
  });
});
