import { blocks, type PolicyRule } from '../rule';
import { subject } from './util';

/** True when one of `groups` is an action group ID (or an expression naming one). */
const hasGroup = (groups: readonly unknown[]): boolean => groups.some((g) => typeof g === 'string' && g.length > 0);

/**
 * PC_AZURE_ALERT_ACTION: every metric alert, scheduled query rule, activity log alert and Prometheus alert rule (each
 * `rule` with `alert` in an `azurerm_monitor_alert_prometheus_rule_group`; recording rules raise nothing) notifies an
 * action group, the Azure counterpart of cdk-nag's CloudWatchAlarmAction; an alert nobody hears is no alert.
 */
export const alertHasAction: PolicyRule = {
  id: 'PC_AZURE_ALERT_ACTION',
  severity: 'error',
  title: 'Every alert notifies an action group',
  resourceTypes: [
    'azurerm_monitor_metric_alert',
    'azurerm_monitor_scheduled_query_rules_alert_v2',
    'azurerm_monitor_activity_log_alert',
    'azurerm_monitor_alert_prometheus_rule_group',
  ],
  check(alert) {
    if (alert.type === 'azurerm_monitor_alert_prometheus_rule_group') {
      return blocks(alert.config, 'rule')
        .filter(
          (rule) => typeof rule.alert === 'string' && !hasGroup(blocks(rule, 'action').map((a) => a.action_group_id)),
        )
        .map(
          (rule) =>
            `${subject(alert)} has alert rule ${String(rule.alert)} that notifies nobody: add an action block with an action group to the rule (ManagedPrometheus does this)`,
        );
    }
    const groups =
      alert.type !== 'azurerm_monitor_scheduled_query_rules_alert_v2'
        ? blocks(alert.config, 'action').map((a) => a.action_group_id)
        : blocks(alert.config, 'action').flatMap((a) => (Array.isArray(a.action_groups) ? a.action_groups : []));
    return hasGroup(groups)
      ? []
      : [`${subject(alert)} notifies nobody: add an action block with an action group (IMonitoring does this)`];
  },
};
