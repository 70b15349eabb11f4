import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import type { Construct } from 'constructs';
import { logRetention } from '../../../lib/azure/policy/rules/log-retention';
import { PLACE } from './fixtures/common';
import { findingsOf } from './helpers';

function workspace(scope: Construct, id: string, retentionInDays?: number): LogAnalyticsWorkspace {
  return new LogAnalyticsWorkspace(scope, id, {
    name: `log-${id}`,
    ...PLACE,
    sku: 'PerGB2018',
    ...(retentionInDays !== undefined && { retentionInDays }),
  });
}

function insights(scope: Construct, id: string, workspaceId: string, retentionInDays?: number): void {
  new ApplicationInsights(scope, id, {
    name: `appi-${id}`,
    ...PLACE,
    applicationType: 'web',
    workspaceId,
    ...(retentionInDays !== undefined && { retentionInDays }),
  });
}

describe('PC_AZURE_LOG_RETENTION log retention is explicit, 365 days in production', () => {
  test('Compliance: 365 days in production, for a workspace and Application Insights', () => {
    const findings = findingsOf(
      logRetention,
      (scope) => insights(scope, 'api', workspace(scope, 'prod', 365).id, 365),
      'production',
    );
    expect(findings).toEqual([]);
  });

  test('Compliance: 30 days in development', () => {
    const findings = findingsOf(
      logRetention,
      (scope) => insights(scope, 'api', workspace(scope, 'dev', 30).id, 30),
      'development',
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: 30 days in production', () => {
    const findings = findingsOf(logRetention, (scope) => workspace(scope, 'prod', 30), 'production');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_LOG_RETENTION',
      severity: 'error',
      address: 'azurerm_log_analytics_workspace.prod',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_log_analytics_workspace.prod (Log Analytics workspace log-prod) sets retention_in_days = 30: set retention_in_days = 365 or more (production)',
    );
  });

  test('Noncompliance: left out, on both resource types, in development', () => {
    const findings = findingsOf(
      logRetention,
      (scope) => insights(scope, 'api', workspace(scope, 'dev').id),
      'development',
    );
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_application_insights.api (Application Insights appi-api) leaves retention_in_days unset (the provider defaults to 90): set retention_in_days = 30 or more (development)',
      'azurerm_log_analytics_workspace.dev (Log Analytics workspace log-dev) leaves retention_in_days unset (Azure keeps 30 days): set retention_in_days = 30 or more (development)',
    ]);
  });
});
