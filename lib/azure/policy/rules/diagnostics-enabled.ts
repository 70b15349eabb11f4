import { DIAGNOSABLE_TYPES } from '../../diagnostics';
import { references, type PolicyRule } from '../rule';
import { subject } from './util';

/**
 * PC_AZURE_DIAGNOSTICS: every resource that supports diagnostic settings sends them to a Log Analytics
 * workspace (an `azurerm_monitor_diagnostic_setting` targeting it with `log_analytics_workspace_id`), so its
 * logs and metrics can be searched and alerted on. `SendDiagnostics` adds them.
 */
export const diagnosticsEnabled: PolicyRule = {
  id: 'PC_AZURE_DIAGNOSTICS',
  severity: 'error',
  title: 'Every diagnosable resource sends its logs and metrics to a Log Analytics workspace',
  resourceTypes: Object.keys(DIAGNOSABLE_TYPES),
  check(resource, context) {
    const sent = context
      .ofType('azurerm_monitor_diagnostic_setting')
      .some(
        (s) =>
          references(s.config.target_resource_id, resource.address) &&
          s.config.log_analytics_workspace_id !== undefined,
      );
    return sent
      ? []
      : [
          `${subject(resource)} sends no diagnostics to a workspace: add an azurerm_monitor_diagnostic_setting with target_resource_id = ${resource.address}.id and log_analytics_workspace_id (SendDiagnostics.applyTo(stack, workspaceId) does this)`,
        ];
  },
};
