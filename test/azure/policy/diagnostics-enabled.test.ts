import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { SendDiagnostics } from '../../../lib/azure';
import { diagnosticsEnabled } from '../../../lib/azure/policy/rules/diagnostics-enabled';
import { PLACE } from './fixtures/common';
import { findingsOf } from './helpers';

describe('PC_AZURE_DIAGNOSTICS diagnosable resources send diagnostics to a workspace', () => {
  test('Compliance: SendDiagnostics covers the NAT gateway and the workspace itself', () => {
    const findings = findingsOf(diagnosticsEnabled, (scope) => {
      const workspace = new LogAnalyticsWorkspace(scope, 'law', {
        ...PLACE,
        name: 'log-platform',
        retentionInDays: 30,
      });
      new NatGateway(scope, 'nat', { ...PLACE, name: 'ng-platform' });
      SendDiagnostics.applyTo(scope, workspace.id);
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: a setting that sends to a storage account only does not count', () => {
    const findings = findingsOf(diagnosticsEnabled, (scope) => {
      const nat = new NatGateway(scope, 'nat', { ...PLACE, name: 'ng-platform' });
      new MonitorDiagnosticSetting(scope, 'diag', {
        name: 'to-storage',
        targetResourceId: nat.id,
        storageAccountId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
        enabledMetric: [{ category: 'AllMetrics' }],
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_nat_gateway.nat (NAT gateway ng-platform) sends no diagnostics to a workspace: add an azurerm_monitor_diagnostic_setting with target_resource_id = azurerm_nat_gateway.nat.id and log_analytics_workspace_id (SendDiagnostics.applyTo(stack, workspaceId) does this)',
    ]);
  });
});
