import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorMetricAlert, type MonitorMetricAlertConfig } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import type { Construct } from 'constructs';
import { alertHasAction } from '../../../lib/azure/policy/rules/alert-has-action';
import { findingsOf } from './helpers';

function alert(scope: Construct, overrides: Partial<MonitorMetricAlertConfig> = {}): MonitorMetricAlert {
  return new MonitorMetricAlert(scope, 'alert', {
    name: 'platform-dev-network.nat.packets-dropped',
    resourceGroupName: 'rg',
    scopes: ['/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/natGateways/ng'],
    criteria: [
      {
        metricNamespace: 'Microsoft.Network/natGateways',
        metricName: 'PacketDropCount',
        aggregation: 'Total',
        operator: 'GreaterThan',
        threshold: 100,
      },
    ],
    ...overrides,
  });
}

describe('PC_AZURE_ALERT_ACTION every alert notifies an action group', () => {
  test('Compliance: a metric alert with an action group', () => {
    const findings = findingsOf(alertHasAction, (scope) => {
      const group = new MonitorActionGroup(scope, 'ag', { name: 'ag', resourceGroupName: 'rg', shortName: 'ag' });
      alert(scope, { action: [{ actionGroupId: group.id }] });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: a metric alert that notifies nobody', () => {
    expect(findingsOf(alertHasAction, (scope) => alert(scope)).map((f) => f.message)).toEqual([
      'azurerm_monitor_metric_alert.alert (metric alert platform-dev-network.nat.packets-dropped) notifies nobody: add an action block with an action group (IMonitoring does this)',
    ]);
  });

  test('activity log alerts too: one with an action group passes, one without notifies nobody', () => {
    const activity = (scope: Construct, id: string, groupId?: string): MonitorActivityLogAlert =>
      new MonitorActivityLogAlert(scope, id, {
        name: `platform-dev-audit.${id}`,
        resourceGroupName: 'rg',
        location: 'global',
        scopes: ['/subscriptions/00000000-0000-0000-0000-000000000000'],
        criteria: { category: 'Administrative', operationName: 'Microsoft.Network/networkSecurityGroups/write' },
        ...(groupId !== undefined && { action: [{ actionGroupId: groupId }] }),
      });
    const findings = findingsOf(alertHasAction, (scope) => {
      const group = new MonitorActionGroup(scope, 'ag', { name: 'ag', resourceGroupName: 'rg', shortName: 'ag' });
      activity(scope, 'heard', group.id);
      activity(scope, 'unheard');
    });
    expect(findings.map((f) => f.address)).toEqual(['azurerm_monitor_activity_log_alert.unheard']);
  });
});
