import { blocks, type PolicyRule } from '../rule';
import { subject } from './util';

/**
 * PC_AZURE_ALERT_ACTION: every metric alert, scheduled query rule and activity log alert notifies an action group, the Azure
 * counterpart of cdk-nag's CloudWatchAlarmAction; an alert nobody hears is no alert.
 */
export const alertHasAction: PolicyRule = {
  id: 'PC_AZURE_ALERT_ACTION',
  severity: 'error',
  title: 'Every alert notifies an action group',
  resourceTypes: [
    'azurerm_monitor_metric_alert',
    'azurerm_monitor_scheduled_query_rules_alert_v2',
    'azurerm_monitor_activity_log_alert',
  ],
  check(alert) {
    const groups =
      alert.type !== 'azurerm_monitor_scheduled_query_rules_alert_v2'
        ? blocks(alert.config, 'action').map((a) => a.action_group_id)
        : blocks(alert.config, 'action').flatMap((a) => (Array.isArray(a.action_groups) ? a.action_groups : []));
    return groups.some((g) => typeof g === 'string' && g.length > 0)
      ? []
      : [`${subject(alert)} notifies nobody: add an action block with an action group (IMonitoring does this)`];
  },
};
