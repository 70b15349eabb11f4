import type { Construct } from 'constructs';
import {
  ACTIVITY_LOG_CATEGORIES,
  activityTableRetention,
  AUDIT_QUERIES,
  AuditTrail,
  AZURE_AUDIT_OPERATIONS,
  Monitoring,
  type AuditTrailProps,
} from '../../lib/azure';
import {
  AUDIT_CONTROLS,
  AZURE_AUDIT_CONTROLS,
  defineEnvironment,
  type Environment,
  type EnvironmentInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { listOf, resourcesOf, synthScope, type TfJson, type TfResource } from '../util/terraform';

const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000';

function envOf(input: EnvironmentInput, change: Partial<EnvironmentInput> = {}): Environment {
  return defineEnvironment({ ...input, ...change });
}

/** The environment's monitoring and its audit trail, as the foundation composes them. */
function synth(env: Environment, props: Partial<AuditTrailProps> = {}): TfJson {
  return synthScope((scope) => {
    const monitoring = new Monitoring(scope as Construct, 'monitoring', {
      spec: env.monitoring,
      name: env.name,
      resourceGroup: { name: `rg-${env.name}`, location: 'westeurope' },
    });
    new AuditTrail(scope as Construct, 'audit-trail', {
      spec: env.audit,
      name: env.name,
      monitoring,
      workspaceRetentionDays: env.monitoring.logRetentionDays,
      ...props,
    });
  });
}

interface ActivityAlert {
  readonly name: string;
  readonly location: string;
  readonly scopes: readonly string[];
  readonly enabled: boolean;
  readonly description: string;
  readonly criteria: { readonly category: string; readonly operation_name: string };
  readonly action: readonly { readonly action_group_id: string }[];
}

const alertsOf = (tf: TfJson): ActivityAlert[] =>
  listOf(tf, 'azurerm_monitor_activity_log_alert') as unknown as ActivityAlert[];
const byName = (tf: TfJson): Map<string, ActivityAlert> => new Map(alertsOf(tf).map((a) => [a.name, a]));

describe('AuditTrail', () => {
  const dev = synth(envOf(devInput()));
  const prod = synth(envOf(prodInput()));

  test('exports every Activity Log category of the subscription to the environment workspace', () => {
    const settings = listOf(dev, 'azurerm_monitor_diagnostic_setting');
    expect(settings).toHaveLength(1);
    const [setting] = settings as [TfResource];
    expect(setting.name).toBe('platform-dev-activity-log');
    expect(setting.target_resource_id).toMatch(/^\$\{data\.azurerm_subscription\.audit-trail_subscription_\w+\.id\}$/);
    expect(setting.log_analytics_workspace_id).toMatch(
      /^\$\{azurerm_log_analytics_workspace\.monitoring_logs_workspace_\w+\.id\}$/,
    );
    expect(setting.enabled_log).toEqual(ACTIVITY_LOG_CATEGORIES.map((category) => ({ category })));
    expect(ACTIVITY_LOG_CATEGORIES).toEqual([
      'Administrative',
      'Security',
      'ServiceHealth',
      'Alert',
      'Recommendation',
      'Policy',
      'Autoscale',
      'ResourceHealth',
    ]);
    expect(Object.keys((dev.data as Record<string, unknown>).azurerm_subscription as object)).toHaveLength(1);
  });

  test('watches a given subscription instead of reading the current one', () => {
    const tf = synth(envOf(devInput()), { subscriptionId: SUBSCRIPTION });
    expect(Object.keys((tf.data as object | undefined) ?? {})).toEqual([]);
    expect(listOf(tf, 'azurerm_monitor_diagnostic_setting').map((s) => s.target_resource_id)).toEqual([SUBSCRIPTION]);
    expect(new Set(alertsOf(tf).map((a) => JSON.stringify(a.scopes)))).toEqual(
      new Set([JSON.stringify([SUBSCRIPTION])]),
    );
  });

  test('creates one Administrative activity log alert per CIS operation, scoped to the subscription', () => {
    const tf = synth(envOf(devInput()), { subscriptionId: SUBSCRIPTION });
    const alerts = byName(tf);
    const expected: [string, string][] = [
      ['platform-dev-audit.policy-assignment-changes.write', 'Microsoft.Authorization/policyAssignments/write'],
      ['platform-dev-audit.policy-assignment-changes.delete', 'Microsoft.Authorization/policyAssignments/delete'],
      ['platform-dev-audit.nsg-changes.write', 'Microsoft.Network/networkSecurityGroups/write'],
      ['platform-dev-audit.nsg-changes.delete', 'Microsoft.Network/networkSecurityGroups/delete'],
      ['platform-dev-audit.nsg-rule-changes.write', 'Microsoft.Network/networkSecurityGroups/securityRules/write'],
      ['platform-dev-audit.nsg-rule-changes.delete', 'Microsoft.Network/networkSecurityGroups/securityRules/delete'],
      ['platform-dev-audit.security-solution-changes.write', 'Microsoft.Security/securitySolutions/write'],
      ['platform-dev-audit.security-solution-changes.delete', 'Microsoft.Security/securitySolutions/delete'],
      ['platform-dev-audit.sql-firewall-changes.write', 'Microsoft.Sql/servers/firewallRules/write'],
      ['platform-dev-audit.sql-firewall-changes.delete', 'Microsoft.Sql/servers/firewallRules/delete'],
      ['platform-dev-audit.public-ip-changes.write', 'Microsoft.Network/publicIPAddresses/write'],
      ['platform-dev-audit.public-ip-changes.delete', 'Microsoft.Network/publicIPAddresses/delete'],
      ['platform-dev-audit.role-assignment-changes.write', 'Microsoft.Authorization/roleAssignments/write'],
      ['platform-dev-audit.role-assignment-changes.delete', 'Microsoft.Authorization/roleAssignments/delete'],
      ['platform-dev-audit.key-vault-deletion', 'Microsoft.KeyVault/vaults/delete'],
    ];
    expect([...alerts.keys()].sort()).toEqual(expected.map(([name]) => name).sort());
    for (const [name, operation] of expected) {
      const alert = alerts.get(name)!;
      expect(alert.criteria).toEqual({ category: 'Administrative', operation_name: operation });
      expect(alert.scopes).toEqual([SUBSCRIPTION]);
      expect(alert.location).toBe('global');
      expect(alert.enabled).toBe(true);
    }
  });

  test('routes each alert to the action group of its severity', () => {
    const alerts = alertsOf(dev);
    const critical = alerts.filter((a) => /action-group-critical/.test(a.action[0]!.action_group_id));
    const warning = alerts.filter((a) => /action-group-warning/.test(a.action[0]!.action_group_id));
    expect(critical.map((a) => a.name).sort()).toEqual([
      'platform-dev-audit.key-vault-deletion',
      'platform-dev-audit.sql-firewall-changes.delete',
      'platform-dev-audit.sql-firewall-changes.write',
    ]);
    expect(warning).toHaveLength(alerts.length - critical.length);
    for (const alert of alerts) {
      expect(alert.action).toHaveLength(1);
      const severity = critical.includes(alert) ? 'critical' : 'warning';
      expect(alert.description).toMatch(
        new RegExp(`^\\[${severity}\\] .+ First response: .*(audit-by-user|audit-by-resource|audit-by-action)`),
      );
    }
  });

  test('an override switches one control off and leaves the others on', () => {
    const env = envOf(devInput(), {
      monitoring: {
        alarms: { 'audit/public-ip-changes': { enabled: false, reason: 'the hub team watches public IPs centrally' } },
      },
    });
    const names = alertsOf(synth(env)).map((a) => a.name);
    expect(names).toHaveLength(13);
    expect(names.filter((n) => n.includes('public-ip'))).toEqual([]);
    expect(names).toContain('platform-dev-audit.nsg-changes.write');
  });

  test('an override changes the severity of a control, for all its operations', () => {
    const env = envOf(devInput(), {
      monitoring: { alarms: { 'audit/role-assignment-changes': { severity: 'critical' } } },
    });
    const roles = alertsOf(synth(env)).filter((a) => a.name.includes('role-assignment'));
    expect(roles).toHaveLength(2);
    for (const alert of roles) expect(alert.action[0]!.action_group_id).toMatch(/action-group-critical/);
  });

  test('saves the who-did-what-when searches over AzureActivity in the workspace', () => {
    const searches = resourcesOf(dev, 'azurerm_log_analytics_saved_search');
    const audit = Object.values(searches).filter((s) => String(s.name).startsWith('platform-audit-'));
    expect(audit.map((s) => s.name).sort()).toEqual([
      'platform-audit-by-action',
      'platform-audit-by-resource',
      'platform-audit-by-user',
      'platform-audit-failed-operations',
    ]);
    for (const search of audit) {
      expect(search.category).toBe('platform');
      expect(search.query).toMatch(/^AzureActivity \| /);
      expect(search.log_analytics_workspace_id).toMatch(/azurerm_log_analytics_workspace\.monitoring_logs_workspace/);
    }
    const query = (name: string): string => AUDIT_QUERIES.find((q) => q.name === name)!.query;
    expect(query('audit-by-user')).toMatch(/by Caller, CallerIpAddress/);
    expect(query('audit-by-resource')).toMatch(/project TimeGenerated, ResourceId, OperationNameValue/);
    expect(query('audit-by-action')).toMatch(/by OperationNameValue/);
    expect(query('audit-failed-operations')).toMatch(/where ActivityStatusValue in~ \("Failure", "Failed"\)/);
  });

  test('adds the searches to the environment workbook', () => {
    const [workbook] = listOf(dev, 'azurerm_application_insights_workbook') as [TfResource];
    expect(String(workbook.data_json)).toContain('## Audit trail');
    expect(String(workbook.data_json)).toContain('audit-failed-operations');
  });

  test('keeps development audit records 90 days in the AzureActivity table, beyond the 30-day workspace', () => {
    const tables = listOf(dev, 'azurerm_log_analytics_workspace_table');
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({
      name: 'AzureActivity',
      plan: 'Analytics',
      retention_in_days: 90,
      total_retention_in_days: 90,
    });
  });

  test('leaves the AzureActivity table to the workspace in production, both keeping 365 days', () => {
    const [workspace] = listOf(prod, 'azurerm_log_analytics_workspace') as [TfResource];
    expect(workspace.retention_in_days).toBe(365);
    expect(listOf(prod, 'azurerm_log_analytics_workspace_table')).toEqual([]);
    expect(alertsOf(prod).map((a) => a.name)).toContain('platform-prod-audit.key-vault-deletion');
    expect(listOf(prod, 'azurerm_monitor_diagnostic_setting').map((s) => s.name)).toContain(
      'platform-prod-activity-log',
    );
  });

  test('never shortens the AzureActivity retention below a longer workspace retention', () => {
    const env = envOf(prodInput(), { monitoring: { ...prodInput().monitoring, logRetentionDays: 400 } });
    expect([env.monitoring.logRetentionDays, env.audit.retentionDays]).toEqual([400, 365]);
    expect(listOf(synth(env), 'azurerm_log_analytics_workspace_table')).toEqual([]);
  });

  test('keeps records beyond the workspace retention archived, and the table setting from being destroyed', () => {
    const env = envOf(prodInput(), { audit: { retentionDays: 2555 } });
    const [table] = listOf(synth(env, { retainData: true }), 'azurerm_log_analytics_workspace_table') as [TfResource];
    expect(table).toMatchObject({ retention_in_days: 730, total_retention_in_days: 2556 });
    expect(table.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('rounds a long total retention up to one Azure takes', () => {
    expect(activityTableRetention(90)).toEqual({ interactiveDays: 90, totalDays: 90 });
    expect(activityTableRetention(730)).toEqual({ interactiveDays: 730, totalDays: 730 });
    expect(activityTableRetention(1095)).toEqual({ interactiveDays: 730, totalDays: 1095 });
    expect(activityTableRetention(2555)).toEqual({ interactiveDays: 730, totalDays: 2556 });
  });

  test('maps every Azure audit control to its operations, and no other', () => {
    const controls = AZURE_AUDIT_CONTROLS.map((c) => c.control);
    expect(new Set(controls).size).toBe(controls.length);
    expect(Object.keys(AZURE_AUDIT_OPERATIONS).sort()).toEqual([...controls].sort());
    expect(controls.filter((c) => AUDIT_CONTROLS.some((aws) => aws.control === c))).toEqual([]);
  });

  test('accepts a spec override of an AWS-only audit alarm, and reports one that names no alarm', () => {
    const validate = (alarms: NonNullable<EnvironmentInput['monitoring']>['alarms']): string[] => {
      const env = envOf(devInput(), { monitoring: { alarms } });
      let problems: string[] = [];
      synthScope((scope) => {
        const monitoring = new Monitoring(scope as Construct, 'monitoring', {
          spec: env.monitoring,
          name: env.name,
          resourceGroup: { name: 'rg-dev', location: 'westeurope' },
        });
        new AuditTrail(scope as Construct, 'audit-trail', { spec: env.audit, name: env.name, monitoring });
        problems = monitoring.node.validate();
      });
      return problems;
    };
    expect(
      validate({ 'audit/root-account-use': { enabled: false, reason: 'no root user in this test account' } }),
    ).toEqual([]);
    expect(validate({ 'audit/not-a-control': { severity: 'critical' } }).join('\n')).toMatch(
      /monitoring\.alarms\.audit\/not-a-control.*no alarm has this id.*audit\/key-vault-deletion/s,
    );
  });

  test('refuses a subscription ID that is not one, and a disabled spec', () => {
    const env = envOf(devInput());
    const error = errorOf(() =>
      synth(env, { subscriptionId: '00000000-0000-0000-0000-000000000000', spec: { ...env.audit, enabled: false } }),
    );
    expect(error.message).toMatch(/subscriptionId: "00000000-0000-0000-0000-000000000000".*\/subscriptions\/<uuid>/s);
    expect(error.message).toMatch(/spec\.enabled: false/);
  });

  test('refuses props without a monitoring', () => {
    const env = envOf(devInput());
    const error = errorOf(() =>
      synthScope((scope) => {
        new AuditTrail(scope as Construct, 'audit-trail', {
          spec: env.audit,
          name: env.name,
        } as unknown as AuditTrailProps);
      }),
    );
    expect(error.message).toMatch(/audit-trail.*monitoring.*required/s);
  });
});
