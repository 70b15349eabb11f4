import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { SendDiagnostics } from '../../../lib/azure';
import { diagnosticsEnabled } from '../../../lib/azure/policy/rules/diagnostics-enabled';
import { PLACE } from './fixtures/common';
import { findingsOf } from './helpers';

describe('PC_AZURE_DIAGNOSTICS diagnosable resources send diagnostics to a workspace', () => {
  test('Compliance: SendDiagnostics covers the public IP and the workspace itself', () => {
    const findings = findingsOf(diagnosticsEnabled, (scope) => {
      const workspace = new LogAnalyticsWorkspace(scope, 'law', {
        ...PLACE,
        name: 'log-platform',
        retentionInDays: 30,
      });
      new PublicIp(scope, 'pip', { ...PLACE, name: 'pip-platform', allocationMethod: 'Static' });
      SendDiagnostics.applyTo(scope, workspace.id);
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: a setting that sends to a storage account only does not count', () => {
    const findings = findingsOf(diagnosticsEnabled, (scope) => {
      const pip = new PublicIp(scope, 'pip', { ...PLACE, name: 'pip-platform', allocationMethod: 'Static' });
      new MonitorDiagnosticSetting(scope, 'diag', {
        name: 'to-storage',
        targetResourceId: pip.id,
        storageAccountId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
        enabledMetric: [{ category: 'AllMetrics' }],
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_public_ip.pip (public IP pip-platform) sends no diagnostics to a workspace: add an azurerm_monitor_diagnostic_setting with target_resource_id = azurerm_public_ip.pip.id and log_analytics_workspace_id (SendDiagnostics.applyTo(stack, workspaceId) does this)',
    ]);
  });
});
