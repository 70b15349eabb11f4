import { appInsightsWorkspace } from '../../../lib/azure/policy/rules/app-insights-workspace';
import { component } from './fixtures/insights';
import { findingsOf } from './helpers';

describe('PC_AZURE_APP_INSIGHTS_WORKSPACE Application Insights components are workspace-based', () => {
  test('Compliance: workspace_id set, literally or by reference', () => {
    const findings = findingsOf(appInsightsWorkspace, (scope) => {
      component(scope, 'literal');
      component(scope, 'reference', { workspaceId: '${azurerm_log_analytics_workspace.logs.id}' });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: no workspace_id (a classic component)', () => {
    const findings = findingsOf(appInsightsWorkspace, (scope) =>
      component(scope, 'classic', { workspaceId: undefined }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_APP_INSIGHTS_WORKSPACE',
      severity: 'error',
      address: 'azurerm_application_insights.classic',
    });
    expect(findings[0]!.message).toBe(
      "azurerm_application_insights.classic (Application Insights appi-classic) leaves workspace_id unset (a classic component): set workspace_id to the environment's Log Analytics workspace (ApiCheckInsights does)",
    );
  });
});
