import type { PolicyRule } from '../rule';
import { readString, subject, UNKNOWN } from './util';

/**
 * PC_AZURE_APP_INSIGHTS_WORKSPACE: an Application Insights component is workspace-based (`workspace_id`), so its
 * records sit in a Log Analytics workspace under the workspace's access control, retention and diagnostics, and
 * queries and alerts join them with every other log. Classic components (no workspace) were retired by Microsoft
 * in February 2024. checkov has no check for it.
 */
export const appInsightsWorkspace: PolicyRule = {
  id: 'PC_AZURE_APP_INSIGHTS_WORKSPACE',
  severity: 'error',
  title: 'Application Insights components are workspace-based',
  resourceTypes: ['azurerm_application_insights'],
  check(component) {
    const workspace = readString(component.config, 'workspace_id');
    if (workspace === UNKNOWN || (workspace !== undefined && workspace !== '')) return [];
    return [
      `${subject(component)} leaves workspace_id unset (a classic component): set workspace_id to the environment's Log Analytics workspace (ApiCheckInsights does)`,
    ];
  },
};
